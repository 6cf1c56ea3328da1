package validate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/probe"
)

// without is results less every result whose configuration drop
// selects, computed here apart from leaveOut.
func without(results []*probe.Result, drop func(probe.Config) bool) []*probe.Result {
	var out []*probe.Result
	for _, r := range results {
		if !drop(r.Config) {
			out = append(out, r)
		}
	}
	return out
}

// dropsRow selects the results of a row's configuration: the one result
// of a swapin row, both paths' results of a page-out row.
func dropsRow(r *Row) func(probe.Config) bool {
	return func(c probe.Config) bool {
		return c.Backend == r.Config.Backend && c.Comp == r.Config.Comp && c.Data == r.Config.Data &&
			c.Order == r.Config.Order && (r.Bench == Swapout || c.Path == r.Config.Path)
	}
}

// TestLeaveOneOutRecorded: on the recorded run, every simulated row's
// held-out prediction is the simulator's prediction under the profile
// that probe.FitProfile fits (from x86-2024, with a simulator of its
// own) on the results less that row's configuration, computed here
// independently; and it differs from the in-sample prediction on the
// rows whose measurements fed a number they are charged (so the test
// fails if validate predicts under the all-data profile).
func TestLeaveOneOutRecorded(t *testing.T) {
	rep := runInput(t, recorded)
	in := rep.In
	fitOpts, err := FitOptions(in.Kernel, filepath.Dir(recorded), in.Seed)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := cost.Lookup("x86-2024")
	n, moved, want := 0, 0, 0
	for _, r := range rep.Rows {
		if r.Config.Backend != probe.BackendZswapFile && r.Config.Order == 0 {
			want++ // the simulator has every other backend and codec probed, at order 0
		}
		if !r.Simulated() {
			continue
		}
		n++
		rest := without(in.Results, dropsRow(r))
		if got := len(in.Results) - len(rest); got != map[string]int{Swapin: 1, Swapout: 2}[r.Bench] {
			t.Fatalf("%s %v: %d results dropped", r.Bench, r.Config, got)
		}
		fit, err := probe.FitProfile(rest, base, "loo", in.Kernel, fitOpts)
		if err != nil {
			t.Fatal(err)
		}
		want, err := fitOpts.Simulate(fit.Profile, r.Bench, r.Config)
		if err != nil {
			t.Fatal(err)
		}
		if r.Predicted != want {
			t.Errorf("%s %v: held-out prediction %.3f, want %.3f (fitted without it)", r.Bench, r.Config, r.Predicted, want)
		}
		if d := diff(r.Held, fit.Profile, exact); len(d) > 0 {
			t.Errorf("%s %v: held-out profile differs from the refit: %v", r.Bench, r.Config, d)
		}
		if r.Predicted != r.InSample {
			moved++
		}
	}
	// Every configuration the simulator runs is in the median of
	// swap_cache_add, the zram ones feed their own codec's costs too.
	if n != want || moved == 0 {
		t.Errorf("%d rows simulated, %d held-out predictions differ from in-sample; want %d and some", n, moved, want)
	}
	lz4 := slices.IndexFunc(rep.Rows, func(r *Row) bool {
		return r.Bench == Swapin && r.Config == probe.Config{Path: probe.PathBypass, Backend: probe.BackendZram, Comp: "lz4", Data: "binary"}
	})
	if r := rep.Rows[lz4]; r.Predicted == r.InSample {
		t.Errorf("bypass zram lz4 binary feeds the lz4 decompression fit, yet its held-out prediction is the in-sample one (%.3f)", r.Predicted)
	}
}

