package validate

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"

	"github.com/swapbench/swapbench/probe"
)

// The differences validate predicts: what the review threads argued
// over, as the probe measures it (swapin time per page).
const (
	DiffPath  = "swapcache-bypass" // the swap cache path minus the bypass, per backend, codec and data
	DiffZswap = "zswap-zram"       // zswap in front of zram minus zram alone, per path, codec and data
	DiffCodec = "codec"            // one codec minus another, per backend, path and data
	DiffOrder = "order"            // per-page swapin at order N minus order 0, on zram
)

// Confidence is the confidence level of a measured difference's interval.
const Confidence = 0.95

// Difference is one measured difference between two configurations (A
// minus B, swapin ns per page) and its held-out prediction: both
// simulated under the profile fitted without either.
type Difference struct {
	Kind string
	A, B probe.Config
	// Measured is the median of the paired per-round differences
	// (round i of A minus round i of B: the probe interleaves
	// configurations, so round i of each ran in the same pass); Lo and
	// Hi bound its confidence interval (benchmath.AssumeNothing, the
	// distribution-free interval benchstat gives a median); infinite
	// with fewer than 6 rounds, where no interval reaches Confidence.
	Measured, Lo, Hi float64
	Rounds           int
	Predicted        float64
	Skip             string // why there is no prediction
}

// Simulated reports whether the difference has a prediction.
func (d *Difference) Simulated() bool { return d.Skip == "" }

// HasCI reports whether the interval is finite.
func (d *Difference) HasCI() bool { return !math.IsInf(d.Lo, 0) && !math.IsInf(d.Hi, 0) }

// Within reports whether the prediction is within Tolerance of the
// measured difference or inside its confidence interval.
func (d *Difference) Within() bool {
	if !d.Simulated() {
		return false
	}
	if math.Abs(d.Predicted-d.Measured) <= Tolerance*math.Abs(d.Measured) {
		return true
	}
	return d.HasCI() && d.Predicted >= d.Lo && d.Predicted <= d.Hi
}

// Group is the table's group line of the difference: what it is and
// on which backend.
func (d *Difference) Group() string {
	switch d.Kind {
	case DiffPath:
		return "swapcache - bypass on " + d.A.Backend
	case DiffZswap:
		return "zswap+zram - zram"
	case DiffCodec:
		return "codec - codec on " + d.A.Backend
	default:
		return "order N - order 0 on " + d.A.Backend + ", per page"
	}
}

// Label names the difference within its group: what varies, then what
// is held fixed.
func (d *Difference) Label() string {
	a, b := d.A, d.B
	switch d.Kind {
	case DiffPath:
		return fmt.Sprintf("%s %s", a.Comp, a.Data)
	case DiffZswap:
		return fmt.Sprintf("%s %s %s", a.Path, a.Comp, a.Data)
	case DiffCodec:
		return fmt.Sprintf("%s - %s %s %s", a.Comp, b.Comp, a.Path, a.Data)
	default:
		return fmt.Sprintf("%s %s %s", probe.SizeName(a.Order), a.Comp, a.Data)
	}
}

// differences lists the measured differences of the swapin results:
// for each swapcache result the bypass of the same configuration; for
// each zswap+zram result zram with the same codec; for each
// configuration whose codec is not the backend's first (sorted) the
// same with the first; for each order-N result order 0.
func differences(results []*probe.Result) []*Difference {
	var out []*Difference
	add := func(kind string, a *probe.Result, bc probe.Config) {
		if b := probe.Find(results, bc); b != nil && len(b.Rounds) > 0 {
			out = append(out, measure(kind, a, b))
		}
	}
	first := map[string]string{}
	for _, r := range results {
		if f, ok := first[r.Backend]; !ok || r.Comp < f {
			first[r.Backend] = r.Comp
		}
	}
	for _, kind := range []string{DiffPath, DiffZswap, DiffCodec, DiffOrder} {
		for _, r := range results {
			if len(r.Rounds) == 0 {
				continue
			}
			c := r.Config
			switch {
			case kind == DiffPath && c.Path == probe.PathSwapcache:
				c.Path = probe.PathBypass
			case kind == DiffZswap && c.Backend == probe.BackendZswapZram && c.Order == 0:
				c.Backend = probe.BackendZram
			case kind == DiffCodec && c.Comp != first[c.Backend] && c.Order == 0:
				c.Comp = first[c.Backend]
			case kind == DiffOrder && c.Order > 0:
				c.Order = 0
			default:
				continue
			}
			add(kind, r, c)
		}
	}
	return out
}

