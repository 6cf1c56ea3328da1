package explore

import (
	"fmt"
	"strings"
	"time"

	"github.com/swapbench/swapbench/model"
)

// Trace replays the result's counterexample, or returns nil if it has none.
func (r *Result) Trace() (*Trace, error) {
	if r.Counterexample == nil {
		return nil, nil
	}
	cfg, err := Config(r.Variant, 0)
	if err != nil {
		return nil, err
	}
	s, err := LookupScenario(r.Scenario)
	if err != nil {
		return nil, err
	}
	return Replay(cfg, s, r.Counterexample.Schedule)
}

func formatFound(m map[model.ViolationKind]int) string {
	var parts []string
	for k := model.LostData; k <= model.Leak; k++ {
		if n := m[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	return strings.Join(parts, ", ")
}

// FormatResults renders the verdict table and one counterexample timeline
// per losing configuration, in plain text of at most 72 columns.
func FormatResults(results []Result, scs []Scenario, b Bounds, elapsed time.Duration) string {
	var sb strings.Builder
	names := make([]string, len(scs))
	for i, s := range scs {
		names[i] = s.Name
	}
	states, schedules := 0, 0
	for _, r := range results {
		for _, o := range r.Outcomes {
			states += o.States
			schedules += o.Schedules
		}
	}
	fmt.Fprintf(&sb, "bounds: %s; scenarios: %s\n", b, strings.Join(names, ", "))
	if states > 0 {
		fmt.Fprintf(&sb, "explored %d states, ", states)
	} else {
		sb.WriteString("ran ")
	}
	fmt.Fprintf(&sb, "%d schedules in %.1fs (%.0f schedules/s)\n\n",
		schedules, elapsed.Seconds(), float64(schedules)/max(elapsed.Seconds(), 1e-9))
	fmt.Fprintf(&sb, "%-21s %-10s %-6s %-10s %9s  %s\n", "fix", "sync", "kernel", "verdict", "schedules", "scenario")
	for _, r := range results {
		fmt.Fprintf(&sb, "%-21s %-10s %-6s %-10s %9d  %s\n", r.Variant.Fix.Name, r.Variant.Sync, r.Variant.Kernel,
			r.Verdict, r.Schedules(), r.Scenario)
	}
	for _, r := range results {
		if r.Counterexample == nil {
			continue
		}
		tr, err := r.Trace()
		fmt.Fprintf(&sb, "\n%s: %s in scenario %s (%d steps, %d preemptions)\n",
			r.Variant, r.Verdict, r.Scenario, len(r.Counterexample.Schedule), r.Counterexample.Preemptions)
		if err != nil {
			fmt.Fprintf(&sb, "  replay failed: %v\n", err)
			continue
		}
		sb.WriteString(tr.Timeline())
		fmt.Fprintf(&sb, "replay: %s\n", r.ReplayCommand())
		fmt.Fprintf(&sb, "violating schedules: %s\n", formatFound(r.Found()))
	}
	return sb.String()
}
