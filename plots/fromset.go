package plots

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/report"
)

// barFigures are the bar charts of BenchmarkSwapin, by unit.
var barFigures = []struct {
	unit, name, what, ylabel string
}{
	{"kernel-ns/op", "swapin-kernel-time", "modelled kernel time", "modelled kernel time per swapin"},
	{"ns/op", "swapin-sim-time", "measured simulator time", "measured simulator time per swapin"},
	{"dup-B/op", "dup-memory", "duplicate compressed memory", "duplicate memory per swapin (bytes)"},
	{"slot-held-ns/op", "slot-held", "swap slot held", "time the swap slot stays allocated"},
}

// FromSet draws every figure the results support (all but
// expected-cost, whose series the caller computes): the Swapin bar
// charts, the zswap index lines and the latency CDF. filter is a
// benchproc filter ("" for all). Where results vary in a key that a
// figure does not show (kernel, data, ...), the figure takes the Prefer
// configuration and says so in its title; filter chooses another. A bar
// chart whose values are all zero there is drawn from the nearest
// configuration where they are not, its title saying so, and not at
// all if there is none.
func FromSet(s *report.Set, filter string) ([]*Figure, error) {
	sums, err := s.Summaries(filter, 0.95)
	if err != nil {
		return nil, err
	}
	var figs []*Figure
	for _, bf := range barFigures {
		all := only(sums, "Swapin", bf.unit)
		if len(all) == 0 {
			continue
		}
		// The preferred configuration, or the nearest one where the
		// quantity exists: an all-zero figure says nothing.
		cfgs := configs(all, "fix", "sync", "backend", "comp")
		ci := slices.IndexFunc(cfgs, func(c config) bool {
			return slices.ContainsFunc(c.sel, func(x report.Summary) bool { return x.Center != 0 })
		})
		if ci < 0 {
			continue
		}
		sel := cfgs[ci].sel
		t := title("Swapin: "+bf.what, cfgs[ci].pins)
		if ci > 0 {
			// Say why the figure leaves the preferred configuration.
			t += "\nall zero at " + strings.Join(cfgs[0].pins, " ")
		}
		// The variants that ran in this configuration (their
		// kernel-ns/op) but do not report this unit are shown as n/a.
		ran := sel
		for _, c := range configs(only(sums, "Swapin", "kernel-ns/op"), "fix", "sync", "backend", "comp") {
			if slices.Equal(c.pins, cfgs[ci].pins) {
				ran = c.sel
			}
		}
		multiSync := fixesWithManySyncs(ran)
		var bars []Bar
		max := 0.0
		for _, x := range sel {
			_, hi := interval(x)
			max = maxf(max, hi)
		}
		div, unit := 1.0, ""
		if strings.Contains(bf.unit, "ns/") {
			div, unit = timeUnit(max)
			unit = " (" + unit + ")"
		}
		baseline := ""
		for _, x := range sel {
			group, series, isBase := barOf(x, multiSync)
			if isBase {
				baseline = series
			}
			lo, hi := interval(x)
			bars = append(bars, Bar{Group: group, Series: series, Value: x.Center / div, Lo: lo / div, Hi: hi / div})
		}
		for _, x := range ran {
			group, series, _ := barOf(x, multiSync)
			if !slices.ContainsFunc(bars, func(b Bar) bool { return b.Group == group && b.Series == series }) {
				bars = append(bars, Bar{Group: group, Series: series, Value: math.NaN()})
			}
		}
		f, err := Bars(bf.name, t, "backend and codec", bf.ylabel+unit, bars, baseline)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}

	index := only(sums, "ZswapIndex", "kernel-ns/op")
	what := "modelled kernel time"
	if len(index) == 0 {
		index, what = only(sums, "ZswapIndex", "ns/op"), "measured simulator time"
	}
	var ops []string
	for _, x := range index {
		if !slices.Contains(ops, x.Key("op")) {
			ops = append(ops, x.Key("op"))
		}
	}
	for _, op := range ops {
		var sel []report.Summary
		for _, x := range index {
			if x.Key("op") == op {
				sel = append(sel, x)
			}
		}
		cfg := configs(sel, "kernel", "entries", "op")[0]
		sel, pins := cfg.sel, cfg.pins
		var series []Series
		for _, x := range sel {
			entries, err := strconv.ParseFloat(x.Key("entries"), 64)
			if err != nil || entries <= 0 {
				return nil, fmt.Errorf("plot zswap index: %s: entries=%q is not a positive number", x.Name, x.Key("entries"))
			}
			k := x.Key("kernel")
			i := slices.IndexFunc(series, func(s Series) bool { return s.Name == k })
			if i < 0 {
				series = append(series, Series{Name: k})
				i = len(series) - 1
			}
			s := &series[i]
			lo, hi := interval(x)
			s.X, s.Y, s.Lo, s.Hi = append(s.X, entries), append(s.Y, x.Center), append(s.Lo, lo), append(s.Hi, hi)
		}
		name, label := "zswap-index", "zswap index"
		if op != "" {
			name, label = "zswap-index-"+op, "zswap index "+op
		}
		f, err := Lines(name, title(label+": "+what, pins), "entries in the index (log2 scale)",
			what+" per "+orDefault(op, "operation")+" (ns)", Log2, series)
		if err != nil {
			return nil, err
		}
		f.Plot.Y.Min = 0
		figs = append(figs, f)
	}

	if f, err := latencyFigure(s.Latency, filter); err != nil {
		return nil, err
	} else if f != nil {
		figs = append(figs, f)
	}
	if len(figs) == 0 {
		return nil, fmt.Errorf("%s: nothing to plot; expected BenchmarkSwapin or BenchmarkZswapIndex results or latency lines", strings.Join(s.Paths, ", "))
	}
	return figs, nil
}

