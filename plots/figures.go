package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A Bar is one bar of a grouped bar chart: a median and its confidence
// interval. A NaN Value is a bar the results lack: drawn as "n/a".
type Bar struct {
	// Group is the position on the x axis, e.g. "zswap+zram lz4";
	// Series the legend entry, e.g. "merged".
	Group, Series string
	Value, Lo, Hi float64
}

// Bars draws a grouped bar chart with error bars from Lo to Hi. Groups
// keep their order of first appearance; series too, except baseline (""
// for none), which comes first and is marked "(baseline)" in the legend.
// A series missing from a group shows "n/a" in its place rather than a
// gap. When no bar has an interval (deterministic, modelled values) and
// a baseline is given, each bar is labelled: the baseline's with its
// value, the others with their difference from it in the same group, so
// that a difference under 1% shows where a y axis from 0 hides it. A
// chart whose values are all zero says nothing and is refused.
func Bars(name, title, xlabel, ylabel string, bars []Bar, baseline string) (*Figure, error) {
	if len(bars) == 0 {
		return nil, fmt.Errorf("plot %s: no data", name)
	}
	if !slices.ContainsFunc(bars, func(b Bar) bool { return !math.IsNaN(b.Value) && (b.Value != 0 || b.Hi != 0) }) {
		return nil, fmt.Errorf("plot %s: every value is zero, nothing to show", name)
	}
	var groups, series []string
	exact := true
	for _, b := range bars {
		if !slices.Contains(groups, b.Group) {
			groups = append(groups, b.Group)
		}
		if !slices.Contains(series, b.Series) {
			series = append(series, b.Series)
		}
		exact = exact && (b.Lo == b.Hi || math.IsNaN(b.Value))
	}
	if i := slices.Index(series, baseline); i > 0 {
		series = slices.Insert(slices.Delete(series, i, i+1), 0, baseline)
	}
	label := exact && slices.Contains(series, baseline)
	base := map[string]float64{}
	for _, b := range bars {
		if b.Series == baseline {
			base[b.Group] = b.Value
		}
	}
	f := newFigure(name, title, xlabel, ylabel)
	p := f.Plot
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	p.Add(grid)
	width := 0.8 / float64(len(series))
	ymax := 0.0
	for si, s := range series {
		bp := &barPlotter{width: width, color: colorOf(si)}
		for gi, g := range groups {
			x := float64(gi) - 0.4 + (float64(si)+0.5)*width
			i := slices.IndexFunc(bars, func(b Bar) bool { return b.Series == s && b.Group == g })
			if i < 0 || math.IsNaN(bars[i].Value) {
				bp.missing = append(bp.missing, x)
				continue
			}
			b := bars[i]
			bp.x, bp.y = append(bp.x, x), append(bp.y, b.Value)
			bp.lo, bp.hi = append(bp.lo, b.Lo), append(bp.hi, b.Hi)
			ymax = max(ymax, b.Hi, b.Value)
			if !label {
				continue
			}
			bv, ok := base[g]
			switch {
			case s == baseline || b.Value == 0:
				// A zero bar is labelled, so that it reads as zero,
				// not as missing: "n/a" marks those.
				bp.labels = append(bp.labels, strconv.FormatFloat(b.Value, 'g', 4, 64))
			case ok && bv != 0:
				bp.labels = append(bp.labels, percent(b.Value/bv-1))
			default:
				bp.labels = append(bp.labels, "")
			}
		}
		p.Add(bp)
		legend := s
		if s == baseline {
			legend += " (baseline)"
		}
		f.addLegend(legend, bp)
	}
	var ticks []plot.Tick
	for gi, g := range groups {
		ticks = append(ticks, plot.Tick{Value: float64(gi), Label: g})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.5, float64(len(groups))-0.5
	p.Y.Min = 0
	p.Y.Max = ymax * 1.05
	if label {
		// Room above the tallest bar for its label, and a key.
		p.Y.Max = ymax * 1.2
		p.X.Label.Text += "; labels: % against " + baseline
	}
	return f, nil
}

// percent formats a relative difference: "+0.7%", "-12%", "0%".
func percent(d float64) string {
	d *= 100
	if math.Abs(d) < 0.05 {
		return "0%"
	}
	prec := 1
	if math.Abs(d) >= 10 {
		prec = 0
	}
	return fmt.Sprintf("%+.*f%%", prec, d)
}

// barPlotter draws bars centred on x, in data units, with error bars,
// the labels above them, and "n/a" at the missing positions.
type barPlotter struct {
	x, y, lo, hi []float64
	labels       []string
	missing      []float64
	width        float64
	color        color.Color
}

func (b *barPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	line := draw.LineStyle{Color: color.Black, Width: vg.Points(0.8)}
	sty := p.Y.Tick.Label
	sty.Font = sans(8)
	sty.Rotation = math.Pi / 2
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	for i := range b.x {
		x0, x1 := trX(b.x[i]-b.width/2), trX(b.x[i]+b.width/2)
		y0, y1 := trY(0), trY(b.y[i])
		rect := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
		c.SetColor(b.color)
		c.Fill(rect.Path())
		if b.hi[i] > b.lo[i] {
			xm, cap := trX(b.x[i]), (x1-x0)/4
			lo, hi := trY(b.lo[i]), trY(b.hi[i])
			c.StrokeLine2(line, xm, lo, xm, hi)
			c.StrokeLine2(line, xm-cap, lo, xm+cap, lo)
			c.StrokeLine2(line, xm-cap, hi, xm+cap, hi)
		}
		if i < len(b.labels) && b.labels[i] != "" {
			top := trY(max(b.y[i], b.hi[i]))
			c.FillText(sty, vg.Point{X: trX(b.x[i]), Y: top + vg.Points(2)}, b.labels[i])
		}
	}
	for _, x := range b.missing {
		c.FillText(sty, vg.Point{X: trX(x), Y: trY(0) + vg.Points(2)}, "n/a")
	}
}

func (b *barPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), 0, 0
	for i := range b.x {
		xmin, xmax = min(xmin, b.x[i]-b.width/2), max(xmax, b.x[i]+b.width/2)
		ymax = max(ymax, b.y[i], b.hi[i])
	}
	for _, x := range b.missing {
		xmin, xmax = min(xmin, x-b.width/2), max(xmax, x+b.width/2)
	}
	return
}

