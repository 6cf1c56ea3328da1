package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/swapbench/swapbench/explore"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

func cmdCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	fixF := fs.String("fix", "", "comma-separated fixes (default all): "+strings.Join(fixes.Names(), ", "))
	syncF := fs.String("sync", "", "comma-separated sync modes (default each fix's own): none, tick, waitqueue, folio-lock")
	kernelF := fs.String("kernel", "", "comma-separated kernel bases (default all): "+joinBases())
	scenarioF := fs.String("scenario", "", "comma-separated scenarios (default all): "+strings.Join(explore.ScenarioNames(), ", "))
	depth := fs.Int("depth", explore.DefaultBounds.Depth, "most steps in one schedule")
	ticks := fs.Int("ticks", explore.DefaultBounds.Ticks, "most jiffies that may pass in one schedule")
	jsonF := fs.Bool("json", false, "print a JSON array instead of the table")
	replay := fs.String("replay", "", "re-run exactly this schedule (needs one -fix, -sync, -kernel and -scenario)")
	expect := fs.String("expect", "", "exit 1 unless every verdict is this one (safe, loses-data, bug)")
	walk := fs.Int("walk", 0, "instead of exploring every state, run this many random schedules per scenario (for big scenarios such as storm)")
	seed := fs.Uint64("seed", 1, "random walk seed")
	maxStates := fs.Int("max-states", 0, "most states one search may remember (0: from the memory available)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	variants, err := fixes.Matrix(splitList(*fixF), splitList(*syncF), splitList(*kernelF))
	if err != nil {
		return usageError{err}
	}
	scs, err := explore.ScenariosByName(splitList(*scenarioF))
	if err != nil {
		return usageError{err}
	}
	var want explore.Verdict
	if *expect != "" {
		if want, err = explore.ParseVerdict(*expect); err != nil {
			return usageError{err}
		}
	}
	if *replay != "" {
		return replaySchedule(variants, scs, *replay, stdout)
	}
	defer explorerGC()()
	b := explore.Bounds{Depth: *depth, Ticks: *ticks, MaxStates: *maxStates}
	opts := explore.Options{Variants: variants, Scenarios: scs, Bounds: b, Walk: *walk, Seed: *seed}
	if err := opts.Validate(); err != nil {
		return usageError{err}
	}
	start := time.Now()
	var clear func()
	opts.Progress, clear = checkProgress(stderr, len(variants))
	results, err := explore.Check(opts)
	clear()
	var limit *explore.LimitError
	if errors.As(err, &limit) {
		return usageError{err}
	}
	if err != nil {
		return err // a deadlock or failed check is the model's bug, not the user's
	}
	elapsed := time.Since(start)
	if *walk > 0 {
		fmt.Fprintf(stdout, "random walk: %d schedules per scenario, seed %d (not exhaustive)\n", *walk, *seed)
	}
	traces, err := explore.Traces(results)
	if err != nil {
		return err
	}
	if *jsonF {
		if err := writeJSON(stdout, results, traces, b); err != nil {
			return err
		}
	} else {
		fmt.Fprint(stdout, explore.FormatResults(results, traces, scs, b, elapsed))
	}
	if want != "" {
		for _, r := range results {
			if r.Verdict != want {
				return fmt.Errorf("-expect %s: %s is %s", want, r.Variant, r.Verdict)
			}
		}
	}
	return nil
}

func replaySchedule(variants []fixes.Variant, scs []explore.Scenario, sched string, stdout io.Writer) error {
	if len(variants) != 1 || len(scs) != 1 {
		return usagef("-replay needs exactly one fix, sync mode, kernel base and scenario; got %d variants and %d scenarios", len(variants), len(scs))
	}
	s, err := explore.ParseSchedule(sched)
	if err != nil {
		return usageError{err}
	}
	cfg, err := explore.Config(variants[0], 0)
	if err != nil {
		return usageError{err}
	}
	tr, err := explore.Replay(cfg, scs[0], s)
	if err != nil {
		return usageError{err}
	}
	fmt.Fprintf(stdout, "%s scenario=%s schedule %s\n\n%s", variants[0], scs[0].Name, sched, tr.Timeline())
	if len(tr.Violations) == 0 {
		fmt.Fprintln(stdout, "\nno violation")
	}
	return nil
}

type jsonResult struct {
	Fix         string         `json:"fix"`
	Sync        string         `json:"sync"`
	Kernel      string         `json:"kernel"`
	Verdict     string         `json:"verdict"`
	Schedules   int            `json:"schedules"`
	States      int            `json:"states"`
	Bounds      string         `json:"bounds"`
	Scenario    string         `json:"scenario,omitempty"`
	Replay      string         `json:"replay,omitempty"`
	Trace       string         `json:"trace"`
	Violations  []string       `json:"violations,omitempty"`
	PerScenario map[string]int `json:"schedules_per_scenario"`
}

func writeJSON(w io.Writer, results []explore.Result, traces []*explore.Trace, b explore.Bounds) error {
	out := make([]jsonResult, 0, len(results))
	for i, r := range results {
		j := jsonResult{
			Fix: r.Variant.Fix.Name, Sync: r.Variant.Sync.String(), Kernel: r.Variant.Kernel.String(),
			Verdict: string(r.Verdict), Schedules: r.Schedules(), Bounds: b.String(), Scenario: r.Scenario,
			Replay: r.ReplayCommand(), PerScenario: map[string]int{},
		}
		for _, o := range r.Outcomes {
			j.States += o.States
			j.PerScenario[o.Scenario] = o.Schedules
		}
		if tr := traces[i]; tr != nil {
			j.Trace = tr.Timeline()
			for _, v := range tr.Violations {
				j.Violations = append(j.Violations, v.String())
			}
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// checkProgress returns the explorer's progress callback, which redraws
// one line on stderr with the configurations done and an ETA, and the
// function that clears it; both do nothing unless stderr is a terminal.
func checkProgress(stderr io.Writer, total int) (func(done, total int, r *explore.Result), func()) {
	if !isTerminal(stderr) {
		return nil, func() {}
	}
	start := time.Now()
	fmt.Fprintf(stderr, "check: 0/%d configurations ETA ?", total)
	return func(done, total int, r *explore.Result) {
			fmt.Fprintf(stderr, "\r\033[Kcheck: %d/%d configurations ETA %s: %s %s", done, total,
				etaOf(time.Since(start), done, total), r.Variant, r.Verdict)
		}, func() {
			fmt.Fprint(stderr, "\r\033[K")
		}
}

// etaOf estimates the time left from the time spent on done of total
// equal-weight items.
func etaOf(spent time.Duration, done, total int) string {
	if done == 0 {
		return "?"
	}
	return (spent / time.Duration(done) * time.Duration(total-done)).Round(time.Second).String()
}

// explorerGC tunes the collector for the explorer, which allocates a
// clone per branch and keeps little: no collection until the heap
// reaches a quarter of the memory available, at least 256 MiB and at
// most 1 GiB (1 GiB when it cannot be read). On the default check (2
// cores, 24 GiB) GOGC=400 took 113 s at a peak RSS of 0.25 GB; this, 94 s
// at 1.0 GB; a 512 MiB limit 105 s, a 2 GiB one 106 s. It returns the
// function that puts the collector back.
func explorerGC() (restore func()) {
	limit := int64(1 << 30)
	if avail := model.MemAvailable(); avail > 0 {
		limit = min(max(avail/4, 256<<20), 1<<30)
	}
	oldLimit := debug.SetMemoryLimit(limit)
	oldPercent := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	}
}
