package explore

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

func variant(t *testing.T, fix, sync, kernel string) fixes.Variant {
	t.Helper()
	vs, err := fixes.Matrix([]string{fix}, []string{sync}, []string{kernel})
	if err != nil {
		t.Fatal(err)
	}
	return vs[0]
}

func check(t *testing.T, v fixes.Variant, scenario string, mut model.Mutation) Result {
	t.Helper()
	s, err := LookupScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Check(Options{Variants: []fixes.Variant{v}, Scenarios: []Scenario{s}, Bounds: DefaultBounds, Mutations: mut})
	if err != nil {
		t.Fatal(err)
	}
	return rs[0]
}

// TestMutantsCaught seeds each bug into the model and requires the
// explorer to catch it in a configuration it calls safe without the bug.
func TestMutantsCaught(t *testing.T) {
	for _, tc := range []struct {
		mutant              string
		fix, sync, scenario string
		want                Verdict
	}{
		{"skip-pte-same", "merged", "tick", "zap", LosesData},
		{"skip-pin", "merged", "tick", "aba", LosesData},
		{"double-free-entry", "never-bypass", "folio-lock", "reclaim", Broken},
		{"skip-load-dirty", "never-bypass", "folio-lock", "reclaim", LosesData},
	} {
		for _, kb := range model.KernelBases() {
			fix, sync := tc.fix, tc.sync
			if !kb.HasBypass() {
				if tc.mutant == "skip-pin" {
					continue // no bypass, no pin to skip
				}
				// The base itself is the swap cache path: the merged
				// rule under its own synchronisation.
				fix, sync = fixes.Baseline().Name, "folio-lock"
			}
			t.Run(tc.mutant+"/"+kb.String(), func(t *testing.T) {
				v := variant(t, fix, sync, kb.String())
				if r := check(t, v, tc.scenario, 0); r.Verdict != Safe {
					t.Fatalf("without the mutant %s/%s is %s, want safe", v, tc.scenario, r.Verdict)
				}
				r := check(t, v, tc.scenario, model.Mutations()[tc.mutant])
				if r.Verdict != tc.want {
					t.Fatalf("mutant %s: verdict %s, want %s", tc.mutant, r.Verdict, tc.want)
				}
			})
		}
	}
}

// TestCounterexamplesReplay runs the full default matrix and replays every
// losing configuration's counterexample, which must end in the same
// violations.
func TestCounterexamplesReplay(t *testing.T) {
	var fixNames, kernels []string
	if testing.Short() {
		// Under -race -short: the bug and the merged fix on one base.
		fixNames, kernels = []string{"exclusive", "merged"}, []string{"v6.9"}
	}
	vs, err := fixes.Matrix(fixNames, nil, kernels)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Check(Options{Variants: vs, Scenarios: Scenarios(), Bounds: DefaultBounds})
	if err != nil {
		t.Fatal(err)
	}
	losing := 0
	for _, r := range rs {
		if r.Verdict == Safe {
			if r.Counterexample != nil {
				t.Errorf("%s: safe with a counterexample", r.Variant)
			}
			continue
		}
		losing++
		tr, err := r.Trace()
		if err != nil {
			t.Fatalf("%s: replay: %v", r.Variant, err)
		}
		if !sameViolations(tr.Violations, r.Counterexample.Violations) {
			t.Errorf("%s: replay found %v, the search found %v", r.Variant, tr.Violations, r.Counterexample.Violations)
		}
		sched, err := ParseSchedule(FormatSchedule(r.Counterexample.Schedule))
		if err != nil || !slices.Equal(sched, r.Counterexample.Schedule) {
			t.Errorf("%s: schedule does not round-trip: %v", r.Variant, err)
		}
		if !strings.Contains(tr.Timeline(), "<-- ") {
			t.Errorf("%s: timeline marks no violation:\n%s", r.Variant, tr.Timeline())
		}
	}
	if losing == 0 {
		t.Fatal("no configuration loses data; the matrix includes the unpatched bug")
	}
}

func sameViolations(a, b []model.Violation) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].Detail != b[i].Detail || a[i].Entry != b[i].Entry {
			return false
		}
	}
	return true
}

// TestDeterministic: the same bounds give the same output, byte for byte,
// apart from the timing line.
func TestDeterministic(t *testing.T) {
	vs, _ := fixes.Matrix([]string{"exclusive", "merged"}, []string{"tick", "none"}, []string{"v6.9"})
	scs, _ := ScenariosByName([]string{"concurrent", "pte-change", "aba"})
	var outs []string
	for _, par := range []int{1, 2} {
		rs, err := Check(Options{Variants: vs, Scenarios: scs, Bounds: DefaultBounds, Parallel: par})
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, regexp.MustCompile(`in [0-9.]+s \([0-9]+ schedules/s\)`).ReplaceAllString(formatted(t, rs, scs), ""))
	}
	if outs[0] != outs[1] {
		t.Fatalf("two runs differ:\n%s\n----\n%s", outs[0], outs[1])
	}
}