// TestLeaveOutNothingFed: removing a configuration whose measurements
// fed no fitted number (the profile's "# fitted: ... from:" lines name
// none of them: zswap+file, which the fit cannot difference and the
// simulator cannot run, and the large folio orders, which the fit leaves
// out and the simulator does not model) leaves the fit bit for bit, and so every
// prediction, unchanged, held out or not.
func TestLeaveOutNothingFed(t *testing.T) {
	rep := runInput(t, recorded)
	in := rep.In
	prof, err := os.ReadFile(recordedProfile)
	if err != nil {
		t.Fatal(err)
	}
	_, from := probe.ReadFitted(prof)
	fed := map[string]bool{}
	for _, keys := range from {
		for _, k := range keys {
			_, key, _ := strings.Cut(k, "/")
			fed[key] = true
		}
	}
	fitOpts, err := FitOptions(in.Kernel, filepath.Dir(recorded), in.Seed)
	if err != nil {
		t.Fatal(err)
	}
	opts := fitOpts
	all, err := probe.FitProfile(in.Results, in.Base, "all", in.Kernel, opts)
	if err != nil {
		t.Fatal(err)
	}
	// A row whose held-out fit moved numbers it is charged.
	r := rep.Rows[slices.IndexFunc(rep.Rows, func(r *Row) bool {
		return r.Bench == Swapin && r.Config == probe.Config{Path: probe.PathBypass, Backend: probe.BackendZram, Comp: "lz4", Data: "binary"}
	})]
	unfed, wantUnfed := 0, 0
	for _, x := range in.Results {
		if x.Config.Backend == probe.BackendZswapFile || x.Config.Order > 0 {
			wantUnfed++ // not simulated: no swap file, no large folios in the model
		}
		if fed[x.Key()] {
			continue
		}
		unfed++
		rest := without(in.Results, func(c probe.Config) bool { return c == x.Config })
		f, err := probe.FitProfile(rest, in.Base, "all", in.Kernel, opts)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(f.Profile, all.Profile, exact); len(d) > 0 {
			t.Errorf("without %s, which fed nothing, the fit moved: %v", x.Key(), d)
		}
		if unfed > 1 {
			continue
		}
		// The held-out prediction of r does not change either when x
		// goes too.
		rest = without(rest, dropsRow(r))
		f, err = probe.FitProfile(rest, in.Base, "loo", in.Kernel, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := fitOpts.Simulate(f.Profile, r.Bench, r.Config); err != nil || got != r.Predicted {
			t.Errorf("without %s, %v's held-out prediction is %.3f (%v), want %.3f", x.Key(), r.Config, got, err, r.Predicted)
		}
	}
	if unfed != wantUnfed || wantUnfed == 0 {
		t.Errorf("%d configurations fed no fitted number, want the %d of zswap+file and of order > 0", unfed, wantUnfed)
	}
	if d := diff(all.Profile, rep.All, exact); len(d) > 0 {
		t.Errorf("validate's fit on all configurations differs from FitProfile's: %v", d)
	}
}

// TestRefitAll: refitting only the numbers a row's configuration fed is
// not leave-one-out. The per-page costs fitted against the simulator
// (do_swap_page, try_to_unmap_one) move with every fitted number their
// zero-page simulations are charged, so a held-out fit moves numbers
// the row never fed (a swapin row feeds no page-out time, yet
// try_to_unmap_one moves without it); validate refits everything.
func TestRefitAll(t *testing.T) {
	rep := runInput(t, recorded)
	prof, err := os.ReadFile(recordedProfile)
	if err != nil {
		t.Fatal(err)
	}
	_, from := probe.ReadFitted(prof)
	var beyond []string
	for _, r := range rep.Rows {
		if r.Held == nil || r.Bench != Swapin {
			continue
		}
		for _, d := range diff(r.Held, rep.All, exact) {
			name := strings.TrimSuffix(d.Name, " per")
			if !slices.Contains(from[name], probe.UseKey(Swapin, r.Config)) {
				beyond = append(beyond, r.Config.Key()+": "+name)
			}
		}
	}
	if !slices.ContainsFunc(beyond, func(s string) bool { return strings.HasSuffix(s, ": op try_to_unmap_one") }) {
		t.Errorf("no held-out swapin fit moved try_to_unmap_one, which no swapin feeds; moved beyond what the row fed: %v", beyond)
	}
}
