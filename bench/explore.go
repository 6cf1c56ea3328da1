package bench

import (
	"fmt"
	"testing"

	"github.com/swapbench/swapbench/explore"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/runner"
)

// Explore is one exhaustive exploration of a scenario for a fix (under its
// own sync mode, on v6.9) within explore.DefaultBounds, per op. It reports
// schedules/s and states/op: the explorer's speed and the size of the
// search.
type Explore struct {
	Fix      string
	Scenario string
}

// Name is the benchmark's key=value name.
func (e Explore) Name() string {
	return fmt.Sprintf("BenchmarkExplore/fix=%s/scenario=%s", e.Fix, e.Scenario)
}

// Run is the benchmark body.
func (e Explore) Run(b *testing.B) {
	f, err := fixes.Lookup(e.Fix)
	if err != nil {
		b.Fatal(err)
	}
	s, err := explore.LookupScenario(e.Scenario)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := explore.Config(fixes.Variant{Fix: f, Sync: f.DefaultSync(), Kernel: model.V6_9}, 0)
	if err != nil {
		b.Fatal(err)
	}
	schedules, states := 0, 0
	for b.Loop() {
		out, err := explore.Explore(cfg, s, explore.DefaultBounds)
		if err != nil {
			b.Fatal(err)
		}
		schedules += out.Schedules
		states += out.States
	}
	b.ReportMetric(float64(schedules)/b.Elapsed().Seconds(), "schedules/s")
	b.ReportMetric(float64(states)/float64(b.N), "states/op")
}

// ExploreCases are benchmarks of the race explorer: every fix on a small
// scenario (retry), a mid-sized one (concurrent) and the largest of the
// default matrix (aba).
func ExploreCases() []runner.Case {
	var cases []runner.Case
	for _, sc := range []string{"retry", "concurrent", "aba"} {
		for _, fx := range fixes.Names() {
			e := Explore{Fix: fx, Scenario: sc}
			cases = append(cases, runner.Case{Name: e.Name(), F: e.Run})
		}
	}
	return cases
}