func TestScheduleParsing(t *testing.T) {
	for _, bad := range []string{"", "x", "0x", "0x0", "t.y", "-1", "0x100001", "1.2.", "999"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseSchedule(%q): multi-line error", bad)
		}
	}
	s, err := ParseSchedule("0x3.1.t.0")
	if err != nil || !slices.Equal(s, []Choice{0, 0, 0, 1, Tick, 0}) {
		t.Fatalf("ParseSchedule: %v %v", s, err)
	}
	// A schedule naming an actor the scenario lacks, or one that cannot run.
	cfg, _ := Config(variant(t, "merged", "tick", "v6.9"), 0)
	sc, _ := LookupScenario("retry")
	if _, err := Replay(cfg, sc, []Choice{7}); err == nil || !strings.Contains(err.Error(), "actors 0-2") {
		t.Errorf("replay of actor 7: %v", err)
	}
	if _, err := Replay(cfg, sc, []Choice{1, 1, 1}); err == nil || !strings.Contains(err.Error(), "cannot run") {
		t.Errorf("replay past an actor's end: %v", err)
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"0x6.1.t.0x4", "t", "1x2.0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sched, err := ParseSchedule(s)
		if err != nil {
			return
		}
		again, err := ParseSchedule(FormatSchedule(sched))
		if err != nil || !slices.Equal(again, sched) {
			t.Fatalf("%q: format/parse round trip failed: %v", s, err)
		}
	})
}

