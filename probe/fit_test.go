package probe

import (
	"bytes"
	"math"
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
	rs, err := ReadResults(read(t, "probe-run.txt"), "probe-run.txt")
	if err != nil {
		t.Fatal(err)
	}
	base, err := cost.Lookup("x86-2024")
	if err != nil {
		t.Fatal(err)
	}
	f, err := FitProfile(rs, base, "probe-test", "6.18.44-fc-v782")
	if err != nil {
		t.Fatal(err)
	}
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
	if !strings.Contains(buf.String(), "# fitted: op swap_cache_add\n") {
		t.Errorf("written profile lacks its fitted list:\n%s", buf.String())
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
	rs := []*Result{{Config: Config{PathBypass, BackendZram, "lzo", "text"}, Rounds: []Round{{Pages: 10, SwapinNS: 1}}}}
	base, _ := cost.Lookup("x86-2024")
	if _, err := FitProfile(rs, base, "x", "k"); err == nil {
		t.Errorf("a single configuration fitted something")
	}
}
