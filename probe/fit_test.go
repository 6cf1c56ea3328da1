package probe

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/model"
)

func TestLinfit(t *testing.T) {
	b, p := linfit([]float64{1000, 2000, 3000}, []float64{600, 700, 800})
	if math.Abs(b-500) > 1e-6 || math.Abs(p-0.1) > 1e-9 {
		t.Errorf("linfit = %g + %g/B, want 500 + 0.1/B", b, p)
	}
	if b, p := linfit([]float64{1000}, []float64{700}); b != 700 || p != 0 {
		t.Errorf("one point: %g + %g, want 700 + 0", b, p)
	}
	if b, p := linfit([]float64{1000, 2000}, []float64{900, 700}); b != 800 || p != 0 {
		t.Errorf("falling line: %g + %g, want the mean 800 + 0", b, p)
	}
}

// TestFitRecorded fits the numbers recorded on 6.18.44 (testdata/probe-run.txt,
// 2 rounds: the medians are the means of the two) and checks each fitted
// number against the arithmetic done by hand on that file.
func TestFitRecorded(t *testing.T) {
	f, base := fitRecorded(t, FitOptions{}), x86(t)
	// swapcache - bypass over the 6 pairs: -1074.95 -788.85 -430.70
	// 1408.95 4059.00 4492.20; median (-430.70+1408.95)/2 = 489.125.
	if c := f.Profile.Ops[model.OpSwapCacheAdd]; math.Abs(c.Base-489.125) > 0.01 || !strings.HasPrefix(c.Source, "measured: swapbench probe on 6.18.44-fc-v782, median over 6 configurations") {
		t.Errorf("swap_cache_add = %+v, want 489.125 measured over 6 configurations", c)
	}
	// random - zero on zram lzo: (14302.3+21552.6)/2 - (32462.3+18335.9)/2 = -7471.65,
	// clamped to 0 with the raw value in the source.
	if c := f.Profile.Ops[model.OpDeviceRead]; c.Base != 0 || !strings.Contains(c.Source, "= -7472ns") {
		t.Errorf("device_read = %+v, want 0 with the raw -7472ns in the source", c)
	}
	// text - zero - (random - zero) = 3237.1 at 1327 B/page (one point: no slope).
	if c := f.Profile.Codecs["lzo"].Decompress; math.Abs(c.Base-3237.1) > 0.01 || c.Per != 0 || !strings.Contains(c.Source, "1327B:3237ns") {
		t.Errorf("lzo decompress = %+v, want 3237.1 + 0/B from the point 1327B:3237ns", c)
	}
	if c := f.Profile.Codecs["lzo"].Compress; c.Base != 0 || !strings.Contains(c.Source, "1327B:-74281ns") {
		t.Errorf("lzo compress = %+v, want 0 (clamped) from 1327B:-74281ns", c)
	}
	if c := f.Profile.Codecs["lz4"]; c != base.Codecs["lz4"] {
		t.Errorf("lz4 was not probed but changed: %+v", c)
	}
	if c := f.Profile.Ops[model.OpSwapCacheDelete]; c != base.Ops[model.OpSwapCacheDelete] {
		t.Errorf("swap_cache_delete was not measured but changed: %+v", c)
	}
	var zs *Note
	for i := range f.Notes {
		if strings.HasPrefix(f.Notes[i].Name, "zswap_load-minus-zram_read comp=lzo") {
			zs = &f.Notes[i]
		}
	}
	if zs == nil || math.Abs(zs.NS-(-1968.15)) > 0.01 {
		t.Errorf("zswap note = %+v, want -1968.15", zs)
	}
	// The written profile parses back with the cost package.
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "# fitted: op swap_cache_add from: Swapin/path=swapcache/backend=zram/comp=lzo/data=text Swapin/path=bypass/backend=zram/comp=lzo/data=text ") {
		t.Errorf("written profile lacks its fitted list with the measurements used:\n%s", buf.String())
	}
	// Without the simulator the per-page base costs stay the base's.
	if f.Profile.Ops[model.OpFault] != base.Ops[model.OpFault] || slices.Contains(f.Fitted, "op do_swap_page") {
		t.Errorf("do_swap_page fitted without a simulator: %+v", f.Profile.Ops[model.OpFault])
	}
	// The fitted lines read back as written.
	names, from := ReadFitted(buf.Bytes())
	if !slices.Equal(names, f.Fitted) {
		t.Errorf("ReadFitted names %v, want %v", names, f.Fitted)
	}
	for _, n := range f.Fitted {
		if !slices.Equal(from[n], f.From[n]) || len(from[n]) == 0 {
			t.Errorf("ReadFitted %s from %v, want %v", n, from[n], f.From[n])
		}
	}
	// device_read came from the random and zero bypass swapins on zram only.
	if got := f.From["op device_read"]; !slices.Equal(got, []string{"Swapin/path=bypass/backend=zram/comp=lzo/data=random", "Swapin/path=bypass/backend=zram/comp=lzo/data=zero"}) {
		t.Errorf("device_read from %v", got)
	}
	back, err := cost.Parse(&buf, "fitted")
	if err != nil {
		t.Fatalf("the fitted profile does not parse: %v", err)
	}
	if back.Ops[model.OpSwapCacheAdd].Base != 489.125 {
		t.Errorf("parsed swap_cache_add = %+v, want 489.125", back.Ops[model.OpSwapCacheAdd])
	}
}

