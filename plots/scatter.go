package plots

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
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
		f.addLegend(s.Name, pts)
	}
	top *= 1.05
	// Each diagonal has its own dash pattern and is labelled where it
	// leaves the plot, on the side away from the line: 0.8x and 1.2x
	// drawn alike could not be told apart.
	var right, upper plotter.XYLabels // ends on the right edge, on the top edge
	for i, k := range diagonals {
		end, ends := plotter.XY{X: top, Y: k * top}, &right
		if k > 1 {
			end, ends = plotter.XY{X: top / k, Y: top}, &upper
		}
		l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, end})
		if err != nil {
			return nil, fmt.Errorf("plot %s: %v", name, err)
		}
		l.Color = colorOf(6) // black
		l.Width = vg.Points(0.8)
		l.Dashes = dashes[i%len(dashes)]
		p.Add(l)
		f.addLegend(fmt.Sprintf("y = %gx", k), l)
		ends.XYs = append(ends.XYs, end)
		ends.Labels = append(ends.Labels, fmt.Sprintf("%gx", k))
	}
	for _, e := range []struct {
		xys    plotter.XYLabels
		yAlign draw.YAlignment
		offset vg.Point
	}{
		{right, draw.YBottom, vg.Point{Y: vg.Points(2)}}, // above the line
		{upper, draw.YTop, vg.Point{X: -vg.Points(8)}},   // left of it
	} {
		if len(e.xys.XYs) == 0 {
			continue
		}
		labels, err := plotter.NewLabels(e.xys)
		if err != nil {
			return nil, fmt.Errorf("plot %s: %v", name, err)
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i].Font = sans(9)
			labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XRight, e.yAlign
		}
		labels.Offset = e.offset
		p.Add(labels)
	}
	p.X.Min, p.X.Max = 0, top
	p.Y.Min, p.Y.Max = 0, top
	p.X.Tick.Marker = tidyTicks{}
	return f, nil
}
