package plots

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Scatter draws each series as points only (no line) on equal x and y
// ranges from 0, with dashed reference lines y = k*x for each k in
// diagonals, labelled in the legend: predicted against measured, where
// the diagonal y = x is agreement.
func Scatter(name, title, xlabel, ylabel string, series []Series, diagonals []float64) (*Figure, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("plot %s: no data", name)
	}
	f := newFigure(name, title, xlabel, ylabel)
	p := f.Plot
	p.Add(plotter.NewGrid())
	top := 0.0
	for i, s := range series {
		xys, err := s.xys(name, false)
		if err != nil {
			return nil, err
		}
		for _, p := range xys {
			top = max(top, p.X, p.Y)
		}
		pts, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, fmt.Errorf("plot %s: %v", name, err)
		}
		pts.Color, pts.Shape, pts.Radius = colorOf(i), glyphs[i%len(glyphs)], vg.Points(3)
		p.Add(pts)
		f.Legend.Add(s.Name, pts)
	}
	top *= 1.05
	for i, k := range diagonals {
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: top, Y: k * top}})
		if err != nil {
			return nil, fmt.Errorf("plot %s: %v", name, err)
		}
		l.Color = colorOf(6) // black
		l.Width = vg.Points(0.8)
		if i > 0 {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l)
		f.Legend.Add(fmt.Sprintf("y = %gx", k), l)
	}
	p.X.Min, p.X.Max = 0, top
	p.Y.Min, p.Y.Max = 0, top
	p.X.Tick.Marker = tidyTicks{}
	return f, nil
}
