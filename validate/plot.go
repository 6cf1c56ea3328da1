package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/swapbench/swapbench/plots"
)

// Figures are one scatter per benchmark, validate-swapin and
// validate-swapout: the prediction held out of the fit (leave-one-out)
// against measured microseconds per page, one series per path and
// backend, with the diagonal of agreement and the Tolerance band around
// it. Rows not simulated are left out.
func (rep *Report) Figures() ([]*plots.Figure, error) {
	var figs []*plots.Figure
	for _, bench := range []string{Swapin, Swapout} {
		var series []plots.Series
		for _, r := range rep.rowsOf(bench) {
			if !r.Simulated() {
				continue
			}
			name := r.Config.Backend
			if r.Config.Path != "" {
				name = r.Config.Path + " " + name
			}
			i := slices.IndexFunc(series, func(s plots.Series) bool { return s.Name == name })
			if i < 0 {
				series = append(series, plots.Series{Name: name})
				i = len(series) - 1
			}
			series[i].X = append(series[i].X, r.Measured/1000)
			series[i].Y = append(series[i].Y, r.Predicted/1000)
		}
		if len(series) == 0 {
			continue
		}
		f, err := plots.Scatter("validate-"+strings.ToLower(bench),
			fmt.Sprintf("%s per page: simulator vs Linux %s", bench, rep.In.Kernel),
			"measured by swapbench probe (µs)", "predicted kernel time, held out of the fit (µs)",
			series, []float64{1, 1 - Tolerance, 1 + Tolerance})
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	if len(figs) == 0 {
		return nil, fmt.Errorf("%s: no configuration could be simulated, nothing to plot", rep.In.ProbeFile)
	}
	return figs, nil
}