// measure is A minus B from their paired rounds.
func measure(kind string, a, b *probe.Result) *Difference {
	n := min(len(a.Rounds), len(b.Rounds))
	v := make([]float64, n)
	for i := range v {
		v[i] = a.Rounds[i].SwapinNS - b.Rounds[i].SwapinNS
	}
	s := benchmath.AssumeNothing.Summary(benchmath.NewSample(v, &benchmath.DefaultThresholds), Confidence)
	return &Difference{Kind: kind, A: a.Config, B: b.Config, Measured: s.Center, Lo: s.Lo, Hi: s.Hi, Rounds: n}
}

// predictDifferences predicts each difference held out: A and B
// simulated under the profile fitted again without either.
func (rep *Report) predictDifferences(s *sims) error {
	rows := map[probe.Config]*Row{}
	for _, r := range rep.Rows {
		if r.Bench == Swapin {
			rows[r.Config] = r
		}
	}
	for _, d := range rep.Diffs {
		ra, rb := rows[d.A], rows[d.B]
		switch {
		case ra == nil || rb == nil:
			d.Skip = "not simulated: no row"
		case !ra.Simulated():
			d.Skip = ra.Skip
		case !rb.Simulated():
			d.Skip = rb.Skip
		}
		if d.Skip != "" {
			continue
		}
		held := slices.DeleteFunc(slices.Clone(rep.In.Results), func(x *probe.Result) bool { return x.Config == d.A || x.Config == d.B })
		p, err := refit(rep.In, held, s)
		if err != nil {
			return err
		}
		a, err := s.ns(p, Swapin, d.A)
		if err != nil {
			return err
		}
		b, err := s.ns(p, Swapin, d.B)
		if err != nil {
			return err
		}
		d.Predicted = a - b
	}
	return nil
}

// DiffCount is how many differences are simulated and how many of them
// are within Tolerance or their interval.
func (rep *Report) DiffCount() (within, simulated int) {
	for _, d := range rep.Diffs {
		if d.Simulated() {
			simulated++
			if d.Within() {
				within++
			}
		}
	}
	return within, simulated
}

const diffFormat = "  %-29s %7s %14s %8s %7s%1s"

// diffTable writes the differences, grouped by kind.
func (rep *Report) diffTable(b *strings.Builder) {
	if len(rep.Diffs) == 0 {
		return
	}
	para(b, "", fmt.Sprintf("Differences: swapin ns per page, A minus B; measured = median of the paired per-round differences (round i of each ran in the same pass) with its %.0f%% interval (benchmath, distribution-free; none under 6 rounds); held-out = both predicted under the profile fitted without either; gap = held-out - measured; * = off by more than %.0f%% and outside the interval:", Confidence*100, Tolerance*100))
	b.WriteString(strings.TrimRight(fmt.Sprintf(diffFormat, "A - B", "measured", "interval", "held-out", "gap", ""), " ") + "\n")
	group := ""
	for _, d := range rep.Diffs {
		if g := d.Group(); g != group {
			group = g
			b.WriteString(g + "\n")
		}
		ci := "-"
		if d.HasCI() {
			ci = fmt.Sprintf("[%.0f, %.0f]", d.Lo, d.Hi)
		}
		label := shorten(d.Label(), 29)
		if !d.Simulated() {
			why := strings.NewReplacer("not simulated: ", "", "backend ", "", "codec ", "").Replace(d.Skip)
			line := fmt.Sprintf("  %-29s %7.0f %14s  no: %s", label, d.Measured, ci, shorten(why, 12))
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			continue
		}
		flag := ""
		if !d.Within() {
			flag = "*"
		}
		line := fmt.Sprintf(diffFormat, label, fmt.Sprintf("%.0f", d.Measured), ci, fmt.Sprintf("%.0f", d.Predicted), fmt.Sprintf("%+.0f", d.Predicted-d.Measured), flag)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	within, sim := rep.DiffCount()
	para(b, "", fmt.Sprintf("Differences: %d of %d within %.0f%% or within their interval when held out. Not simulated: %d.", within, sim, Tolerance*100, len(rep.Diffs)-sim))
}
