package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/montanaflynn/stats"
	"golang.org/x/perf/benchunit"
)

// Percentiles summarise a latency sample, in nanoseconds.
type Percentiles struct {
	N                        int
	P50, P90, P99, P999, Max float64
}

// Percentiles returns the sample's nearest-rank percentiles: each is a
// latency that was observed. P999 is the 99.9th percentile, where a
// one-tick sleep on a few faults in a thousand shows.
func (l *Latency) Percentiles() (Percentiles, error) {
	p := Percentiles{N: len(l.Values)}
	for _, q := range []struct {
		pct float64
		dst *float64
	}{{50, &p.P50}, {90, &p.P90}, {99, &p.P99}, {99.9, &p.P999}, {100, &p.Max}} {
		v, err := stats.PercentileNearestRank(l.Values, q.pct)
		if err != nil {
			return p, fmt.Errorf("latency of %s: %v", l.Name, err)
		}
		*q.dst = v
	}
	return p, nil
}

// Key returns the value of a key of the sample's benchmark name, e.g.
// Key("fix") is "merged" for "Swapin/fix=merged/data=text-2".
func (l *Latency) Key(k string) string {
	return nameKeys([]byte(l.Name))[k]
}

// WriteLatency writes a table of the samples' percentiles, at most
// MaxWidth columns where the names allow.
func WriteLatency(w io.Writer, lats []*Latency) error {
	if len(lats) == 0 {
		return nil
	}
	names := make([]string, len(lats))
	for i, l := range lats {
		names[i] = l.Name
	}
	pat, labels := Pattern(names)
	head := "latency"
	if pat != "" && len(lats) > 1 {
		// Label rows by the values alone; the header names the keys.
		var keys []string
		for i, l := range labels {
			var vals []string
			keys = keys[:0]
			for _, part := range strings.Split(l, "/") {
				k, v, _ := strings.Cut(part, "=")
				keys = append(keys, k)
				vals = append(vals, v)
			}
			labels[i] = strings.Join(vals, "/")
		}
		head = strings.Join(keys, "/")
	}
	ps := make([]Percentiles, len(lats))
	for i, l := range lats {
		p, err := l.Percentiles()
		if err != nil {
			return err
		}
		ps[i] = p
		if labels[i] == "" {
			labels[i] = "all"
		}
	}
	// Wide: the label, then the numbers, on one line. Long, when that is
	// wider than MaxWidth: each label on a line of its own, its numbers
	// indented on the next.
	render := func(long bool) string {
		g := grid{gaps: map[int]string{}}
		const num = 1 // the first numeric column; 0 holds the label or the indent
		for i := num + 2; i <= num+6; i++ {
			g.gaps[i] = " "
		}
		if long {
			g.free(head)
		}
		h := g.row()
		if long {
			h.add(0, 1, "  ", alignLeft)
		} else {
			h.add(0, 1, head, alignLeft)
		}
		for i, s := range []string{"n", "p50", "p90", "p99", "p99.9", "max"} {
			h.add(num+i, 1, s, alignRight)
		}
		for i, p := range ps {
			if long {
				g.free(labels[i])
			}
			r := g.row()
			if long {
				r.add(0, 1, "  ", alignLeft)
			} else {
				r.add(0, 1, labels[i], alignLeft)
			}
			r.add(num, 1, strconv.Itoa(p.N), alignRight)
			for j, v := range []float64{p.P50, p.P90, p.P99, p.P999, p.Max} {
				r.add(num+1+j, 1, nanos(v), alignRight)
			}
		}
		return g.String()
	}
	table := render(false)
	if maxLineWidth(table) > MaxWidth {
		table = render(true)
	}
	var b strings.Builder
	if pat != "" {
		b.WriteString(pat + "\n")
	}
	b.WriteString(table)
	b.WriteString("nearest-rank percentiles of per-swapin latency; n: swapins.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// nanos formats nanoseconds as seconds with an SI prefix: "2.51µs".
func nanos(v float64) string {
	return benchunit.Scale(v*1e-9, benchunit.Decimal) + "s"
}
