package report

import (
	"fmt"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
)

// A Summary is the median of one benchmark's values in one unit, with
// its confidence interval, in the unit the input used: what a plot
// draws as a bar and its error bar.
type Summary struct {
	// Name is the benchmark name without "Benchmark", e.g.
	// "Swapin/fix=merged/sync=tick/data=text-2".
	Name string
	// Unit is the unit as written, e.g. "kernel-ns/op".
	Unit string
	// N is the number of values.
	N int
	// Center is the median; Lo and Hi bound its confidence interval.
	Center, Lo, Hi float64
}

// Key returns the value of a key of the benchmark name: Key("fix") is
// "merged" for "Swapin/fix=merged/data=text-2".
func (s Summary) Key(k string) string {
	return nameKeys([]byte(s.Name))[k]
}

// Base returns the benchmark's base name, e.g. "Swapin".
func (s Summary) Base() string {
	return describeBase(s.Name)
}

// Summaries summarises the results that pass filter (a benchproc
// filter; "" keeps all) per benchmark name and unit, at the given
// confidence level (0 means 0.95), in order of first appearance.
// Results of the same name from several files are pooled.
func (s *Set) Summaries(filter string, confidence float64) ([]Summary, error) {
	if filter == "" {
		filter = "*"
	}
	if confidence == 0 {
		confidence = 0.95
	}
	f, err := benchproc.NewFilter(filter)
	if err != nil {
		return nil, fmt.Errorf("-filter %s: %v", filter, firstLine(err))
	}
	type key struct{ name, unit string }
	vals := map[key][]float64{}
	var order []key
	for _, r := range s.Results {
		r = r.Clone()
		if ok, _ := f.Apply(r); !ok {
			continue
		}
		for _, v := range r.Values {
			unit, val := v.Unit, v.Value
			if v.OrigUnit != "" {
				unit, val = v.OrigUnit, v.OrigValue
			}
			k := key{r.Name.String(), unit}
			if _, ok := vals[k]; !ok {
				order = append(order, k)
			}
			vals[k] = append(vals[k], val)
		}
	}
	out := make([]Summary, 0, len(order))
	for _, k := range order {
		sample := benchmath.NewSample(vals[k], &benchmath.DefaultThresholds)
		tidy, _ := unitFactor(k.unit)
		sum := s.Units.GetAssumption(tidy).Summary(sample, confidence)
		out = append(out, Summary{Name: k.name, Unit: k.unit, N: len(sample.Values), Center: sum.Center, Lo: sum.Lo, Hi: sum.Hi})
	}
	return out, nil
}