func (b *barPlotter) Thumbnail(c *draw.Canvas) {
	c.SetColor(b.color)
	c.Fill(c.Rectangle.Path())
}

// A Series is one line of a line plot. Lo and Hi, if set, are the
// bounds of each point's error bar.
type Series struct {
	Name   string
	X, Y   []float64
	Lo, Hi []float64
}

// Axis scales for Lines.
type Scale int

const (
	Linear Scale = iota
	Log2         // ticks at powers of two, labelled 1K, 4K, 16K, ...
	Log10        // ticks at powers of ten
)

// Lines draws one line with points per series, with error bars where
// the series has them. Series that share a curve (sameCurve) are drawn
// once, under the first one's name, and the legend lists the others
// under it as "= NAME": lines drawn over each other would hide all but
// the last.
func Lines(name, title, xlabel, ylabel string, xscale Scale, series []Series) (*Figure, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("plot %s: no data", name)
	}
	f := newFigure(name, title, xlabel, ylabel)
	p := f.Plot
	p.Add(plotter.NewGrid())
	all := make([]plotter.XYs, len(series))
	for i, s := range series {
		xys, err := s.xys(name, xscale != Linear)
		if err != nil {
			return nil, err
		}
		all[i] = xys
	}
	shared := false
	for i, group := range shareCurves(all) {
		s, xys := series[group[0]], all[group[0]]
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("plot %s: %v", name, err)
		}
		l.Color, l.Width = colorOf(i), vg.Points(1.5)
		pts.Color, pts.Shape, pts.Radius = colorOf(i), glyphs[i%len(glyphs)], vg.Points(3)
		p.Add(l, pts)
		if len(s.Lo) == len(s.X) && len(s.Hi) == len(s.X) {
			e := errPoints{xys, s.Lo, s.Hi}
			eb, err := plotter.NewYErrorBars(e)
			if err != nil {
				return nil, fmt.Errorf("plot %s: %v", name, err)
			}
			eb.Color = colorOf(i)
			p.Add(eb)
		}
		f.addLegend(s.Name, l, pts)
		for _, j := range group[1:] {
			f.addLegend("  = " + series[j].Name)
			shared = true
		}
	}
	if shared {
		f.addLegend(sameCurveNote)
	}
	switch xscale {
	case Log2:
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = log2Ticks{}
	case Log10:
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks
	}
	return f, nil
}

