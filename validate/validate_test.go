package validate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/montanaflynn/stats"
	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/model/codec"
	"github.com/swapbench/swapbench/plots"
	"github.com/swapbench/swapbench/probe"
)

// The recorded run: swapbench probe on 6.18.44 (docs/validation.md), and
// a subset of it (zram with lz4, plus one configuration of each kind the
// simulator lacks) that is quick to simulate.
const (
	recorded        = "testdata/probe-6.18.txt"
	recordedProfile = "testdata/probe-6.18.txt.profile"
	subset          = "testdata/probe-lz4.txt"
)

func TestMap(t *testing.T) {
	for _, tc := range []struct {
		kernel, bypass, swapcache string
	}{
		{"6.18.44-fc-v782", "fix=merged/sync=waitqueue/kernel=v6.18", "fix=never-bypass/sync=folio-lock/kernel=v6.18"},
		{"6.12.0", "fix=merged/sync=waitqueue/kernel=v6.12", "fix=never-bypass/sync=folio-lock/kernel=v6.12"},
		{"6.11.2", "fix=merged/sync=tick/kernel=v6.10", "fix=never-bypass/sync=folio-lock/kernel=v6.10"},
		{"6.10.3-arch1", "fix=merged/sync=tick/kernel=v6.10", "fix=never-bypass/sync=folio-lock/kernel=v6.10"},
		{"6.9.12", "fix=merged/sync=tick/kernel=v6.9", "fix=never-bypass/sync=folio-lock/kernel=v6.9"},
		{"6.8.0-45-generic", "fix=non-exclusive/sync=tick/kernel=v6.8", "fix=never-bypass/sync=folio-lock/kernel=v6.8"},
		{"5.15.0", "fix=non-exclusive/sync=none/kernel=v6.8", "fix=never-bypass/sync=folio-lock/kernel=v6.8"},
		{"6.19.2", "fix=merged/sync=waitqueue/kernel=v6.18", "fix=never-bypass/sync=folio-lock/kernel=v6.18"},
		// f1879e8a0c60 (v7.0) removed the bypass: both paths are the
		// kernel's, the merged rule on the swap cache.
		{"7.1.0", "fix=merged/sync=folio-lock/kernel=v7.0", "fix=merged/sync=folio-lock/kernel=v7.0"},
	} {
		m, err := Map(tc.kernel)
		if err != nil {
			t.Errorf("Map(%q): %v", tc.kernel, err)
			continue
		}
		if m.Bypass.String() != tc.bypass || m.Swapcache.String() != tc.swapcache {
			t.Errorf("Map(%q) = %s, %s; want %s, %s", tc.kernel, m.Bypass, m.Swapcache, tc.bypass, tc.swapcache)
		}
		if len(m.Why) != 3 {
			t.Errorf("Map(%q) gives %d reasons, want 3 (base, bypass, swapcache)", tc.kernel, len(m.Why))
		}
	}
	if _, err := Map("linux"); err == nil || !strings.Contains(err.Error(), "want a uname -r release") {
		t.Errorf("Map(linux) = %v, want an error", err)
	}
}

// TestLoadErrors: each bad input is one line naming the file and what was
// wanted.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, err := os.ReadFile(subset)
	if err != nil {
		t.Fatal(err)
	}
	noKernel := strings.Replace(string(good), "kernel: 6.18.44-fc-v782\n", "", 1)
	for _, tc := range []struct {
		probe, profile, want string
		base                 string
	}{
		{filepath.Join(dir, "missing.txt"), recordedProfile, "missing.txt: no such file or directory; want the results file of swapbench probe", "x86-2024"},
		{"../docs/results-x86-2024.txt", recordedProfile, "results-x86-2024.txt: no BenchmarkKernelSwapin lines (want the results file of swapbench probe)", "x86-2024"},
		{write("torn.txt", "kernel: 6.18\nBenchmarkKernelSwapin/path=bypass/backend=zram/comp=lz4/data=text-2 4096 1e4x ns/op\n"), recordedProfile, `torn.txt:2: "1e4x": want a number before ns/op`, "x86-2024"},
		{write("nokey.txt", "kernel: 6.18\nBenchmarkKernelSwapin/path=bypass/backend=zram-2 4096 1e4 ns/op\n"), recordedProfile, `nokey.txt:2: "path=bypass/backend=zram": want path=P/backend=B/comp=C/data=D`, "x86-2024"},
		{write("nokernel.txt", noKernel), recordedProfile, `nokernel.txt: no "kernel:" header line; want the results file of swapbench probe`, "x86-2024"},
		{write("badkernel.txt", strings.Replace(string(good), "kernel: 6.18.44-fc-v782", "kernel: mainline", 1)), recordedProfile, `badkernel.txt: kernel "mainline": want a uname -r release`, "x86-2024"},
		{subset, filepath.Join(dir, "missing.profile"), "missing.profile: no such file or directory (want a cost profile", "x86-2024"},
		{subset, subset, "probe-lz4.txt:", "x86-2024"},
		{subset, recordedProfile, `base profile: cost profile "x86-2025": unknown`, "x86-2025"},
	} {
		_, err := Load(tc.probe, tc.profile, tc.base)
		if err == nil {
			t.Errorf("Load(%s, %s) succeeded, want %q", tc.probe, tc.profile, tc.want)
			continue
		}
		if s := err.Error(); !strings.Contains(s, tc.want) || strings.Contains(s, "\n") {
			t.Errorf("Load(%s, %s) = %q, want one line containing %q", tc.probe, tc.profile, s, tc.want)
		}
	}
}

