package validate

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/model"
)

// Diff is one number of a profile that differs between two profiles.
type Diff struct {
	// Name is as swapbench probe's fitted lines name numbers ("op
	// swap_cache_add", "codec lz4 decompress", "codec lz4 compress
	// data=random"), with " per" for a per-unit cost.
	Name string
	A, B float64
}

func (d Diff) String() string { return fmt.Sprintf("%s %s vs %s", d.Name, num(d.A), num(d.B)) }

func num(x float64) string {
	if math.Abs(x) >= 100 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

// fileRounding is how far a refit from the results file may be from the
// fit the probe wrote from its measurements: the file rounds times to
// 0.1 ns and compressed sizes to whole bytes (probe.md), which moves a
// fitted number by about 1 ns and a per-byte cost by about 0.01 ns, a
// least-squares intercept by up to a few parts in 10,000.
func fileRounding(per bool, a, b float64) bool {
	if per {
		return math.Abs(a-b) <= 0.01+1e-3*math.Abs(b)
	}
	return math.Abs(a-b) <= 1+1e-3*math.Abs(b)
}

// exact accepts no difference.
func exact(_ bool, a, b float64) bool { return a == b }

// diff lists the numbers (op and codec charges, base and per) in which a
// and b differ beyond what same allows.
func diff(a, b *cost.Profile, same func(per bool, a, b float64) bool) []Diff {
	var ds []Diff
	add := func(name string, x, y cost.Charge) {
		if !same(false, x.Base, y.Base) {
			ds = append(ds, Diff{name, x.Base, y.Base})
		}
		if !same(true, x.Per, y.Per) {
			ds = append(ds, Diff{name + " per", x.Per, y.Per})
		}
	}
	for _, op := range model.Ops() {
		add("op "+op.String(), a.Ops[op], b.Ops[op])
	}
	keys := slices.Sorted(maps.Keys(a.Codecs))
	for k := range b.Codecs {
		if _, ok := a.Codecs[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		x, y := a.Codecs[k], b.Codecs[k]
		name, class, ok := strings.Cut(k, "/")
		suffix := ""
		if ok {
			suffix = " data=" + class
		}
		add("codec "+name+" compress"+suffix, x.Compress, y.Compress)
		add("codec "+name+" decompress"+suffix, x.Decompress, y.Decompress)
	}
	if a.HZ != b.HZ {
		ds = append(ds, Diff{"hz", float64(a.HZ), float64(b.HZ)})
	}
	return ds
}