func TestFitNothing(t *testing.T) {
	rs := []*Result{{Config: Config{PathBypass, BackendZram, "lzo", "text", 0}, Rounds: []Round{{Pages: 10, SwapinNS: 1}}}}
	base, _ := cost.Lookup("x86-2024")
	if _, err := FitProfile(rs, base, "x", "k", FitOptions{}); err == nil {
		t.Errorf("a single configuration fitted something")
	}
}

// TestFitBase fits do_swap_page and try_to_unmap_one on the recorded run
// with a stand-in simulator, so that every number is checked by hand:
// it predicts 1000 ns (zram) and 1500 ns (zswap+zram) per swapin and
// 2000 ns per zswap+zram page-out, and cannot run zram page-outs.
func TestFitBase(t *testing.T) {
	rs, err := ReadResults(read(t, "probe-run.txt"), "probe-run.txt")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := cost.Lookup("x86-2024")
	var calls []string
	sim := func(p *cost.Profile, bench string, c Config) (float64, error) {
		calls = append(calls, UseKey(bench, c))
		if bench == BenchSwapin && (p.Ops[model.OpFault] != cost.Charge{Source: "0 for the fit"} || p.Ops[model.OpSwapCacheAdd].Base != 489.125) {
			t.Errorf("%s simulated under do_swap_page %+v, swap_cache_add %+v; want 0 and the fitted 489.125", c.Key(), p.Ops[model.OpFault], p.Ops[model.OpSwapCacheAdd])
		}
		if bench == BenchSwapout && p.Ops[model.OpUnmapPage].Base != 0 {
			t.Errorf("%s page-out simulated with try_to_unmap_one %+v, want 0", c.Key(), p.Ops[model.OpUnmapPage])
		}
		switch {
		case bench == BenchSwapin && c.Backend == BackendZram:
			return 1000, nil
		case bench == BenchSwapin:
			return 1500, nil
		case c.Backend == BackendZram:
			return 0, fmt.Errorf("%w: no codec lzo", ErrNotSimulated)
		}
		return 2000, nil
	}
	f, err := FitProfile(rs, base, "probe-test", "6.18.44-fc-v782", FitOptions{Simulate: sim})
	if err != nil {
		t.Fatal(err)
	}
	// Zero-page bypass swapins: zram (32462.3+18335.9)/2 - 1000 = 24399.1,
	// zswap+zram (15829.3+13313.5)/2 - 1500 = 13071.4; median 18735.25.
	c := f.Profile.Ops[model.OpFault]
	if math.Abs(c.Base-18735.25) > 0.001 || !strings.HasPrefix(c.Source, "measured: swapbench probe on 6.18.44-fc-v782, median over 2 bypass swapins of a zero page") ||
		!strings.Contains(c.Source, "(zram lzo: 25399-1000; zswap+zram lzo: 14571-1500) = 18735ns") {
		t.Errorf("do_swap_page = %+v, want 18735.25 from 25399-1000 and 14571-1500", c)
	}
	// Zero-page page-outs of zswap+zram, both paths pooled: 45238.2
	// 53382.2 53739.2 54466.1, median 53560.7, - 2000 = 51560.7; zram's
	// are left out.
	c = f.Profile.Ops[model.OpUnmapPage]
	if math.Abs(c.Base-51560.7) > 0.001 || !strings.Contains(c.Source, "(zswap+zram lzo: 53561-2000) = 51561ns (left out, not simulated: zram lzo)") {
		t.Errorf("try_to_unmap_one = %+v, want 51560.7 from zswap+zram only", c)
	}
	if got, want := f.From["op do_swap_page"], []string{"Swapin/path=bypass/backend=zram/comp=lzo/data=zero", "Swapin/path=bypass/backend=zswap+zram/comp=lzo/data=zero"}; !slices.Equal(got, want) {
		t.Errorf("do_swap_page from %v, want %v", got, want)
	}
	if got, want := f.From["op try_to_unmap_one"], []string{"Swapout/path=bypass/backend=zswap+zram/comp=lzo/data=zero", "Swapout/path=swapcache/backend=zswap+zram/comp=lzo/data=zero"}; !slices.Equal(got, want) {
		t.Errorf("try_to_unmap_one from %v, want %v", got, want)
	}
	if len(calls) != 4 {
		t.Errorf("simulated %v, want the 2 zero-page bypass swapins and 2 zero-page page-outs", calls)
	}
	if slices.ContainsFunc(f.Notes, func(n Note) bool { return n.Name == FaultNote }) {
		t.Errorf("a note on the measured fault from results that have none: %v", f.Notes)
	}

	// With the baselines measured (minor fault 5000 ns in every round;
	// an order-4 result, which fits nothing, at 1 ns) the fitted cost
	// stays and is set beside the fault: 18735.25 is over twice 5000.
	for _, r := range rs {
		for i := range r.Rounds {
			r.Rounds[i].MinorFaultNS, r.Rounds[i].AnonFaultNS, r.Rounds[i].TimerNS = 5000, 7000, 50
		}
	}
	big := &Result{Config: Config{PathBypass, BackendZram, "lzo", "zero", 4}, Rounds: []Round{{Pages: 64, SwapinNS: 1, MinorFaultNS: 1}}}
	f, err = FitProfile(append(rs, big), base, "probe-test", "6.18.44-fc-v782", FitOptions{Simulate: sim})
	if err != nil {
		t.Fatal(err)
	}
	c = f.Profile.Ops[model.OpFault]
	i := slices.IndexFunc(f.Notes, func(n Note) bool { return n.Name == FaultNote })
	if math.Abs(c.Base-18735.25) > 0.001 || !strings.Contains(c.Source, "of it 5000 ns is the measured minor fault and 13735 ns what the fit adds") || i < 0 ||
		math.Abs(f.Notes[i].NS-13735.25) > 0.001 || !strings.Contains(f.Notes[i].Source, "the fit invents 13735 ns per fault beyond the measured fault (x3.75)") {
		t.Errorf("do_swap_page %+v, notes %v; want 18735.25 set beside the 5000 ns fault", c, f.Notes)
	}

	// A simulator that fails (not for want of a codec) fails the fit in
	// one line naming the configuration.
	broken := func(*cost.Profile, string, Config) (float64, error) {
		return 0, errors.New("reclaim result 2, want freed")
	}
	_, err = FitProfile(rs, base, "probe-test", "k", FitOptions{Simulate: broken})
	if err == nil || err.Error() != "fit do_swap_page: simulating Swapin/path=bypass/backend=zram/comp=lzo/data=zero: reclaim result 2, want freed" {
		t.Errorf("a broken simulator: %v", err)
	}
}

