package validate

import "math"

// Cause is the modelled operation that best explains a row's gap.
type Cause struct {
	// Op names the operation, as in Share; empty when no operation
	// within MaxScale of its modelled cost fits.
	Op string
	// Scale is what Op's modelled cost would be multiplied by to close
	// the gaps: 1 + a, where a fits gap = a * share by least squares over
	// the configurations compared.
	Scale float64
	// Explained is the part of the squared gaps that fit explains,
	// 1 - RSS / sum(gap^2).
	Explained float64
	// Configs is how many configurations were compared: the row and
	// every simulated one that differs from it in exactly one key.
	Configs int
	// InStep are the operations whose shares are proportional to Op's
	// over those configurations: the data cannot tell them apart (Op is
	// the one with the largest share in the row).
	InStep []string
}

// MaxScale bounds the causes considered: an operation whose modelled
// cost would have to grow more than tenfold to close a gap is not taken
// for its cause, however well its pattern fits.
const MaxScale = 10

// Explain sets the Cause of every row that is Off. For each operation
// with a share in the row it fits gap = a * share over the row and the
// configurations one key away from it (which differ from it in one
// thing: the path, the backend, the codec or the data), and picks the
// operation that explains most of the gaps with 0 <= 1+a <= MaxScale.
// A gap common to all of them points to an operation that costs the same
// in all (the fault itself); a gap that appears only with zswap, only on
// the swap cache path or only for compressible data points to an
// operation that appears or grows there.
func Explain(rows []*Row) {
	for _, r := range rows {
		r.Cause = nil
		if !r.Off() {
			continue
		}
		set := []*Row{r}
		for _, o := range rows {
			if o != r && o.Bench == r.Bench && o.Simulated() && oneKeyApart(r, o) {
				set = append(set, o)
			}
		}
		gaps := make([]float64, len(set))
		var gg float64
		for i, o := range set {
			gaps[i] = o.Gap()
			gg += gaps[i] * gaps[i]
		}
		best := &Cause{Configs: len(set)}
		var bestC []float64
		// r.Shares is largest first, so among equal fits the largest
		// share wins.
		for _, s := range r.Shares {
			c := make([]float64, len(set))
			var gc, cc float64
			for i, o := range set {
				c[i] = o.share(s.Op)
				gc += gaps[i] * c[i]
				cc += c[i] * c[i]
			}
			a := gc / cc
			if 1+a < 0 || 1+a > MaxScale {
				continue
			}
			var rss float64
			for i := range c {
				d := gaps[i] - a*c[i]
				rss += d * d
			}
			expl := 1 - rss/gg
			if best.Op == "" || expl > best.Explained+1e-9 {
				best.Op, best.Scale, best.Explained = s.Op, 1+a, expl
				bestC = c
			}
		}
		if best.Op != "" {
			for _, s := range r.Shares {
				if s.Op == best.Op {
					continue
				}
				c := make([]float64, len(set))
				for i, o := range set {
					c[i] = o.share(s.Op)
				}
				if proportional(c, bestC) {
					best.InStep = append(best.InStep, s.Op)
				}
			}
		}
		r.Cause = best
	}
}

// proportional reports whether x = k*y for some k > 0.
func proportional(x, y []float64) bool {
	k := math.NaN()
	for i := range x {
		switch {
		case y[i] == 0 && x[i] == 0:
			continue
		case y[i] == 0 || x[i] == 0:
			return false
		}
		q := x[i] / y[i]
		if math.IsNaN(k) {
			k = q
		} else if math.Abs(q-k) > 1e-6*k {
			return false
		}
	}
	return !math.IsNaN(k)
}

// oneKeyApart reports whether two rows of one benchmark differ in
// exactly one configuration key.
func oneKeyApart(a, b *Row) bool {
	ka, kb := a.keys(), b.keys()
	d := 0
	for i := range ka {
		if ka[i] != kb[i] {
			d++
		}
	}
	return d == 1
}