// sameTolerance is how far apart (relative) two curves' points may be
// and still be one curve: less than a line's width on these figures.
const sameTolerance = 0.01

// sameCurveNote explains the "= NAME" legend entries.
var sameCurveNote = fmt.Sprintf("(= same curve, within %g%%)", sameTolerance*100)

// shareCurves groups the curves that have the same points within
// sameTolerance, in order of first appearance: each group's first index
// is the one drawn.
func shareCurves(curves []plotter.XYs) [][]int {
	var groups [][]int
	for i, c := range curves {
		g := slices.IndexFunc(groups, func(g []int) bool { return sameCurve(curves[g[0]], c) })
		if g < 0 {
			groups = append(groups, []int{i})
			continue
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

func sameCurve(a, b plotter.XYs) bool {
	if len(a) != len(b) {
		return false
	}
	near := func(x, y float64) bool {
		return math.Abs(x-y) <= sameTolerance*max(math.Abs(x), math.Abs(y))
	}
	for i := range a {
		if !near(a[i].X, b[i].X) || !near(a[i].Y, b[i].Y) {
			return false
		}
	}
	return true
}

// glyphs mark the points of successive series.
var glyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.PlusGlyph{}}

// xys are the series' points, checked: as many x as y values, at least
// one, and with logX no x <= 0. name is the figure's, for errors.
func (s Series) xys(name string, logX bool) (plotter.XYs, error) {
	if len(s.X) != len(s.Y) || len(s.X) == 0 {
		return nil, fmt.Errorf("plot %s: series %q has %d x and %d y values", name, s.Name, len(s.X), len(s.Y))
	}
	xys := make(plotter.XYs, len(s.X))
	for j := range s.X {
		xys[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
		if logX && s.X[j] <= 0 {
			return nil, fmt.Errorf("plot %s: series %q has x %v on a log axis", name, s.Name, s.X[j])
		}
	}
	return xys, nil
}

type errPoints struct {
	plotter.XYs
	lo, hi []float64
}

func (e errPoints) YError(i int) (float64, float64) {
	return e.XYs[i].Y - e.lo[i], e.hi[i] - e.XYs[i].Y
}

// log2Ticks marks powers of two, labelling every other one with a
// binary prefix.
type log2Ticks struct{}

func (log2Ticks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	lo, hi := int(math.Floor(math.Log2(min))), int(math.Ceil(math.Log2(max)))
	step := 1
	for (hi-lo)/step > 8 {
		step *= 2
	}
	for e := lo; e <= hi; e++ {
		v := math.Exp2(float64(e))
		if v < min || v > max {
			continue
		}
		label := ""
		if e%step == 0 {
			label = binary(e)
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

func binary(e int) string {
	for _, u := range []struct {
		exp    int
		prefix string
	}{{40, "T"}, {30, "G"}, {20, "M"}, {10, "K"}} {
		if e >= u.exp {
			return strconv.Itoa(1<<(e-u.exp)) + u.prefix
		}
	}
	if e < 0 {
		return "2^" + strconv.Itoa(e)
	}
	return strconv.Itoa(1 << e)
}

// ExpectedCost plots the expected cost of a swapin against the rate of
// one event (named event; xlabel says what is counted, e.g. "retries per
// swapin"), one line per fix. X is the event's rate, Y the expected
// kernel time per swapin in nanoseconds; the caller computes both. The x
// axis is logarithmic when the rates are positive and span more than two
// decades, the y axis when the costs span more than two (a one-tick sleep
// next to microsecond swapins). where, e.g. " (kernel=v6.9 data=text)",
// ends the title. The figure is named expected-cost-EVENT.
func ExpectedCost(event, xlabel, where string, series []Series) (*Figure, error) {
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), 0.0
	for _, s := range series {
		for i := range s.X {
			xmin, xmax = min(xmin, s.X[i]), max(xmax, s.X[i])
		}
		for _, y := range s.Y {
			ymin, ymax = min(ymin, y), max(ymax, y)
		}
	}
	scale := Linear
	if pos := positiveMin(series); pos > 0 && xmax/pos > 100 {
		// Rates clustered near zero: a log axis spreads them, and
		// leaves rate 0 off (the label says so).
		scale = Log10
		if xmin <= 0 {
			xlabel += " (log; rate 0 left off)"
		} else {
			xlabel += " (log scale)"
		}
	}
	div, unit := timeUnit(ymax)
	scaled := make([]Series, len(series))
	for i, s := range series {
		if scale == Log10 {
			s = s.positive()
		}
		scaled[i] = Series{Name: s.Name, X: s.X, Y: divide(s.Y, div), Lo: divide(s.Lo, div), Hi: divide(s.Hi, div)}
	}
	f, err := Lines("expected-cost-"+event, "Expected cost vs the "+event+" rate"+where,
		xlabel, "kernel time per swapin ("+unit+")", scale, scaled)
	if err != nil {
		return nil, err
	}
	if scale == Linear {
		f.Plot.X.Min = 0
	}
	if ymin > 0 && ymax/ymin > 100 {
		f.Plot.Y.Scale = plot.LogScale{}
		f.Plot.Y.Tick.Marker = logTicks
	} else {
		f.Plot.Y.Min = 0
	}
	return f, nil
}

// positiveMin is the smallest x > 0 of the series, or 0 if none is.
func positiveMin(series []Series) float64 {
	m := 0.0
	for _, s := range series {
		for _, x := range s.X {
			if x > 0 && (m == 0 || x < m) {
				m = x
			}
		}
	}
	return m
}

// positive is s without its points at x <= 0.
func (s Series) positive() Series {
	out := Series{Name: s.Name}
	for i, x := range s.X {
		if x <= 0 {
			continue
		}
		out.X, out.Y = append(out.X, x), append(out.Y, s.Y[i])
		if len(s.Lo) == len(s.X) && len(s.Hi) == len(s.X) {
			out.Lo, out.Hi = append(out.Lo, s.Lo[i]), append(out.Hi, s.Hi[i])
		}
	}
	return out
}

func divide(v []float64, d float64) []float64 {
	if v == nil {
		return nil
	}
	out := make([]float64, len(v))
	for i := range v {
		out[i] = v[i] / d
	}
	return out
}

// timeUnit picks a unit for nanosecond values up to max.
func timeUnit(max float64) (div float64, unit string) {
	switch {
	case max >= 1e7:
		return 1e6, "ms"
	case max >= 1e4:
		return 1e3, "µs"
	}
	return 1, "ns"
}

// A Sample is a set of latencies in nanoseconds.
type Sample struct {
	Name   string
	Values []float64
}

// maxCDFPoints bounds the points drawn per sample, spread evenly over
// the nines axis, so the SVG stays small.
const maxCDFPoints = 400

// CDF draws each sample's empirical distribution function: x the
// latency (log axis), y the fraction of swapins at most that slow on a
// nines axis, so that 0.9, 0.99, 0.999 are evenly spaced and a rare
// one-tick sleep shows as a step at the top.
func CDF(name, title string, samples []Sample) (*Figure, error) {
	if len(samples) == 0 {
		return nil, fmt.Errorf("plot %s: no data", name)
	}
	xmax, nmax := 0.0, 0
	for _, s := range samples {
		if len(s.Values) < 2 {
			return nil, fmt.Errorf("plot %s: sample %q has %d values, want at least 2", name, s.Name, len(s.Values))
		}
		xmax = max(xmax, slices.Max(s.Values))
		nmax = max(nmax, len(s.Values))
	}
	div, unit := timeUnit(xmax / 100)
	var series []Series
	for _, s := range samples {
		v := slices.Clone(s.Values)
		slices.Sort(v)
		n := len(v)
		// Point i is (v[i], (i+1)/n), the last one (y = 1) left
		// off: the nines axis cannot show it.
		var idx []int
		top := math.Log10(float64(n))
		for k := 0; k < maxCDFPoints; k++ {
			q := 1 - math.Pow(10, -top*float64(k)/float64(maxCDFPoints-1))
			i := int(math.Ceil(q*float64(n))) - 1
			i = min(max(i, 0), n-2)
			if len(idx) == 0 || idx[len(idx)-1] != i {
				idx = append(idx, i)
			}
		}
		sr := Series{Name: s.Name}
		for _, i := range idx {
			sr.X = append(sr.X, max(v[i], 1e-3)/div)
			sr.Y = append(sr.Y, float64(i+1)/float64(n))
		}
		series = append(series, sr)
	}
	f := newFigure(name, title, "latency ("+unit+", log scale)", "fraction of swapins at most x")
	p := f.Plot
	p.Add(plotter.NewGrid())
	all := make([]plotter.XYs, len(series))
	for i, s := range series {
		all[i] = make(plotter.XYs, len(s.X))
		for j := range s.X {
			all[i][j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
		}
	}
	shared := false
	for i, group := range shareCurves(all) {
		l, err := plotter.NewLine(all[group[0]])
		if err != nil {
			return nil, fmt.Errorf("plot %s: %v", name, err)
		}
		l.StepStyle = plotter.PostStep
		l.Color, l.Width = colorOf(i), vg.Points(1.5)
		l.Dashes = dashes[i%len(dashes)]
		p.Add(l)
		f.addLegend(series[group[0]].Name, l)
		for _, j := range group[1:] {
			f.addLegend("  = " + series[j].Name)
			shared = true
		}
	}
	if shared {
		f.addLegend(sameCurveNote)
	}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks
	p.Y.Scale = ninesScale{}
	p.Y.Tick.Marker = ninesTicks{}
	p.Y.Min, p.Y.Max = 0, 1-1/float64(nmax)
	// Room on the right, so a step at the largest latency shows.
	p.X.Max = xmax / div * 2
	return f, nil
}

// dashes tell lines apart where colours do not (print, colour blindness).
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)},
}

// ninesScale maps y to -log10(1-y): 0.9, 0.99, 0.999 evenly spaced.
type ninesScale struct{}

func nines(y float64) float64 { return -math.Log10(1 - min(y, 1-1e-12)) }

func (ninesScale) Normalize(lo, hi, y float64) float64 {
	a, b := nines(lo), nines(hi)
	return (nines(y) - a) / (b - a)
}

// ninesTicks marks 0, 0.5, 0.9, 0.99, ... up to the axis maximum.
type ninesTicks struct{}

func (ninesTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := []plot.Tick{{Value: 0, Label: "0"}, {Value: 0.5, Label: "0.5"}}
	for k := 1; ; k++ {
		v := 1 - math.Pow(10, -float64(k))
		if v > hi*(1+1e-12) {
			break
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', k, 64)})
	}
	return slices.DeleteFunc(ticks, func(t plot.Tick) bool { return t.Value < lo })
}

// logTicks are gonum's log ticks without those outside the axis: gonum
// pads the plot for the labels of every tick it is given, so a label at
// 1 on an axis ending at 0.2 left a blank band beside the plot.
var logTicks = clipTicks{plot.LogTicks{Prec: -1}}

type clipTicks struct{ plot.Ticker }

func (c clipTicks) Ticks(min, max float64) []plot.Tick {
	return slices.DeleteFunc(c.Ticker.Ticks(min, max), func(t plot.Tick) bool {
		return t.Value < min*(1-1e-9) || t.Value > max*(1+1e-9)
	})
}