// barOf is where summary x goes in a bar chart: its group (backend and
// codec) and series (fix, and sync mode for fixes in multiSync, marked
// when a control), and whether it is the baseline.
func barOf(x report.Summary, multiSync map[string]bool) (group, series string, baseline bool) {
	series = x.Key("fix")
	if series == "" {
		series = "(no fix)"
	}
	if multiSync[x.Key("fix")] {
		series += "/" + x.Key("sync")
	}
	baseline, control := Role(x.Key("fix"), x.Key("sync"), x.Key("kernel"))
	if control {
		series += " (control)"
	}
	return join(x.Key("backend"), x.Key("comp")), series, baseline
}

// latencyFigure draws the CDF of the latency samples that pass filter.
func latencyFigure(lats []*report.Latency, filter string) (*Figure, error) {
	if filter == "" {
		filter = "*"
	}
	f, err := benchproc.NewFilter(filter)
	if err != nil {
		return nil, err
	}
	var keep []*report.Latency
	for _, l := range lats {
		r := &benchfmt.Result{Name: benchfmt.Name(l.Name), Values: []benchfmt.Value{{Value: 1, Unit: "latency-ns"}}}
		if m, _ := f.Match(r); m.Any() && len(l.Values) >= 2 {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		return nil, nil
	}
	names := make([]string, len(keep))
	for i, l := range keep {
		names[i] = l.Name
	}
	pat, labels := report.Pattern(names)
	samples := make([]Sample, len(keep))
	first := 0
	for i, l := range keep {
		label := labels[i]
		if label == "" {
			label = l.Name
		}
		// "fix=merged/sync=tick" reads better as "merged/tick".
		var vals []string
		for _, p := range strings.Split(label, "/") {
			_, v, ok := strings.Cut(p, "=")
			if !ok {
				v = p
			}
			vals = append(vals, v)
		}
		name := strings.Join(vals, "/")
		switch isBase, control := Role(nameKey(l.Name, "fix"), nameKey(l.Name, "sync"), nameKey(l.Name, "kernel")); {
		case isBase:
			name += " (baseline)"
			first = i
		case control:
			name += " (control)"
		}
		samples[i] = Sample{Name: name, Values: l.Values}
	}
	// The baseline first: its curve is the one the others are read against.
	b := samples[first]
	samples = slices.Insert(slices.Delete(samples, first, first+1), 0, b)
	t := "Swapin latency distribution"
	if pat != "" {
		// The keys every sample shares, the configuration first.
		var ctx, rest []string
		base, _ := benchfmt.Name(pat).Parts()
		pat = strings.TrimPrefix(procsSuffix.ReplaceAllString(pat, ""), string(base))
		for _, p := range strings.Split(strings.TrimPrefix(pat, "/"), "/") {
			k, _, _ := strings.Cut(p, "=")
			switch {
			case strings.HasSuffix(p, "=*"):
			case Prefer[k] != "":
				ctx = append(ctx, p)
			default:
				rest = append(rest, p)
			}
		}
		for _, p := range rest {
			if len(strings.Join(append(ctx, p), " ")) < 45 {
				ctx = append(ctx, p)
			}
		}
		if len(ctx) > 0 {
			t += " (" + strings.Join(ctx, " ") + ")"
		}
	}
	return CDF("latency-cdf", t, samples)
}

// nameKey is the value of key in a benchmark name, "" if it has none.
func nameKey(name, key string) string {
	_, parts := benchfmt.Name(name).Parts()
	for _, p := range parts {
		if k, v, ok := strings.Cut(string(p[1:]), "="); ok && p[0] == '/' && k == key {
			return v
		}
	}
	return ""
}

// procsSuffix is the -GOMAXPROCS suffix of a name or pattern.
var procsSuffix = regexp.MustCompile(`-([0-9]+|\*)$`)

func only(sums []report.Summary, base, unit string) []report.Summary {
	var out []report.Summary
	for _, s := range sums {
		if s.Unit == unit && s.Base() == base {
			out = append(out, s)
		}
	}
	return out
}

// Prefer is the configuration the figures show where the results hold
// several: the one the README's text uses (a v6.9 base, text pages). A
// key it does not name takes the first value seen; a -filter chooses
// another.
var Prefer = map[string]string{"kernel": "v6.9", "data": "text"}

// A config is one configuration of the keys a figure does not show: its
// summaries, and as "key=value" those of its keys that vary in the
// results (the ones a title must name).
type config struct {
	sel  []report.Summary
	pins []string
}

// configs splits sums by the values of their keys other than free: the
// configuration nearest Prefer (fewest keys off the preferred value)
// first, then in order of first appearance.
func configs(sums []report.Summary, free ...string) []config {
	var keys []string
	values := map[string][]string{}
	for _, s := range sums {
		for _, k := range keysOf(s.Name) {
			if slices.Contains(free, k) {
				continue
			}
			if _, ok := values[k]; !ok {
				keys = append(keys, k)
			}
			if v := s.Key(k); !slices.Contains(values[k], v) {
				values[k] = append(values[k], v)
			}
		}
	}
	preferred := func(k string) string {
		if v, ok := Prefer[k]; ok && slices.Contains(values[k], v) {
			return v
		}
		return values[k][0]
	}
	var cfgs []config
	var tuples []string
	var off []int
	for _, s := range sums {
		var tuple []string
		n := 0
		for _, k := range keys {
			tuple = append(tuple, k+"="+s.Key(k))
			if s.Key(k) != preferred(k) {
				n++
			}
		}
		t := strings.Join(tuple, " ")
		i := slices.Index(tuples, t)
		if i < 0 {
			var pins []string
			for j, k := range keys {
				if len(values[k]) > 1 {
					pins = append(pins, tuple[j])
				}
			}
			tuples, off = append(tuples, t), append(off, n)
			cfgs = append(cfgs, config{pins: pins})
			i = len(cfgs) - 1
		}
		cfgs[i].sel = append(cfgs[i].sel, s)
	}
	idx := make([]int, len(cfgs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return off[a] - off[b] })
	out := make([]config, len(cfgs))
	for i, j := range idx {
		out[i] = cfgs[j]
	}
	return out
}

// Role tells the baseline variant (the Baseline fix at its default sync
// mode on kernel, or at the one it went in with when kernel is empty or
// unknown) and the controls (a Control fix, or any fix without the pin,
// sync=none: what 13ddaf26be32 prevents) from the proposals. A fix the
// registry does not know is neither.
func Role(fix, sync, kernel string) (baseline, control bool) {
	f, err := fixes.Lookup(fix)
	if err != nil {
		return false, false
	}
	if f.Control || sync == model.SyncNone.String() {
		return false, true
	}
	want := f.DefaultSync()
	if kb, err := model.ParseKernelBase(kernel); err == nil {
		want = f.DefaultSyncOn(kb)
	}
	return f.Baseline && (sync == "" || sync == want.String()), false
}

func keysOf(name string) []string {
	var out []string
	_, parts := benchfmt.Name(name).Parts()
	for _, p := range parts {
		if p[0] == '/' {
			if k, _, ok := strings.Cut(string(p[1:]), "="); ok {
				out = append(out, k)
			}
		}
	}
	return out
}

func fixesWithManySyncs(sums []report.Summary) map[string]bool {
	syncs := map[string]string{}
	many := map[string]bool{}
	for _, s := range sums {
		f, y := s.Key("fix"), s.Key("sync")
		if v, ok := syncs[f]; ok && v != y {
			many[f] = true
		}
		syncs[f] = y
	}
	return many
}

func title(t string, pins []string) string {
	if len(pins) == 0 {
		return t
	}
	return t + " (" + strings.Join(pins, " ") + ")"
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return "all"
	}
	return strings.Join(out, "\n")
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// interval is x's confidence interval, or none (the median at both ends)
// when too few runs give one: with -count 1 the bounds are infinite, and
// a figure draws no error bar rather than refusing.
func interval(x report.Summary) (lo, hi float64) {
	if math.IsInf(x.Lo, 0) || math.IsInf(x.Hi, 0) || math.IsNaN(x.Lo) || math.IsNaN(x.Hi) {
		return x.Center, x.Center
	}
	return x.Lo, x.Hi
}