// TestFitNewBases: on a kernel whose swap cache is the swap table the
// swap cache path's add is fitted as swap_table_add (swap_cache_add keeps
// the base's), and with the zeromap device_write goes into the compress
// lines (0, said so).
func TestFitNewBases(t *testing.T) {
	f, base := fitRecorded(t, FitOptions{SwapTable: true, Zeromap: true}), x86(t)
	if c := f.Profile.Ops[model.OpSwapTableAdd]; math.Abs(c.Base-489.125) > 0.01 || !strings.HasPrefix(c.Source, "measured:") {
		t.Errorf("swap_table_add = %+v, want the measured 489.125", c)
	}
	if c, b := f.Profile.Ops[model.OpSwapCacheAdd], base.Ops[model.OpSwapCacheAdd]; c != b {
		t.Errorf("swap_cache_add = %+v, want the base's %+v", c, b)
	}
	if c := f.Profile.Ops[model.OpDeviceWrite]; c.Base != 0 || c.Per != 0 || !strings.Contains(c.Source, "inside the fitted codec compress lines") {
		t.Errorf("device_write = %+v, want 0, charged in the compress lines", c)
	}
	if !slices.Contains(f.Fitted, "op device_write") || !slices.Contains(f.Fitted, "op swap_table_add") {
		t.Errorf("fitted %v, want op device_write and op swap_table_add", f.Fitted)
	}
}

// fitRecorded fits testdata/probe-run.txt from x86-2024 under opts.
func fitRecorded(t *testing.T, opts FitOptions) *Fit {
	t.Helper()
	rs, err := ReadResults(read(t, "probe-run.txt"), "probe-run.txt")
	if err != nil {
		t.Fatal(err)
	}
	f, err := FitProfile(rs, x86(t), "probe-test", "6.18.44-fc-v782", opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func x86(t *testing.T) *cost.Profile {
	t.Helper()
	base, err := cost.Lookup("x86-2024")
	if err != nil {
		t.Fatal(err)
	}
	return base
}
