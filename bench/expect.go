package bench

import (
	"fmt"
	"sync"

	"github.com/swapbench/swapbench/explore"
	"github.com/swapbench/swapbench/fixes"
)

// scenario is the race explorer's scenario that stages the event's race:
// what the explorer must find the variant losing data in for a benchmark
// of the event to lose data and pass. "" is a swapin that nothing races.
func (e Event) scenario() string {
	switch e {
	case EventRetry:
		return "retry"
	case EventPTEChange:
		return "pte-change"
	case EventStoreFail:
		return "store-fail"
	}
	return ""
}

// parallelScenario stages ParallelSwapin's race: two CPUs fault on one
// swap PTE.
const parallelScenario = "concurrent"

type verdictKey struct {
	variant  string
	scenario string
}

type verdictOnce struct {
	once sync.Once
	loss bool
	err  error
}

// verdicts caches the explorer's findings by variant and scenario: each
// is explored once per process, whatever the number of benchmarks.
var verdicts sync.Map // verdictKey -> *verdictOnce

// lossExpected reports whether the race explorer, within its default
// bounds, finds a schedule of scenario in which v breaks an invariant
// (loses data, or worse): whether a benchmark that stages the scenario's
// race may see violations. No scenario means no race, and no loss is
// expected. It is the explorer's verdict, not a list kept by hand.
func lossExpected(v fixes.Variant, scenario string) (bool, error) {
	if scenario == "" {
		return false, nil
	}
	vo, _ := verdicts.LoadOrStore(verdictKey{v.String(), scenario}, &verdictOnce{})
	o := vo.(*verdictOnce)
	o.once.Do(func() {
		s, err := explore.LookupScenario(scenario)
		if err != nil {
			o.err = err
			return
		}
		cfg, err := explore.Config(v, 0)
		if err != nil {
			o.err = err
			return
		}
		out, err := explore.Explore(cfg, s, explore.DefaultBounds)
		if err != nil {
			o.err = fmt.Errorf("%s: exploring %s: %w", v, scenario, err)
			return
		}
		o.loss = len(out.Found) > 0
	})
	return o.loss, o.err
}

// checkLoss fails a benchmark run (name) that saw violations the race
// explorer does not find for v in scenario.
func checkLoss(name string, v fixes.Variant, scenario string, violations, lost int, first any) error {
	if violations == 0 {
		return nil
	}
	loss, err := lossExpected(v, scenario)
	if err != nil {
		return err
	}
	if !loss {
		return fmt.Errorf("%s: %d violations (%d pages lost) in a variant the race explorer calls safe under %q; first: %v", name, violations, lost, scenario, first)
	}
	return nil
}
