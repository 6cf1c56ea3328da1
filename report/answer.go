package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// A Proposal is one fix as the answer lists it: under the sync mode it
// was proposed with.
type Proposal struct {
	Fix, Sync string
	// Baseline marks the fix the others are measured against; Control a
	// configuration shown to explain a verdict, not a proposal.
	Baseline, Control bool
	// Verdict and Scenario are the race explorer's on the answer's
	// kernel base ("" if the explorer did not run); Race says what the
	// losing scenario stages.
	Verdict, Scenario, Race string
}

// An Answer is the top of a report: for each proposal its verdict and
// its modelled cost against the baseline, in one configuration of the
// results (Kernel, Backend, Comp, Data), then the cheapest safe fix and
// what that depends on.
type Answer struct {
	Kernel, Backend, Comp, Data string
	// Event is the FailedSwapin event whose cost is the failure path.
	Event     string
	Proposals []Proposal
	// Bases are the other kernel bases the cheapest fix is checked on.
	Bases []string
	// SyncOn gives a proposal's sync mode on another base (kernel, then
	// fix), where it differs from the one on Kernel: from v6.12 the wait
	// queue is the default, v7.0 has only the swap cache's.
	SyncOn map[string]map[string]string
}

// extras are the per-swapin metrics the answer names when a fix differs
// from the baseline in them, with what they count.
var extras = []struct{ unit, what string }{
	{"zswap-lookups/op", "zswap index lookups"},
	{"swapcache-ops/op", "swap cache adds and deletes"},
	{"dup-B/op", "zswap bytes held twice while the page is resident"},
	{"slot-kept/op", "share of swapins whose folio keeps the slot"},
}

// cost is one proposal's numbers in one configuration; NaN is missing.
type cost struct {
	swapin, failed, raced, recompress float64
	extra                             []float64
}

// costs reads each proposal's numbers on kernel from s.
func (a *Answer) costs(s *Set, kernel string) (map[string]*cost, error) {
	sums, err := s.Summaries("", 0)
	if err != nil {
		return nil, err
	}
	out := map[string]*cost{}
	get := func(fix, sync string) *cost {
		k := fix + "/" + sync
		c := out[k]
		if c == nil {
			nan := math.NaN()
			c = &cost{swapin: nan, failed: nan, raced: nan, recompress: nan, extra: make([]float64, len(extras))}
			for i := range c.extra {
				c.extra[i] = nan
			}
			out[k] = c
		}
		return c
	}
	for _, m := range sums {
		if m.Key("fix") == "" || m.Key("kernel") != kernel || m.Key("comp") != a.Comp {
			continue
		}
		c := get(m.Key("fix"), m.Key("sync"))
		switch m.Base() {
		case "Swapin":
			if m.Key("backend") != a.Backend || m.Key("data") != a.Data {
				continue
			}
			if m.Unit == "kernel-ns/op" {
				c.swapin = m.Center
			}
			for i, x := range extras {
				if m.Unit == x.unit {
					c.extra[i] = m.Center
				}
			}
		case "FailedSwapin":
			if m.Key("data") != a.Data || m.Key("event") != a.Event {
				continue
			}
			switch m.Unit {
			case "kernel-ns/op":
				c.failed = m.Center
			case "recompress-B/op":
				c.recompress = m.Center
			}
		case "ParallelSwapin":
			if m.Key("cpus") == "2" && m.Key("pages") == "shared" && m.Key("pattern") == "sequential" && m.Unit == "raced-page-kernel-ns" {
				c.raced = m.Center
			}
		}
	}
	return out, nil
}

