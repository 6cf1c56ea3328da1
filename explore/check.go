package explore

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

// Verdict is the explorer's answer for one configuration.
type Verdict string

// The verdicts.
const (
	// Safe: no violation in any schedule within the bounds.
	Safe Verdict = "safe"
	// LosesData: some schedule maps bytes other than the last written.
	LosesData Verdict = "loses-data"
	// Broken: no data was seen lost, but a schedule broke an invariant
	// (use after free, double free, leak, inconsistent counts).
	Broken Verdict = "bug"
)

// ParseVerdict parses a verdict name.
func ParseVerdict(s string) (Verdict, error) {
	for _, v := range []Verdict{Safe, LosesData, Broken} {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("verdict %q: unknown; want one of bug, loses-data, safe", s)
}

// Result is the verdict for one variant over the scenarios checked.
type Result struct {
	Variant  fixes.Variant
	Verdict  Verdict
	Outcomes []Outcome // one per scenario, in scenario order
	// Scenario and Counterexample are the losing scenario and its best
	// counterexample (fewest preemptions, then fewest steps), if any.
	Scenario       string
	Counterexample *Counterexample
	Elapsed        time.Duration
}

// Schedules totals the schedules explored.
func (r *Result) Schedules() int {
	n := 0
	for _, o := range r.Outcomes {
		n += o.Schedules
	}
	return n
}

// Options say what to check.
type Options struct {
	Variants  []fixes.Variant
	Scenarios []Scenario
	Bounds    Bounds
	// Mutations seeds bugs into the model (self-test).
	Mutations model.Mutation
	// Parallel is how many configurations run at once (default GOMAXPROCS).
	Parallel int
	// Walk, if positive, replaces the exhaustive search by Walk random
	// schedules per scenario from Seed.
	Walk int
	Seed uint64
	// Progress, if set, is called after each variant is checked, with
	// how many are done and what it was; calls come one at a time.
	Progress func(done, total int, r *Result)
}

// Config is the model configuration the explorer uses for a variant.
func Config(v fixes.Variant, mut model.Mutation) (model.Config, error) {
	cfg, err := v.Config(model.Config{Backend: model.BackendZswapZram, SwapPages: 64, ZswapCodec: "lz4", ZramCodec: "lz4"})
	cfg.Mutations = mut
	return cfg, err
}

// Validate reports bad options (bounds, walk count) in one line; Check
// calls it first.
func (o Options) Validate() error {
	if err := o.Bounds.validate(); err != nil {
		return err
	}
	if o.Walk != 0 {
		return validWalk(o.Walk)
	}
	return nil
}

// Check explores every variant under every scenario. Results come back in
// variant order, whatever the parallelism.
func Check(o Options) ([]Result, error) { return CheckContext(context.Background(), o) }

// CheckContext is Check that stops soon after ctx is done, returning
// ctx.Err().
func CheckContext(ctx context.Context, o Options) ([]Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	par := o.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	if o.Bounds.MaxStates == 0 {
		o.Bounds.MaxStates = MaxStatesFor(par)
	}
	results := make([]Result, len(o.Variants))
	errs := make([]error, len(o.Variants))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex // serialises Progress
	done := 0
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i], errs[i] = checkOne(ctx, o.Variants[i], o)
				if o.Progress != nil && errs[i] == nil {
					mu.Lock()
					done++
					o.Progress(done, len(o.Variants), &results[i])
					mu.Unlock()
				}
			}
		}()
	}
	for i := range o.Variants {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.Variants[i], err)
		}
	}
	return results, nil
}

func checkOne(ctx context.Context, v fixes.Variant, o Options) (Result, error) {
	start := time.Now()
	cfg, err := Config(v, o.Mutations)
	if err != nil {
		return Result{}, err
	}
	r := Result{Variant: v, Verdict: Safe}
	for _, s := range o.Scenarios {
		var out Outcome
		if o.Walk > 0 {
			out, err = walk(ctx, cfg, s, o.Bounds, o.Seed, o.Walk)
		} else {
			out, err = explore(ctx, cfg, s, o.Bounds)
		}
		if err != nil {
			return Result{}, err
		}
		r.Outcomes = append(r.Outcomes, out)
		if ce := out.Counterexample; ce != nil && ce.better(r.Counterexample) {
			r.Scenario, r.Counterexample = s.Name, ce
			r.Verdict = Broken
			if ce.LosesData() {
				r.Verdict = LosesData
			}
		}
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// Found totals the violating schedules by kind over all scenarios.
func (r *Result) Found() map[model.ViolationKind]int {
	m := map[model.ViolationKind]int{}
	for _, o := range r.Outcomes {
		for k, n := range o.Found {
			m[k] += n
		}
	}
	return m
}

// ReplayCommand is the one-line command that re-runs r's counterexample.
func (r *Result) ReplayCommand() string {
	if r.Counterexample == nil {
		return ""
	}
	return fmt.Sprintf("swapbench check -fix %s -sync %s -kernel %s -scenario %s -replay %s",
		r.Variant.Fix.Name, r.Variant.Sync, r.Variant.Kernel, r.Scenario, FormatSchedule(r.Counterexample.Schedule))
}

// ScenariosByName resolves scenario names (all if none).
func ScenariosByName(names []string) ([]Scenario, error) {
	if len(names) == 0 {
		return Scenarios(), nil
	}
	var out []Scenario
	for _, n := range names {
		s, err := LookupScenario(strings.TrimSpace(n))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