// validation is one input validated once for the tests that read the
// report.
type validation struct {
	once sync.Once
	rep  *Report
	err  error
}

var validations = map[string]*validation{subset: {}, recorded: {}}

// runInput validates the results file (subset or recorded, with the
// recorded profile on x86-2024, as swapbench validate does) once.
func runInput(t *testing.T, file string) *Report {
	t.Helper()
	if testing.Short() && file == recorded {
		// 90 leave-one-out refits: half a minute, several under -race;
		// CI runs them in its plain go test and keeps -race -short to the
		// subset.
		t.Skip("validates the whole recorded run; run without -short")
	}
	v := validations[file]
	v.once.Do(func() {
		in, err := Load(file, recordedProfile, "x86-2024")
		if err != nil {
			v.err = err
			return
		}
		v.rep, v.err = Run(context.Background(), in, Options{})
	})
	if v.err != nil {
		t.Fatal(v.err)
	}
	return v.rep
}

// TestRunRecorded simulates the subset of the recorded run and checks
// the rows: one per swapin configuration and one per page-out
// configuration, the simulated ones under the mapped variants with a
// held-out and an in-sample prediction, the operations' shares of the
// rows the cause fit compares adding up to the held-out prediction, the
// others named as not simulated.
func TestRunRecorded(t *testing.T) {
	rep := runInput(t, subset)
	var swapins, swapouts, sim int
	for _, r := range rep.Rows {
		switch r.Bench {
		case Swapin:
			swapins++
		case Swapout:
			swapouts++
			if r.Config.Path != "" {
				t.Errorf("swapout row %v has a path", r.Config)
			}
		}
		if r.Measured <= 0 {
			t.Errorf("%s %v: measured %v", r.Bench, r.Config, r.Measured)
		}
		if !r.Simulated() {
			continue
		}
		sim++
		want := "fix=merged/sync=waitqueue/kernel=v6.18/"
		if r.Config.Path == probe.PathSwapcache {
			want = "fix=never-bypass/sync=folio-lock/kernel=v6.18/"
		}
		if r.Bench == Swapout {
			want = "BenchmarkSwapout/kernel=v6.18/"
		}
		if !strings.Contains(r.Sim, want) {
			t.Errorf("%v simulated as %s, want %s", r.Config, r.Sim, want)
		}
		if r.Held == nil || r.Predicted <= 0 || r.InSample <= 0 {
			t.Errorf("%s: held-out profile %v, prediction %.3f, in-sample %.3f", r.Sim, r.Held != nil, r.Predicted, r.InSample)
		}
		if !slices.Contains(compared(rep.Rows), r) {
			if len(r.Shares) > 0 {
				t.Errorf("%s is compared with no off row but has shares", r.Sim)
			}
			continue
		}
		var sum float64
		for _, s := range r.Shares {
			sum += s.NS
		}
		if math.Abs(sum-r.Predicted) > 1e-6*r.Predicted {
			t.Errorf("%s: shares add up to %.3f ns, held-out prediction %.3f", r.Sim, sum, r.Predicted)
		}
		if !slices.IsSortedFunc(r.Shares, func(a, b Share) int { return -cmpFloat(a.NS, b.NS) }) {
			t.Errorf("%s: shares not largest first: %v", r.Sim, r.Shares)
		}
		if r.Off() && (r.Cause == nil || r.Cause.Op == "" && r.Cause.Configs == 0) {
			t.Errorf("%s is off by %.2f and has no cause", r.Sim, r.Ratio())
		}
	}
	// 6 zram lz4 configurations, 1 lzo, 1 zswap+file; page-outs pool the
	// paths; every row but the swap file's is simulated.
	if swapins != 8 || swapouts != 5 || sim != 11 {
		t.Errorf("%d swapin rows, %d page-out rows, %d simulated; want 8, 5, 11", swapins, swapouts, sim)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestNotSimulated: a configuration is simulated exactly when the model
// has its backend and model/codec its codec, so a codec added to the
// registry is picked up with no change here.
func TestNotSimulated(t *testing.T) {
	in, err := Load(recorded, recordedProfile, "x86-2024")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Map(in.Kernel)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows(in, m) {
		_, cerr := codec.New(r.Config.Comp)
		var want string
		switch {
		case r.Config.Backend == probe.BackendZswapFile:
			want = "not simulated: no backend zswap+file"
		case cerr != nil:
			want = "not simulated: no codec " + r.Config.Comp
		case r.Config.Order > 0:
			want = "not simulated: " + probe.SizeName(r.Config.Order) + " folios"
		}
		if r.Skip != want {
			t.Errorf("%s %v: skip %q, want %q", r.Bench, r.Config, r.Skip, want)
		}
		seen[r.Config.Backend+" "+r.Config.Comp] = true
	}
	if len(seen) < 9 {
		t.Errorf("the recorded run has %d backend/codec pairs, want 9 (3 backends x 3)", len(seen))
	}
	p, _ := cost.Lookup("x86-2024")
	for _, c := range codec.Names() {
		if _, ok := p.Codec(c, ""); !ok {
			continue
		}
		if _, _, skip := runnable("zram", c, "text", p, ".", 1); skip != "" {
			t.Errorf("codec %s is in model/codec and priced, but %s", c, skip)
		}
	}
	if _, _, skip := runnable("zram", "no-such-codec", "text", p, ".", 1); skip != "not simulated: no codec no-such-codec" {
		t.Errorf("an unknown codec: %q", skip)
	}
	if _, _, skip := runnable("zram", "lz4", "corpus:nothere.corpus", p, t.TempDir(), 1); !strings.HasPrefix(skip, "not simulated: no data ") {
		t.Errorf("a missing corpus: %q", skip)
	}
}

// TestExplain: the cause is the operation whose share, scaled, fits the
// gaps of the row and of its one-key neighbours.
func TestExplain(t *testing.T) {
	mk := func(path, data string, shares map[string]float64, extra func(map[string]float64) float64) *Row {
		r := &Row{Bench: Swapin, Config: probe.Config{Path: path, Backend: "zram", Comp: "lz4", Data: data}}
		for op, ns := range shares {
			r.Shares = append(r.Shares, Share{op, ns})
			r.Predicted += ns
		}
		slices.SortFunc(r.Shares, func(a, b Share) int { return -cmpFloat(a.NS, b.NS) })
		r.Measured = r.Predicted + extra(shares)
		return r
	}
	ops := func(decomp float64) map[string]float64 {
		return map[string]float64{"do_swap_page": 2500, "set_pte_at": 120, "lz4 decompress": decomp, "device_read": 900}
	}
	datas := map[string]float64{"zero": 0, "text": 2000, "binary": 3000, "random": 100}

	// Decompression three times as dear as modelled: 4x closes the gaps.
	var rows []*Row
	for d, ns := range datas {
		rows = append(rows, mk("bypass", d, ops(ns), func(s map[string]float64) float64 { return 3 * s["lz4 decompress"] }))
	}
	Explain(rows)
	for _, r := range rows {
		if !r.Off() {
			continue
		}
		if r.Cause == nil || r.Cause.Op != "lz4 decompress" || math.Abs(r.Cause.Scale-4) > 1e-9 || r.Cause.Explained < 0.999 {
			t.Errorf("%s: cause %+v, want lz4 decompress x4", r.Config.Data, r.Cause)
		}
	}

	// A gap common to all: the fault, with everything that costs the
	// same in every configuration in step with it.
	rows = rows[:0]
	for d, ns := range datas {
		rows = append(rows, mk("bypass", d, ops(ns), func(map[string]float64) float64 { return 7500 }))
	}
	Explain(rows)
	for _, r := range rows {
		if r.Cause == nil || r.Cause.Op != "do_swap_page" || math.Abs(r.Cause.Scale-4) > 1e-9 {
			t.Fatalf("%s: cause %+v, want do_swap_page x4", r.Config.Data, r.Cause)
		}
		slices.Sort(r.Cause.InStep)
		if !slices.Equal(r.Cause.InStep, []string{"device_read", "set_pte_at"}) {
			t.Errorf("%s: in step %v, want device_read, set_pte_at", r.Config.Data, r.Cause.InStep)
		}
	}

	// A gap no operation could close within MaxScale: none.
	r := mk("bypass", "text", map[string]float64{"do_swap_page": 100}, func(map[string]float64) float64 { return 5000 })
	Explain([]*Row{r})
	if r.Cause == nil || r.Cause.Op != "" {
		t.Errorf("cause %+v, want none", r.Cause)
	}

	// Rows within Tolerance get no cause; rows two keys apart are not
	// compared.
	a := mk("bypass", "text", ops(2000), func(map[string]float64) float64 { return 100 })
	b := mk("swapcache", "zero", ops(0), func(map[string]float64) float64 { return 9000 })
	Explain([]*Row{a, b})
	if a.Cause != nil || b.Cause == nil || b.Cause.Configs != 1 {
		t.Errorf("causes %+v, %+v; want none for the close row and one config for the other", a.Cause, b.Cause)
	}
}

// TestOutput: the text is at most 72 columns and names every row; the
// figures are drawn.
func TestOutput(t *testing.T) {
	rep := runInput(t, subset)
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for i, line := range strings.Split(text, "\n") {
		if n := len([]rune(line)); n > 72 {
			t.Errorf("line %d is %d columns: %q", i+1, n, line)
		}
	}
	for _, want := range []string{
		"probe: " + subset + " (8 configurations)",
		"kernel base: v6.18 is the newest modelled base not newer than 6.18",
		"path=bypass: fix=merged/sync=waitqueue/kernel=v6.18",
		"zram lz4\n  bypass    zero ",
		"  bypass    text ",
		"not simulated: no backend zswap+file",
		"Swapout: MADV_PAGEOUT time",
		"  path      data    measured   ±% held-out ratio in-sample likely cause\n",
		"Held out: ",
		"configurations within 20% when left out of the fit.",
		"In-sample (fitted on all of them, for comparison): ",
		"held-out refits moved",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	figs, err := rep.Figures()
	if err != nil {
		t.Fatal(err)
	}
	paths, err := plots.Save(t.TempDir(), figs)
	if err != nil || len(paths) != 4 {
		t.Errorf("saved %v, %v; want validate-swapin and validate-swapout as PNG and SVG", paths, err)
	}
}

// TestFitBaseRecorded fits the recorded run with the simulator
// (FitOptions, as swapbench probe does) and checks the fitted
// do_swap_page and try_to_unmap_one against the simulator's predictions
// of the zero-page configurations they came from: each op is charged
// once per page (its cost is the prediction less the prediction with it
// at 0), and its cost is the median over those configurations of
// measured minus the rest of the prediction, within rounding.
func TestFitBaseRecorded(t *testing.T) {
	in, err := Load(recorded, recordedProfile, "x86-2024")
	if err != nil {
		t.Fatal(err)
	}
	fitOpts, err := FitOptions(in.Kernel, filepath.Dir(recorded), in.Seed)
	if err != nil {
		t.Fatal(err)
	}
	fit, err := probe.FitProfile(in.Results, in.Base, "probe-test", in.Kernel, fitOpts)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Map(in.Kernel)
	for _, tc := range []struct {
		bench, op string
		used      func(*Row) bool
	}{
		{Swapin, "do_swap_page", func(r *Row) bool {
			return r.Config.Path == probe.PathBypass && r.Config.Backend != probe.BackendZswapFile
		}},
		{Swapout, "try_to_unmap_one", func(r *Row) bool { return true }},
	} {
		op := opByName(t, tc.op)
		charge := fit.Profile.Ops[op]
		zero := fit.Profile.Clone()
		zero.Ops[op] = cost.Charge{Source: "0"}
		var gaps []float64
		for _, r := range rows(in, m) {
			if r.Bench != tc.bench || r.Config.Data != "zero" || !r.Simulated() || !tc.used(r) {
				continue
			}
			all, err1 := fitOpts.Simulate(fit.Profile, r.Bench, r.Config)
			rest, err2 := fitOpts.Simulate(zero, r.Bench, r.Config)
			if err := errors.Join(err1, err2); err != nil {
				t.Fatal(err)
			}
			if s := all - rest; math.Abs(s-charge.Base) > 1e-6*charge.Base {
				t.Errorf("%s %v: %s's share %.3f, want its cost %.3f (charged once per page)", tc.bench, r.Config, tc.op, s, charge.Base)
			}
			gaps = append(gaps, r.Measured-rest)
		}
		if len(gaps) < 2 {
			t.Fatalf("%s: %d zero-page rows simulated, want at least 2 (zram lz4, zswap+zram deflate)", tc.op, len(gaps))
		}
		if want, _ := stats.Median(gaps); math.Abs(charge.Base-want) > 0.01 || !strings.Contains(charge.Source, fmt.Sprintf("= %.0fns", want)) {
			t.Errorf("%s = %+v, want the median of measured - rest, %.3f", tc.op, charge, want)
		}
		if want := fmt.Sprintf("median over %d ", len(gaps)); !strings.Contains(charge.Source, want) {
			t.Errorf("%s's source does not say it is the median over the %d configurations: %q", tc.op, len(gaps), charge.Source)
		}
	}
}

func opByName(t *testing.T, name string) model.Op {
	t.Helper()
	op, ok := model.ParseOp(name)
	if !ok {
		t.Fatalf("no op %s", name)
	}
	return op
}