// Lines renders the answer in at most MaxWidth columns.
func (a *Answer) Lines(s *Set) ([]string, error) {
	cs, err := a.costs(s, a.Kernel)
	if err != nil {
		return nil, err
	}
	var base *Proposal
	for i := range a.Proposals {
		if a.Proposals[i].Baseline {
			base = &a.Proposals[i]
		}
	}
	if base == nil {
		return nil, fmt.Errorf("answer: no proposal is the baseline")
	}
	bc := cs[base.Fix+"/"+base.Sync]
	if bc == nil || math.IsNaN(bc.swapin) {
		return nil, fmt.Errorf("answer: no BenchmarkSwapin of %s/%s on %s/%s/%s/%s in the results", base.Fix, base.Sync, a.Kernel, a.Backend, a.Comp, a.Data)
	}
	out := strings.Split(wrap(fmt.Sprintf("Modelled kernel time per swapin on %s, %s, %s, data=%s "+
		"(deterministic), the baseline absolute, the others against it. swapin: a fault that "+
		"succeeds; failed: one failing after its read (%s) and refaulting; raced: one that lost "+
		"its page's race to another CPU.", a.Kernel, a.Backend, a.Comp, a.Data, a.Event), ""), "\n")
	out = append(out, "", fmt.Sprintf("%-30s %-17s %7s %7s %7s", "fix/sync", "verdict", "swapin", "failed", "raced"))
	// The baseline first, then the others in the order given.
	rows := []Proposal{*base}
	for _, p := range a.Proposals {
		if !p.Baseline {
			rows = append(rows, p)
		}
	}
	for _, p := range rows {
		c := cs[p.Fix+"/"+p.Sync]
		name := p.Fix + "/" + p.Sync
		switch {
		case p.Baseline:
			name += " *"
		case p.Control:
			name += " c"
		}
		cell := func(v, b float64) string {
			switch {
			case c == nil || math.IsNaN(v):
				return "n/a"
			case p.Baseline:
				return FormatNS(v)
			case math.IsNaN(b) || b == 0:
				return FormatNS(v)
			}
			return fmt.Sprintf("%+.1f%%", 100*(v-b)/b)
		}
		var sw, fl, rc string
		if c != nil {
			sw, fl, rc = cell(c.swapin, bc.swapin), cell(c.failed, bc.failed), cell(c.raced, bc.raced)
		} else {
			sw, fl, rc = "n/a", "n/a", "n/a"
		}
		out = append(out, fmt.Sprintf("%-30s %-17s %7s %7s %7s", name, verdictCell(p), sw, fl, rc))
	}
	out = append(out, "* baseline (what went in); c control, no proposal.")
	var why []string
	for _, p := range rows {
		if p.Verdict != "" && p.Verdict != "safe" && p.Race != "" {
			why = append(why, strings.Split(wrap("  "+p.Fix+": "+p.Race, "    "), "\n")...)
		}
	}
	if len(why) > 0 {
		out = append(out, "", "Why they lose (the explorer's shortest race; timelines below):")
		out = append(out, why...)
	}
	// What the fixes cost besides time.
	var more []string
	for _, p := range a.Proposals {
		c := cs[p.Fix+"/"+p.Sync]
		if c == nil || p.Baseline {
			continue
		}
		var parts []string
		for i, x := range extras {
			if v, b := c.extra[i], bc.extra[i]; !math.IsNaN(v) && !math.IsNaN(b) && v != b {
				parts = append(parts, fmt.Sprintf("%s %s (%s)", x.unit, fmtNum(v), fmtNum(b)))
			}
		}
		if v, b := c.recompress, bc.recompress; !math.IsNaN(v) && v != b && !math.IsNaN(b) {
			parts = append(parts, fmt.Sprintf("recompress-B/op on failure %s (%s)", fmtNum(v), fmtNum(b)))
		}
		if len(parts) > 0 {
			more = append(more, strings.Split(wrap("  "+p.Fix+": "+strings.Join(parts, ", "), "    "), "\n")...)
		}
	}
	if len(more) > 0 {
		out = append(out, "", fmt.Sprintf("Work and memory per swapin against %s (its value in brackets):", base.Fix))
		out = append(out, more...)
	}
	best, err := a.best(s, cs)
	if err != nil {
		return nil, err
	}
	if best != "" {
		out = append(out, "")
		out = append(out, strings.Split(wrap(best, ""), "\n")...)
	}
	return out, nil
}

