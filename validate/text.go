package validate

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/swapbench/swapbench/report"
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
	para(&b, "  ", "kernel base: "+rep.Map.Why[0])
	for _, why := range rep.Map.Why[1:] {
		para(&b, "  ", why)
	}
	if un := in.Unattributed(); len(un) > 0 {
		para(&b, "  ", fmt.Sprintf("the profile does not name the measurements its fitted %s came from (written before it did): rows they came from are not marked fitted", strings.Join(un, ", ")))
	}
	for _, bench := range []string{Swapin, Swapout} {
		rows := rep.rowsOf(bench)
		if len(rows) == 0 {
			continue
		}
		b.WriteString("\n")
		rep.table(&b, bench, rows)
	}
	_, err := io.WriteString(w, b.String())
	return err
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

// rowFormat: path, data, measured, predicted, ratio, flag, cause (up
// to causeWidth characters), fitted: 72 columns.
const (
	rowFormat  = "  %-9s %-8s %8s %9s %5s%1s %-18s %s"
	causeWidth = 18
)

func (rep *Report) table(b *strings.Builder, bench string, rows []*Row) {
	what := "one touch of a swapped-out page"
	if bench == Swapout {
		what = "MADV_PAGEOUT time, both paths' rounds pooled"
	}
	para(b, "", fmt.Sprintf("%s: %s, ns per page (median of the probe's rounds); ratio = predicted / measured, * = off by more than %.0f%%; fitted = a number of the profile was fitted on this row (calibration, not validation):", bench, what, Tolerance*100))
	b.WriteString(strings.TrimRight(fmt.Sprintf(rowFormat, "path", "data", "measured", "predicted", "ratio", "", "likely cause", "fit"), " ") + "\n")
	group := ""
	var held, fitted count
	for _, r := range rows {
		if g := configLabel(r.Config); g != group {
			group = g
			b.WriteString(g + "\n")
		}
		path := r.Config.Path
		if path == "" {
			path = "both"
		}
		data := shorten(r.Config.Data, 8)
		meas := fmt.Sprintf("%.0f", r.Measured)
		if !r.Simulated() {
			line := fmt.Sprintf("  %-9s %-8s %8s  %s", path, data, meas, r.Skip)
			b.WriteString(line + "\n")
			continue
		}
		c, fit := &held, ""
		if len(r.Fitted) > 0 {
			c, fit = &fitted, "fitted"
		}
		c.n++
		flag, cause := "", ""
		if r.Off() {
			flag, cause = "*", "none"
			if r.Cause != nil && r.Cause.Op != "" {
				cause = r.Cause.Op
			}
		} else {
			c.within++
		}
		if len(cause) > causeWidth {
			cause = cause[:causeWidth-1] + "~"
		}
		line := fmt.Sprintf(rowFormat, path, data, meas, fmt.Sprintf("%.0f", r.Predicted), fmt.Sprintf("%.2f", r.Ratio()), flag, cause, fit)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	para(b, "", fmt.Sprintf("Held out (no fitted number came from them; the validation): %d of %d configurations within %.0f%%.", held.within, held.n, Tolerance*100))
	para(b, "", fmt.Sprintf("Fitted (a fitted number came from each; calibration, their agreement is by construction in part): %d of %d within %.0f%%. Not simulated: %d.", fitted.within, fitted.n, Tolerance*100, len(rows)-held.n-fitted.n))
	fittedFrom(b, rows)
	causes(b, rows)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// count is a tally of simulated rows and those within Tolerance.
type count struct{ n, within int }

// fittedFrom lists, per fitted number, the rows of the table it came
// from: all of them when they are few, else how many.
func fittedFrom(b *strings.Builder, rows []*Row) {
	var names []string
	by := map[string][]*Row{}
	for _, r := range rows {
		for _, f := range r.Fitted {
			if _, ok := by[f]; !ok {
				names = append(names, f)
			}
			by[f] = append(by[f], r)
		}
	}
	if len(names) == 0 {
		return
	}
	para(b, "", "Fitted numbers and the rows above they came from:")
	for _, f := range names {
		rs := by[f]
		s := fmt.Sprintf("- %s: %s", f, plural(len(rs), "row"))
		if len(rs) <= 4 {
			var what []string
			for _, r := range rs {
				k := configLabel(r.Config) + " " + r.Config.Data
				if r.Config.Path != "" {
					k = r.Config.Path + " " + k
				}
				what = append(what, k)
			}
			s += " (" + strings.Join(what, "; ") + ")"
		}
		simulated := 0
		for _, r := range rs {
			if r.Simulated() {
				simulated++
			}
		}
		if simulated < len(rs) {
			s += fmt.Sprintf(", %d of them not simulated", len(rs)-simulated)
		}
		para(b, "    ", s+".")
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
			para(b, "    ", fmt.Sprintf("- none (%d rows): no operation fits within x%d of its modelled cost.", len(rs), MaxScale))
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
		s := fmt.Sprintf("- %s (%d rows): its modelled cost x%s closes the gaps, explaining %s of them over %s configurations each; it is %s of the prediction.",
			op, len(rs), span(scale, "%.1f", 1), span(expl, "%.0f%%", 100), ispan(configs), span(share, "%.0f%%", 100))
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
	m := fmt.Sprintf(f, median(v)*k)
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
