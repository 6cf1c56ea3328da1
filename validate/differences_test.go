package validate

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/probe"
)

// TestDifferencesRecorded checks the differences of the recorded subset:
// which pairs are formed, the measured median of the paired rounds, and
// each held-out prediction against a refit without both configurations.
func TestDifferencesRecorded(t *testing.T) {
	rep := runInput(t, subset)
	kinds := map[string]int{}
	for _, d := range rep.Diffs {
		kinds[d.Kind]++
		a, b := probe.Find(rep.In.Results, d.A), probe.Find(rep.In.Results, d.B)
		var v []float64
		for i := range min(len(a.Rounds), len(b.Rounds)) {
			v = append(v, a.Rounds[i].SwapinNS-b.Rounds[i].SwapinNS)
		}
		if want := probe.Median(v); math.Abs(d.Measured-want) > 1e-9 {
			t.Errorf("%s %s: measured %.1f, want the median of paired rounds %.1f", d.Kind, d.Label(), d.Measured, want)
		}
		if d.Rounds < 6 && d.HasCI() {
			t.Errorf("%s: an interval [%.0f, %.0f] from %d rounds", d.Label(), d.Lo, d.Hi, d.Rounds)
		}
		if !d.Simulated() {
			if d.A.Backend != probe.BackendZswapFile && d.B.Backend != probe.BackendZswapFile {
				t.Errorf("%s %s not simulated: %s", d.Kind, d.Label(), d.Skip)
			}
			continue
		}
		s := newSims(rep.Map, "testdata", rep.In.Seed)
		held := slices.DeleteFunc(slices.Clone(rep.In.Results), func(x *probe.Result) bool { return x.Config == d.A || x.Config == d.B })
		p, err := refit(rep.In, held, s)
		if err != nil {
			t.Fatal(err)
		}
		na, _ := s.ns(p, Swapin, d.A)
		nb, _ := s.ns(p, Swapin, d.B)
		if math.Abs(d.Predicted-(na-nb)) > 1e-6*math.Max(1, math.Abs(na)) {
			t.Errorf("%s %s: predicted %.3f, want %.3f (held out of the fit)", d.Kind, d.Label(), d.Predicted, na-nb)
		}
	}
	// The subset: zram lz4 zero, text, random on both paths, zram lzo text
	// bypass, zswap+file lzo text bypass.
	if kinds[DiffPath] != 3 || kinds[DiffCodec] != 1 || kinds[DiffZswap] != 0 {
		t.Errorf("differences by kind %v; want 3 path, 1 codec", kinds)
	}
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	within, sim := rep.DiffCount()
	if want := "Summary: held out, " + strconv.Itoa(within) + " of " + strconv.Itoa(sim) + " differences within 20% or within their interval;"; !strings.HasPrefix(rep.Summary(), want) {
		t.Errorf("summary %q, want %q", rep.Summary(), want)
	}
	for _, want := range []string{"swapcache - bypass on zram\n", "codec - codec on zram\n", "  lzo - lz4 bypass text ", strings.Fields(rep.Summary())[0]} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(b.String()), " "), rep.Summary()) {
		t.Errorf("text lacks the summary %q", rep.Summary())
	}
}

func TestDifferenceWithin(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		d    Difference
		want bool
	}{
		{Difference{Measured: 100, Predicted: 119, Lo: -inf, Hi: inf}, true},
		{Difference{Measured: 100, Predicted: 121, Lo: -inf, Hi: inf}, false}, // no interval: 20% only
		{Difference{Measured: 100, Predicted: 300, Lo: 50, Hi: 350}, true},
		{Difference{Measured: -100, Predicted: -85, Lo: -200, Hi: -90}, true},
		{Difference{Measured: 100, Predicted: 400, Lo: 50, Hi: 350}, false},
		{Difference{Measured: 100, Predicted: 100, Skip: "not simulated: x"}, false},
	} {
		if got := tc.d.Within(); got != tc.want {
			t.Errorf("%+v: Within = %v, want %v", tc.d, got, tc.want)
		}
	}
}

// TestDifferencesPaired: with 6 rounds the interval is finite and holds
// the median.
func TestDifferencesPaired(t *testing.T) {
	mk := func(path string, ns ...float64) *probe.Result {
		r := &probe.Result{Config: probe.Config{Path: path, Backend: probe.BackendZram, Comp: "lz4", Data: "text"}}
		for _, x := range ns {
			r.Rounds = append(r.Rounds, probe.Round{Pages: 64, SwapinNS: x})
		}
		return r
	}
	ds := differences([]*probe.Result{mk(probe.PathBypass, 1000, 1100, 900, 1000, 1050, 950), mk(probe.PathSwapcache, 1400, 1500, 1250, 1420, 1460, 1330)})
	if len(ds) != 1 || ds[0].Kind != DiffPath {
		t.Fatalf("differences = %v", ds)
	}
	d := ds[0]
	if d.Measured != 400 || !d.HasCI() || d.Lo > d.Measured || d.Hi < d.Measured || d.Lo != 350 || d.Hi != 420 {
		t.Errorf("difference %.0f [%.0f, %.0f], want 400 in [350, 420]", d.Measured, d.Lo, d.Hi)
	}
}
