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

// Traces replays the counterexample of each result that has one: the
// traces the formatters print, aligned with results (nil where a result
// has none). Formatting itself does no model work.
func Traces(results []Result) ([]*Trace, error) {
	trs := make([]*Trace, len(results))
	for i := range results {
		tr, err := results[i].Trace()
		if err != nil {
			return nil, fmt.Errorf("%s: replaying its counterexample: %w", results[i].Variant, err)
		}
		trs[i] = tr
	}
	return trs, nil
}

// FormatResults renders the verdict table and one counterexample timeline
// per losing configuration, in plain text of at most 72 columns; traces
// are the results' replayed counterexamples (Traces).
func FormatResults(results []Result, traces []*Trace, scs []Scenario, b Bounds, elapsed time.Duration) string {
	return format(results, traces, scs, b, elapsed, false)
}

// FormatSummary is FormatResults with one timeline per fix that loses
// under the sync mode it was proposed with (its best counterexample over
// kernel bases): the proposals' own races, what a report shows. The
// controls' timelines (a pinned fix without its pin) are left to
// `swapbench check`.
func FormatSummary(results []Result, traces []*Trace, scs []Scenario, b Bounds, elapsed time.Duration) string {
	return format(results, traces, scs, b, elapsed, true)
}

// isControl reports whether r is a control, not a proposal: a fix that is
// one (fixes.Fix.Control), or a fix proposed with a pin run without it.
func isControl(r *Result) bool {
	f := r.Variant.Fix
	return f.Control || r.Variant.Sync == model.SyncNone && f.DefaultSync() != model.SyncNone
}

func format(results []Result, traces []*Trace, scs []Scenario, b Bounds, elapsed time.Duration, perFix bool) string {
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
	fmt.Fprintf(&sb, "bounds: %s\n", b)
	sb.WriteString(wrap("scenarios: "+strings.Join(names, ", "), 72, "  "))
	if states > 0 {
		fmt.Fprintf(&sb, "explored %d states, ", states)
	} else {
		sb.WriteString("ran ")
	}
	fmt.Fprintf(&sb, "%d schedules in %.1fs (%.0f schedules/s)\n\n",
		schedules, elapsed.Seconds(), float64(schedules)/max(elapsed.Seconds(), 1e-9))
	w := 20 // the fix column: as wide as the longest name
	controls := false
	for i := range results {
		w = max(w, len(results[i].Variant.Fix.Name))
		controls = controls || isControl(&results[i])
	}
	fmt.Fprintf(&sb, "%-*s %-10s %-5s %-10s %8s  %s\n", w, "fix", "sync", "base", "verdict", "schedules", "scenario")
	for i := range results {
		r := &results[i]
		sync := r.Variant.Sync.String()
		if isControl(r) {
			sync += "*"
		}
		fmt.Fprintf(&sb, "%-*s %-10s %-5s %-10s %8d  %s\n", w, r.Variant.Fix.Name, sync, r.Variant.Kernel,
			r.Verdict, r.Schedules(), r.Scenario)
	}
	if controls {
		sb.WriteString(wrap("* control, not a proposal: a fix proposed with the pin (13ddaf26be32) run without it, or a configuration shown to explain a verdict.", 72, "  "))
	}
	shown := map[string]int{}
	var order []string
	for i := range results {
		r := &results[i]
		if r.Counterexample == nil || perFix && (isControl(r) && !r.Variant.Fix.Control || r.Variant.Sync != r.Variant.Fix.DefaultSyncOn(r.Variant.Kernel)) {
			continue
		}
		key := r.Variant.String()
		if perFix {
			key = r.Variant.Fix.Name
		}
		cur, ok := shown[key]
		if !ok {
			order = append(order, key)
		}
		if !ok || r.Counterexample.better(results[cur].Counterexample) {
			shown[key] = i
		}
	}
	for _, key := range order {
		i := shown[key]
		r := &results[i]
		fmt.Fprintf(&sb, "\n%s", r.Variant)
		if isControl(r) {
			sb.WriteString(" (control)")
		}
		fmt.Fprintf(&sb, "\n%s in scenario %s (%d steps, %d preemptions)\n",
			r.Verdict, r.Scenario, len(r.Counterexample.Schedule), r.Counterexample.Preemptions)
		if i >= len(traces) || traces[i] == nil {
			sb.WriteString("  (no replayed trace)\n")
			continue
		}
		sb.WriteString(traces[i].Timeline())
		sb.WriteString("replay:\n" + shellWrap(r.ReplayCommand(), 72))
		fmt.Fprintf(&sb, "violating schedules: %s\n", formatFound(r.Found()))
	}
	return sb.String()
}

// shellWrap breaks a command line into backslash-continued lines of at
// most width columns, so that it still pastes into a shell.
func shellWrap(cmd string, width int) string {
	var sb strings.Builder
	line := "  "
	for i, w := range strings.Fields(cmd) {
		if i > 0 {
			if len(line)+1+len(w)+2 > width {
				sb.WriteString(line + " \\\n")
				line = "    " + w
				continue
			}
			line += " "
		}
		line += w
	}
	sb.WriteString(line + "\n")
	return sb.String()
}

// wrap breaks s at spaces into lines of at most width columns, indenting
// continuation lines.
func wrap(s string, width int, indent string) string {
	var sb strings.Builder
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) > width:
			sb.WriteString(line + "\n")
			line = indent + w
		default:
			line += " " + w
		}
	}
	sb.WriteString(line + "\n")
	return sb.String()
}