// TestWalk: random walks are reproducible from their seed and find the
// bug in the big scenario.
func TestWalk(t *testing.T) {
	vs, _ := fixes.Matrix([]string{"exclusive", "merged"}, []string{"tick"}, []string{"v6.9"})
	storm, _ := LookupScenario("storm")
	run := func(seed uint64) string {
		rs, err := Check(Options{Variants: vs, Scenarios: []Scenario{storm}, Bounds: DefaultBounds, Walk: 300, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if rs[0].Verdict != LosesData {
			t.Errorf("exclusive in storm: %s, want loses-data", rs[0].Verdict)
		}
		return regexp.MustCompile(`in [0-9.]+s \([0-9]+ schedules/s\)`).ReplaceAllString(formatted(t, rs, []Scenario{storm}), "")
	}
	if a, b := run(3), run(3); a != b {
		t.Fatalf("same seed, different output:\n%s\n----\n%s", a, b)
	}
	if _, err := Walk(model.Config{}, storm, DefaultBounds, 1, 0); err == nil {
		t.Error("a walk of 0 schedules was accepted")
	}
}

// TestStateLimit: a search that needs more states than its limit stops
// with a LimitError naming the scenario, not by exhausting memory.
func TestStateLimit(t *testing.T) {
	v := variant(t, "merged", "tick", "v6.9")
	s, err := LookupScenario("aba")
	if err != nil {
		t.Fatal(err)
	}
	b := DefaultBounds
	b.MaxStates = 100
	_, err = Check(Options{Variants: []fixes.Variant{v}, Scenarios: []Scenario{s}, Bounds: b})
	var limit *LimitError
	if !errors.As(err, &limit) || limit.MaxStates != 100 || !strings.Contains(err.Error(), "scenario aba: more than 100 states") {
		t.Fatalf("search of aba limited to 100 states: %v", err)
	}
	b.MaxStates = -1
	if err := (Options{Bounds: b}).Validate(); err == nil {
		t.Error("a negative state limit was accepted")
	}
	if n := MaxStatesFor(2); n < 1<<16 {
		t.Errorf("default state limit %d, want at least 65536", n)
	}
}

// TestCheckContextCancel: a cancelled check stops and says so instead of
// finishing the matrix, each search within 4096 states of the cancel.
func TestCheckContextCancel(t *testing.T) {
	vs, err := fixes.Matrix(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CheckContext(ctx, Options{Variants: vs, Scenarios: Scenarios(), Bounds: DefaultBounds}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled check: %v, want context.Canceled", err)
	}
	cfg, err := Config(variant(t, "merged", "tick", "v6.8"), 0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := LookupScenario("aba")
	if err != nil {
		t.Fatal(err)
	}
	full, err := Explore(cfg, s, DefaultBounds)
	if err != nil {
		t.Fatal(err)
	}
	out, err := explore(ctx, cfg, s, DefaultBounds)
	if !errors.Is(err, context.Canceled) || out.States != 4096 || full.States <= 4096 {
		t.Errorf("cancelled search of aba: %v after %d states (%d uncancelled), want context.Canceled after 4096", err, out.States, full.States)
	}
}

// TestTimelineSaysWhatHappened: the March 2024 race's timeline shows the
// failing pte_same as a failure (out_nomap), not as the mapping step.
func TestTimelineSaysWhatHappened(t *testing.T) {
	r := check(t, variant(t, "exclusive", "tick", "v6.9"), "pte-change", 0)
	if r.Verdict != LosesData {
		t.Fatalf("exclusive/tick pte-change: %s, want loses-data", r.Verdict)
	}
	tr, err := r.Trace()
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, ev := range tr.Events {
		steps = append(steps, ev.Step)
	}
	i := slices.Index(steps, "pte_same failed: out_nomap")
	if i < 0 || i+1 >= len(steps) || !strings.HasPrefix(steps[i+1], "out_release") {
		t.Errorf("no failed pte_same followed by out_release in %q", steps)
	}
	last := tr.Events[len(tr.Events)-1]
	if last.Step != model.StepMap.String() || len(last.Violations) == 0 {
		t.Errorf("the lost page is mapped at %q with %v, want at %s", last.Step, last.Violations, model.StepMap)
	}
}

// TestYosrysRace: always-swapcache without the pin loses the page to a
// concurrent fault that checked the swap cache before the add (Yosry
// Ahmed's objection to the RFC); with the pin the RFC is safe there.
func TestYosrysRace(t *testing.T) {
	r := check(t, variant(t, "always-swapcache-nopin", "none", "v6.9"), "concurrent", 0)
	if r.Verdict != LosesData {
		t.Fatalf("always-swapcache-nopin concurrent: %s, want loses-data", r.Verdict)
	}
	tr, err := r.Trace()
	if err != nil {
		t.Fatal(err)
	}
	// One fault adds its folio to the swap cache after the other, the
	// one that maps the lost page, found the swap cache empty.
	added, adder, loser, lookup := -1, -1, -1, -1
	for i, ev := range tr.Events {
		if ev.Step == model.StepBypassAddToSwapCache.String() && added < 0 {
			added, adder = i, ev.Actor
		}
		if len(ev.Violations) > 0 && ev.Actor >= 0 {
			loser = ev.Actor
		}
	}
	for i, ev := range tr.Events {
		if ev.Actor == loser && ev.Step == model.StepSwapCacheGetFolio.String() && lookup < 0 {
			lookup = i
		}
	}
	if added < 0 || loser < 0 || loser == adder || lookup < 0 || lookup > added {
		t.Fatalf("not Yosry's race (add at %d by %d, loser %d looked the swap cache up at %d):\n%s",
			added, adder, loser, lookup, tr.Timeline())
	}
	if r := check(t, variant(t, "always-swapcache", "tick", "v6.9"), "concurrent", 0); r.Verdict != Safe {
		t.Errorf("always-swapcache tick concurrent: %s, want safe", r.Verdict)
	}
}

// formatted is FormatResults of rs with their replayed traces.
func formatted(t *testing.T, rs []Result, scs []Scenario) string {
	t.Helper()
	trs, err := Traces(rs)
	if err != nil {
		t.Fatal(err)
	}
	return FormatResults(rs, trs, scs, DefaultBounds, 1)
}

// TestFormatDoesNotReplay: the formatter prints the traces it is handed
// and does no model work: a result whose schedule could not be replayed
// still prints the given trace.
func TestFormatDoesNotReplay(t *testing.T) {
	r := check(t, variant(t, "exclusive", "tick", "v6.9"), "pte-change", 0)
	trs, err := Traces([]Result{r})
	if err != nil {
		t.Fatal(err)
	}
	want := trs[0].Timeline()
	r.Counterexample.Schedule = []Choice{99} // no actor 99: a replay would fail
	out := FormatResults([]Result{r}, trs, nil, DefaultBounds, 1)
	if !strings.Contains(out, want) {
		t.Errorf("the formatter did not print the trace it was given:\n%s", out)
	}
	if _, err := Traces([]Result{r}); err == nil {
		t.Error("replaying a bad schedule did not fail: the test proves nothing")
	}
}

// TestSummaryShowsProposalsRaces: the summary's timelines are the
// proposals' own races at the sync mode each was proposed with; a pinned
// fix run without its pin is a labelled control with no timeline.
func TestSummaryShowsProposalsRaces(t *testing.T) {
	var vs []fixes.Variant
	for _, s := range []string{"tick", "none"} {
		vs = append(vs, variant(t, "exclusive", s, "v6.9"))
	}
	vs = append(vs, variant(t, "merged", "none", "v6.9"))
	scs, _ := ScenariosByName([]string{"pte-change", "concurrent"})
	rs, err := Check(Options{Variants: vs, Scenarios: scs, Bounds: DefaultBounds})
	if err != nil {
		t.Fatal(err)
	}
	trs, err := Traces(rs)
	if err != nil {
		t.Fatal(err)
	}
	out := FormatSummary(rs, trs, scs, DefaultBounds, 1)
	if !strings.Contains(out, "\nfix=exclusive/sync=tick/kernel=v6.9\n") {
		t.Errorf("no timeline of exclusive at its own sync mode:\n%s", out)
	}
	if strings.Contains(out, "fix=exclusive/sync=none/") || strings.Contains(out, "fix=merged/sync=none/") {
		t.Errorf("a control's timeline in the summary:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^merged +none\* `).MatchString(out) {
		t.Errorf("merged/none is not marked a control:\n%s", out)
	}
}
