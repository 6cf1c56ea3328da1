package validate

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/probe"
	"github.com/swapbench/swapbench/report"
	"github.com/swapbench/swapbench/workloads"
)

// WriteText writes the report: what was compared and how it was mapped,
// then per benchmark a table of measured against predicted time with the
// ratio and, for rows off by more than Tolerance, the likely cause,
// followed by what each cause's fit says. Lines are at most
// report.MaxWidth columns.
func (rep *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	in := rep.In
	para(&b, "", fmt.Sprintf("swapbench validate: the simulator's modelled kernel time (kernel-ns/op) against swapbench probe's measured time per page on Linux %s.", in.Kernel))
	para(&b, "  ", fmt.Sprintf("probe: %s (%d configurations)", in.ProbeFile, len(in.Results)))
	para(&b, "  ", fmt.Sprintf("profile: %s (%s)", in.Profile.Name, in.ProfileFile))
	para(&b, "  ", "conditions: "+strings.Join(in.Conditions, "; "))
	if c := condSpan(in.Results); c != "" {
		para(&b, "  ", c)
	}
	para(&b, "  ", "kernel base: "+rep.Map.Why[0])
	for _, why := range rep.Map.Why[1:] {
		para(&b, "  ", why)
	}
	para(&b, "  ", fmt.Sprintf("held out: each row is predicted under the profile fitted again (swapbench probe's fit, with the simulator, from base %s) on every configuration but the row's own (leave-one-out); in-sample: under the profile above, fitted on all of them", in.Base.Name))
	if len(rep.Differs) == 0 {
		para(&b, "  ", fmt.Sprintf("refitted on all %d configurations, the profile comes out as above, within the results file's rounding", len(in.Results)))
	} else {
		var ds []string
		for _, d := range rep.Differs {
			ds = append(ds, d.String())
		}
		para(&b, "  ", fmt.Sprintf("refitted on all %d configurations, the profile differs from the one above (refit vs profile): %s; the held-out fits are refits, so compare held out with in-sample with care", len(in.Results), strings.Join(ds, "; ")))
	}
	for _, bench := range []string{Swapin, Swapout} {
		rows := rep.rowsOf(bench)
		if len(rows) == 0 {
			continue
		}
		b.WriteString("\n")
		rep.table(&b, bench, rows)
	}
	b.WriteString("\n")
	rep.faultLine(&b)
	b.WriteString("\n")
	rep.diffTable(&b)
	b.WriteString("\n")
	para(&b, "", rep.Summary())
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is the headline: configurations and differences within
// Tolerance when held out.
func (rep *Report) Summary() string {
	var held, n int
	for _, r := range rep.rowsOf(Swapin) {
		if r.Simulated() {
			n++
			if !r.Off() {
				held++
			}
		}
	}
	within, sim := rep.DiffCount()
	return fmt.Sprintf("Summary: held out, %d of %d differences within %.0f%% or within their interval; %d of %d swapin configurations within %.0f%%.", within, sim, Tolerance*100, held, n, Tolerance*100)
}

// condSpan summarises the per-configuration conditions: the range of
// the load average before and after the rounds, the most steal and
// other tasks' share any configuration saw.
func condSpan(results []*probe.Result) string {
	var loads []float64
	var steal, other float64
	n := 0
	for _, r := range results {
		if c := r.Cond; c != nil {
			n++
			loads = append(loads, c.LoadBefore...)
			loads = append(loads, c.LoadAfter...)
			steal, other = max(steal, c.StealPct), max(other, c.OtherPct)
		}
	}
	if n == 0 {
		return "per configuration: not recorded (a results file from before the probe recorded its conditions)"
	}
	return fmt.Sprintf("per configuration (%d): 1-minute load %.2f-%.2f before and after its rounds, steal up to %.1f%% and other tasks up to %.1f%% of the pinned CPU", n, slices.Min(loads), slices.Max(loads), steal, other)
}

// faultLine sets the fitted do_swap_page beside the measured fault that
// does no swap work and says what the rest is.
func (rep *Report) faultLine(b *strings.Builder) {
	bl := probe.Baselines(rep.In.Results)
	fit := rep.All.Ops[model.OpFault]
	if bl.MinorFault <= 0 {
		para(b, "", fmt.Sprintf("do_swap_page: fitted %.0f ns per fault; these results carry no baseline fault (written before the probe measured one), so nothing says how much of it is the fault itself.", fit.Base))
		return
	}
	ratio := fit.Base / bl.MinorFault
	s := fmt.Sprintf("do_swap_page: fitted %.0f ns per fault (refit on all configurations); the measured baseline, a minor fault that does no swap work, is %.0f ns (x%.2f), a first-touch anonymous fault %.0f ns; the per-folio timer's control is %.0f ns.", fit.Base, bl.MinorFault, ratio, bl.AnonFault, bl.Timer)
	if ratio > 2 {
		alloc := 0.0
		for _, op := range []model.Op{model.OpFolioAlloc, model.OpMemcgCharge, model.OpFillPage, model.OpLRUAdd} {
			c := rep.All.Ops[op]
			alloc += c.Base
			if op == model.OpFillPage {
				alloc += c.Per * workloads.PageSize
			}
		}
		s += fmt.Sprintf(" The rest, %.0f ns, is per-fault time of the zero-page swapins that the model's itemised steps (swapcache_prepare, folio_alloc, memcg_charge, the zero fill, rmap, LRU, swap_free at the profile's prices) do not account for on this machine, carried by the fit as one constant. For scale: the anonymous fault (allocate, zero, charge, LRU) cost %.0f ns over the minor fault here, where the profile charges %.0f ns for folio_alloc, memcg_charge, the zero fill and folio_add_lru.", fit.Base-bl.MinorFault, bl.AnonFault-bl.MinorFault, alloc)
	} else {
		s += " Within 2x: the fit prices the fault, not an invented constant."
	}
	para(b, "", s)
}

func (rep *Report) rowsOf(bench string) []*Row {
	var rows []*Row
	for _, r := range rep.Rows {
		if r.Bench == bench {
			rows = append(rows, r)
		}
	}
	return rows
}

// rowFormat: path, data, measured, held-out prediction, its ratio and
// flag, in-sample prediction, likely cause (up to causeWidth
// characters): 72 columns.
const (
	rowFormat  = "  %-9s %-7s %8s %4s %8s %4s%1s %9s %s"
	headFormat = "  %-9s %-7s %8s %4s %8s %5s %9s %s" // ratio over ratio and flag
	causeWidth = 13
)

func (rep *Report) table(b *strings.Builder, bench string, rows []*Row) {
	what := "one touch of a swapped-out page"
	if bench == Swapout {
		what = "MADV_PAGEOUT time, both paths' rounds pooled"
	}
	para(b, "", fmt.Sprintf("%s: %s, ns per page (median of the probe's rounds); ±%% = half the range of the rounds over that median, the row's noise; held-out = predicted with this configuration left out of the fit, ratio = held-out / measured, * = off by more than %.0f%%, with its likely cause; in-sample = predicted under the profile fitted on all configurations, for comparison:", bench, what, Tolerance*100))
	b.WriteString(fmt.Sprintf(headFormat, "path", "data", "measured", "±%", "held-out", "ratio", "in-sample", "likely cause") + "\n")
	group := ""
	var held, in count
	for _, r := range rows {
		if g := configLabel(r.Config); g != group {
			group = g
			b.WriteString(g + "\n")
		}
		path := r.Config.Path
		if path == "" {
			path = "both"
		}
		data := shorten(r.Config.Data, 7)
		meas := fmt.Sprintf("%.0f", r.Measured)
		if !r.Simulated() {
			line := fmt.Sprintf("  %-9s %-7s %8s %4s  %s", path, data, meas, spread(r.Spread), shorten(r.Skip, 37))
			b.WriteString(line + "\n")
			continue
		}
		held.n++
		in.n++
		if !outside(r.InSampleRatio()) {
			in.within++
		}
		flag, cause := "", ""
		if r.Off() {
			flag, cause = "*", "none"
			if r.Cause != nil && r.Cause.Op != "" {
				cause = r.Cause.Op
			}
		} else {
			held.within++
		}
		if len(cause) > causeWidth {
			cause = cause[:causeWidth-1] + "~"
		}
		line := fmt.Sprintf(rowFormat, path, data, meas, spread(r.Spread), fmt.Sprintf("%.0f", r.Predicted), ratio(r.Ratio()), flag, fmt.Sprintf("%.0f", r.InSample), cause)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	para(b, "", fmt.Sprintf("Held out: %d of %d configurations within %.0f%% when left out of the fit.", held.within, held.n, Tolerance*100))
	para(b, "", fmt.Sprintf("In-sample (fitted on all of them, for comparison): %d of %d within %.0f%%. Not simulated: %d.", in.within, in.n, Tolerance*100, len(rows)-held.n))
	rep.refits(b, rows)
	causes(b, rows)
}

// spread formats a row's spread, half the range of its rounds over
// their median, in percent, in four columns.
func spread(pct float64) string {
	if pct >= 99.5 {
		return ">99"
	}
	return fmt.Sprintf("±%.0f", pct)
}

// ratio formats a ratio in four columns.
func ratio(x float64) string {
	switch {
	case x < 9.995:
		return fmt.Sprintf("%.2f", x)
	case x < 99.95:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.0f", x)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// count is a tally of simulated rows and those within Tolerance.
type count struct{ n, within int }

// refits says, per number the held-out fits of rows moved, in how many
// of them and over what range, against the fit on every configuration:
// how much each number leans on single configurations.
func (rep *Report) refits(b *strings.Builder, rows []*Row) {
	var names []string
	vals := map[string][]float64{}
	all := map[string]float64{}
	n := 0
	for _, r := range rows {
		if r.Held == nil {
			continue
		}
		n++
		for _, d := range diff(r.Held, rep.All, exact) {
			if _, ok := vals[d.Name]; !ok {
				names = append(names, d.Name)
			}
			vals[d.Name] = append(vals[d.Name], d.A)
			all[d.Name] = d.B
		}
	}
	if n == 0 {
		return
	}
	if len(names) == 0 {
		para(b, "", fmt.Sprintf("No held-out fit moved a number of the fit on all configurations (%s).", plural(n, "refit")))
		return
	}
	para(b, "", fmt.Sprintf("Numbers the %s moved (range over the fits that moved it; the fit on all configurations in brackets):", plural(n, "held-out refit")))
	for _, name := range names {
		v := vals[name]
		lo, hi := slices.Min(v), slices.Max(v)
		r := num(lo)
		if num(hi) != r {
			r += " to " + num(hi)
		}
		para(b, "    ", fmt.Sprintf("- %s: %d of %d, %s (%s).", name, len(v), n, r, num(all[name])))
	}
}

// causes summarises the fits behind the likely-cause column: per cause,
// how many rows it explains, the scale its cost would need (median and
// range) and how much of the gaps the fit explains.
func causes(b *strings.Builder, rows []*Row) {
	by := map[string][]*Row{}
	var names []string
	for _, r := range rows {
		if !r.Off() || r.Cause == nil {
			continue
		}
		op := r.Cause.Op
		if op == "" {
			op = "none"
		}
		if _, ok := by[op]; !ok {
			names = append(names, op)
		}
		by[op] = append(by[op], r)
	}
	if len(names) == 0 {
		return
	}
	sort.SliceStable(names, func(i, j int) bool { return len(by[names[i]]) > len(by[names[j]]) })
	para(b, "", fmt.Sprintf("Likely cause: the modelled operation whose cost, scaled by one factor, best fits the gaps (measured - predicted) of the row and of the simulated configurations one key away from it; factors above x%d are not considered.", MaxScale))
	for _, op := range names {
		rs := by[op]
		if op == "none" {
			para(b, "    ", fmt.Sprintf("- none (%s): no operation fits within x%d of its modelled cost.", plural(len(rs), "row"), MaxScale))
			continue
		}
		var scale, expl, share []float64
		var configs []int
		var inStep []string
		for _, r := range rs {
			scale = append(scale, r.Cause.Scale)
			expl = append(expl, r.Cause.Explained)
			share = append(share, r.share(op)/r.Predicted)
			configs = append(configs, r.Cause.Configs)
			for _, s := range r.Cause.InStep {
				if !slices.Contains(inStep, s) {
					inStep = append(inStep, s)
				}
			}
		}
		s := fmt.Sprintf("- %s (%s): its modelled cost x%s closes the gaps, explaining %s of them over %s configurations each; it is %s of the prediction.",
			op, plural(len(rs), "row"), span(scale, "%.1f", 1), span(expl, "%.0f%%", 100), ispan(configs), span(share, "%.0f%%", 100))
		if len(inStep) > 0 {
			s += " The same pattern (the data cannot tell them apart): " + strings.Join(inStep, ", ") + "."
		}
		para(b, "    ", s)
	}
}

// span is the median of v with its range when they differ, each
// formatted with f after multiplying by k.
func span(v []float64, f string, k float64) string {
	lo, hi := slices.Min(v), slices.Max(v)
	m := fmt.Sprintf(f, probe.Median(v)*k)
	if fmt.Sprintf(f, lo*k) == fmt.Sprintf(f, hi*k) {
		return m
	}
	return fmt.Sprintf("%s (%s-%s)", m, strings.TrimPrefix(fmt.Sprintf(f, lo*k), "x"), fmt.Sprintf(f, hi*k))
}

func ispan(v []int) string {
	lo, hi := slices.Min(v), slices.Max(v)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// para writes s wrapped at report.MaxWidth; with an indent, the first
// line is indented two columns less than the rest.
func para(b *strings.Builder, indent, s string) {
	first := ""
	if indent != "" {
		first = indent[2:]
	}
	b.WriteString(report.Wrap(first+strings.Join(strings.Fields(s), " "), indent) + "\n")
}
