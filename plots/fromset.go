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
// figure does not show (kernel, data, ...), the figure takes the first
// value seen and says so in its title; filter chooses another.
func FromSet(s *report.Set, filter string) ([]*Figure, error) {
	sums, err := s.Summaries(filter, 0.95)
	if err != nil {
		return nil, err
	}
	var figs []*Figure
	for _, bf := range barFigures {
		sel := only(sums, "Swapin", bf.unit)
		if len(sel) == 0 {
			continue
		}
		sel, pins := pin(sel, "fix", "sync", "backend", "comp")
		multiSync := fixesWithManySyncs(sel)
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
		for _, x := range sel {
			series := x.Key("fix")
			if series == "" {
				series = "(no fix)"
			}
			if multiSync[x.Key("fix")] {
				series += "/" + x.Key("sync")
			}
			lo, hi := interval(x)
			bars = append(bars, Bar{Group: join(x.Key("backend"), x.Key("comp")), Series: series,
				Value: x.Center / div, Lo: lo / div, Hi: hi / div})
		}
		f, err := Bars(bf.name, title("Swapin: "+bf.what, pins), "backend and codec", bf.ylabel+unit, bars)
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
		sel, pins := pin(sel, "kernel", "entries", "op")
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
		samples[i] = Sample{Name: strings.Join(vals, "/"), Values: l.Values}
	}
	t := "Swapin latency distribution"
	if pat != "" {
		var ctx []string
		base, _ := benchfmt.Name(pat).Parts()
		pat = strings.TrimPrefix(procsSuffix.ReplaceAllString(pat, ""), string(base))
		for _, p := range strings.Split(strings.TrimPrefix(pat, "/"), "/") {
			if !strings.HasSuffix(p, "=*") && !strings.HasPrefix(p, "kernel=") {
				ctx = append(ctx, p)
			}
		}
		if c := strings.Join(ctx, " "); c != "" && len(c) < 50 {
			t += " (" + c + ")"
		}
	}
	return CDF("latency-cdf", t, samples)
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

// pin keeps the summaries whose keys other than free have the first
// value seen, and returns them with those pinned keys that had more
// than one value, as "key=value".
func pin(sums []report.Summary, free ...string) ([]report.Summary, []string) {
	first := map[string]string{}
	many := map[string]bool{}
	var keys []string
	for _, s := range sums {
		for _, k := range keysOf(s.Name) {
			if slices.Contains(free, k) {
				continue
			}
			v, ok := first[k]
			if !ok {
				first[k] = s.Key(k)
				keys = append(keys, k)
			} else if v != s.Key(k) {
				many[k] = true
			}
		}
	}
	var out []report.Summary
	for _, s := range sums {
		keep := true
		for k, v := range first {
			if s.Key(k) != v {
				keep = false
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	var pins []string
	for _, k := range keys {
		if many[k] {
			pins = append(pins, k+"="+first[k])
		}
	}
	return out, pins
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
