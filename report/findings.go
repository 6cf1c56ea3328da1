package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"
)

// Findings returns at most n sentences stating the largest significant
// differences from the baseline, each with its numbers: the change of
// the median, both medians in the unit the input used, the p-value and
// the sample sizes. It names at most one row per benchmark, unit and
// column: the one with the largest change. With no significant
// difference it says so in one sentence.
//
// Units take turns, in this order: lost pages, modelled kernel time,
// measured time, then the others as they appear; within a unit the
// larger change of the median comes first (a change from or to zero
// counts as the largest).
func (c *Comparison) Findings(n int) []string {
	type finding struct {
		unit  string
		score float64
		text  string
	}
	best := map[string]finding{}
	var order []string
	for _, t := range c.Tables {
		unit := t.OrigUnit
		if unit == "" {
			unit = t.Unit
		}
		_, factor := unitFactor(unit)
		for _, r := range t.Rows {
			for ci, cell := range r.Cells {
				if cell == nil || !cell.Significant() {
					continue
				}
				old, now := cell.Base.Summary.Center, cell.Summary.Center
				score := math.Inf(1)
				if old != 0 && now != 0 {
					score = math.Abs(math.Log(now / old))
				}
				col, base, where := t.Cols[ci], t.Cols[0], describe(r.Key)
				stat := fmt.Sprintf("p=%.3f n=%d", cell.Cmp.P, cell.Cmp.N2)
				if cell.Cmp.N1 != cell.Cmp.N2 {
					stat = fmt.Sprintf("p=%.3f n=%d+%d", cell.Cmp.P, cell.Cmp.N1, cell.Cmp.N2)
				}
				if cell.exact() {
					// The same value in every round: no test to quote.
					stat = "deterministic"
				}
				label := unit
				if unit == "ns/op" {
					// Measured, and of the simulator: it ranks paths.
					label = "simulator ns/op"
				}
				var text string
				switch {
				case old == 0 || now == 0:
					text = fmt.Sprintf("%s has %s %s where %s has %s on %s (medians, %s).",
						col, num(now/factor), label, base, num(old/factor), where, stat)
				case now > old:
					text = fmt.Sprintf("%s costs %s %s over %s on %s (%s -> %s, %s).",
						col, cell.Change(), label, base, where, num(old/factor), num(now/factor), stat)
				default:
					text = fmt.Sprintf("%s takes %s %s against %s on %s (%s -> %s, %s).",
						col, cell.Change(), label, base, where, num(old/factor), num(now/factor), stat)
				}
				key := t.Name + "\x00" + t.Unit + "\x00" + col
				if f, ok := best[key]; !ok || score > f.score {
					if !ok {
						order = append(order, key)
					}
					best[key] = finding{unit, score, text}
				}
			}
		}
	}
	if len(order) == 0 {
		base := "the baseline"
		if len(c.Tables) > 0 {
			base = c.Tables[0].Cols[0]
		}
		return []string{fmt.Sprintf("No column differs significantly from %s in any measurement (Mann-Whitney U test, p > %s).",
			base, strconv.FormatFloat(c.Alpha, 'f', -1, 64))}
	}
	// Take the largest change of each unit in turn, units by
	// priority, until n are taken.
	byUnit := map[string][]finding{}
	var units []string
	for _, k := range order {
		f := best[k]
		if _, ok := byUnit[f.unit]; !ok {
			units = append(units, f.unit)
		}
		byUnit[f.unit] = append(byUnit[f.unit], f)
	}
	sort.SliceStable(units, func(i, j int) bool { return unitRank(units[i]) < unitRank(units[j]) })
	for _, u := range units {
		l := byUnit[u]
		sort.SliceStable(l, func(i, j int) bool { return l[i].score > l[j].score })
	}
	var out []string
	for round := 0; len(out) < n; round++ {
		took := false
		for _, u := range units {
			if l := byUnit[u]; round < len(l) && len(out) < n {
				out = append(out, l[round].text)
				took = true
			}
		}
		if !took {
			break
		}
	}
	return out
}

// unitRank orders units for findings: lost data first, then modelled
// kernel time, then measured time, then the rest as they came.
func unitRank(unit string) int {
	switch {
	case strings.Contains(unit, "lost"):
		return 0
	case strings.HasPrefix(unit, "kernel-"):
		return 1
	case unit == "ns/op" || unit == "sec/op":
		return 2
	}
	return 3
}

// unitFactor returns the tidied unit and the factor that converts a
// value in unit to it.
func unitFactor(unit string) (string, float64) {
	factor, tidy := benchunit.Tidy(1, unit)
	return tidy, factor
}

// describe turns a benchmark name into words: its base name and its
// key=value parts, without the GOMAXPROCS suffix.
func describe(name string) string {
	base, parts := benchfmt.Name(name).Parts()
	words := []string{string(base)}
	for _, p := range parts {
		if p[0] == '/' {
			words = append(words, string(p[1:]))
		}
	}
	return strings.Join(words, " ")
}

func describeBase(name string) string {
	base, _ := benchfmt.Name(name).Parts()
	return string(base)
}

// num formats a number in the input's unit: whole numbers as they are,
// others with three or four significant digits.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case v == math.Trunc(v) && a < 1e15:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}