func verdictCell(p Proposal) string {
	switch {
	case p.Verdict == "":
		return "unchecked"
	case p.Verdict == "safe":
		return "safe"
	case p.Verdict == "loses-data":
		return "LOSES: " + p.Scenario
	}
	return p.Verdict + ": " + p.Scenario
}

// best names the cheapest safe proposal on the fast path, the failure
// rate above which another safe one is cheaper, and whether the other
// bases agree.
func (a *Answer) best(s *Set, cs map[string]*cost) (string, error) {
	cheapest := func(kernel string, cs map[string]*cost) (string, []string) {
		type row struct {
			name string
			base bool
			c    *cost
		}
		var rows []row
		for _, p := range a.Proposals {
			if p.Control || p.Verdict != "safe" {
				continue
			}
			sync := p.Sync
			if s, ok := a.SyncOn[kernel][p.Fix]; ok {
				sync = s
			}
			if c := cs[p.Fix+"/"+sync]; c != nil && !math.IsNaN(c.swapin) {
				rows = append(rows, row{p.Fix + "/" + sync, p.Baseline, c})
			}
		}
		// Cheapest first; of equals, the baseline.
		sort.SliceStable(rows, func(i, j int) bool {
			if rows[i].c.swapin != rows[j].c.swapin {
				return rows[i].c.swapin < rows[j].c.swapin
			}
			return rows[i].base && !rows[j].base
		})
		var names []string
		for _, r := range rows {
			names = append(names, r.name)
		}
		if len(rows) == 0 {
			return "", nil
		}
		return rows[0].name, names
	}
	first, order := cheapest(a.Kernel, cs)
	if first == "" {
		return "", nil
	}
	f := cs[first]
	var b strings.Builder
	fmt.Fprintf(&b, "Cheapest safe fix on the fast path: %s", first)
	var ties []string
	rest := order[1:]
	for len(rest) > 0 && cs[rest[0]].swapin == f.swapin {
		ties, rest = append(ties, rest[0]), rest[1:]
	}
	switch {
	case len(ties) > 0:
		fmt.Fprintf(&b, " (%s costs the same)", strings.Join(ties, ", "))
	case len(rest) > 0:
		fmt.Fprintf(&b, " (next: %s, %+.1f%%)", rest[0], 100*(cs[rest[0]].swapin-f.swapin)/f.swapin)
	}
	b.WriteString(".")
	// Expected cost per swapin at failure rate r: swapin + r*(failed -
	// swapin); g overtakes f where the two lines cross.
	var over []string
	for _, name := range rest {
		g := cs[name]
		df, dg := f.failed-f.swapin, g.failed-g.swapin
		if math.IsNaN(df) || math.IsNaN(dg) || dg >= df {
			continue
		}
		if r := (g.swapin - f.swapin) / (df - dg); r > 0 && r < 1 {
			over = append(over, fmt.Sprintf("%s above %.2g", name, r))
		}
	}
	if len(over) > 0 {
		fmt.Fprintf(&b, " Cheaper once that share of swapins fails after the read (%s): %s.", a.Event, strings.Join(over, ", "))
	}
	var same, differ []string
	for _, k := range a.Bases {
		other, err := a.costs(s, k)
		if err != nil {
			return "", err
		}
		if o, _ := cheapest(k, other); o == "" {
			continue
		} else if fixOf(o) == fixOf(first) {
			same = append(same, k)
		} else {
			differ = append(differ, k+": "+o)
		}
	}
	if len(same) > 0 {
		fmt.Fprintf(&b, " Same on %s.", strings.Join(same, ", "))
	}
	if len(differ) > 0 {
		fmt.Fprintf(&b, " Elsewhere: %s.", strings.Join(differ, "; "))
	}
	return b.String(), nil
}

// FormatNS writes modelled nanoseconds with a unit: 4418 -> "4.42us".
func FormatNS(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.2fus", v/1e3)
	}
	return fmt.Sprintf("%.0fns", v)
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e6 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// fixOf is the fix of a "fix/sync" name.
func fixOf(name string) string {
	f, _, _ := strings.Cut(name, "/")
	return f
}
