// Package plots draws swapbench's figures with gonum.org/v1/plot, as
// PNG and SVG files sized for a mail attachment: 6x4 inches, 12 pt
// titles, 11 pt axis labels, 10 pt ticks and legends, the legend to the
// right of the plot, colours from the Okabe-Ito palette (safe for
// colour-blind readers).
//
// The figures:
//
//   - swapin-kernel-time, swapin-sim-time: swapin cost per fix, grouped
//     by backend and codec, with 95% confidence intervals of the median
//     as error bars; modelled kernel time (kernel-ns/op) and measured
//     simulator time (ns/op) apart.
//   - zswap-index-OP: zswap index cost against the number of entries
//     (log2 axis), one line per kernel base.
//   - expected-cost: expected cost per swapin against the failure rate,
//     one line per fix, from series the caller computes.
//   - dup-memory, slot-held: duplicate compressed memory (dup-B/op) and
//     the time the swap slot stays allocated (slot-held-ns/op) per fix.
//   - latency-cdf: the distribution of per-swapin latency per fix on a
//     "nines" axis (0.9, 0.99, 0.999, ...) so that the one-tick sleep's
//     tail shows.
//
// Output is deterministic: the same input gives the same bytes. SVG
// files embed their fonts (vgsvg.EmbedFonts), so they render the same
// everywhere; gonum writes no timestamps or random ids.
package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/swapbench/swapbench/report"
)

// Size of every figure, and the resolution of PNG files.
const (
	Width  = 6 * vg.Inch
	Height = 4 * vg.Inch
	DPI    = 150
)

// A Figure is a title over a plot and its legend, drawn to the right
// of the plot.
type Figure struct {
	// Name is the file name without extension, e.g. "latency-cdf".
	Name   string
	Title  string
	Plot   *plot.Plot
	Legend plot.Legend
	// entries repeat Legend's, which gonum keeps to itself, so that
	// Draw can lay a wide legend out in columns under the plot.
	entries []legendEntry
}

type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

// addLegend adds an entry to the legend; with no thumbnails it is a line
// of text (a note under the entry before it).
func (f *Figure) addLegend(name string, thumbs ...plot.Thumbnailer) {
	f.Legend.Add(name, thumbs...)
	f.entries = append(f.entries, legendEntry{name, thumbs})
}

// maxLegendShare is the widest a legend beside the plot may be, as a
// share of the figure's width; a wider one goes under the plot.
const maxLegendShare = 0.3

// titleStyle is the style of figure titles.
func titleStyle() text.Style {
	sty := plot.New().Title.TextStyle
	sty.Font = sans(12)
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YTop
	return sty
}

// palette is Okabe and Ito's colour-blind safe palette, yellow last.
var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xff}, // blue
	color.RGBA{0xE6, 0x9F, 0x00, 0xff}, // orange
	color.RGBA{0x00, 0x9E, 0x73, 0xff}, // bluish green
	color.RGBA{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	color.RGBA{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	color.RGBA{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	color.RGBA{0x00, 0x00, 0x00, 0xff}, // black
	color.RGBA{0xF0, 0xE4, 0x42, 0xff}, // yellow
}

func colorOf(i int) color.Color { return palette[i%len(palette)] }

func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// newFigure makes a figure with swapbench's fonts and labels.
func newFigure(name, title, xlabel, ylabel string) *Figure {
	p := plot.New()
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(11)
		a.Tick.Label.Font = sans(10)
	}
	p.Y.Tick.Marker = tidyTicks{}
	return &Figure{Name: name, Title: title, Plot: p, Legend: newLegend()}
}

func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = sans(10)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(18)
	l.Padding = vg.Points(2)
	return l
}

// Draw draws the figure on a canvas: a white background, the title
// across the top, the plot, and the legend in a column to its right.
func (f *Figure) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	pad := vg.Points(8)
	if f.Title != "" {
		sty := titleStyle()
		c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - pad}, f.Title)
		c = draw.Crop(c, 0, 0, 0, -(sty.Height(f.Title) + 2*pad))
	}
	r := f.Legend.Rectangle(c)
	w := r.Max.X - r.Min.X
	if w <= 0 {
		f.drawPlot(c)
		return
	}
	if total := c.Max.X - c.Min.X; w > maxLegendShare*total {
		f.drawBelow(c, pad)
		return
	}
	f.drawPlot(draw.Crop(c, 0, -(w + 2*pad), 0, 0))
	f.Legend.Draw(draw.Crop(c, c.Max.X-c.Min.X-w-pad, -pad, 0, -pad))
}

// drawBelow draws the plot over its legend, in as few rows as fit the
// width. An entry without a thumbnail belongs to the one before it (a
// "= NAME" of a shared curve, a note), so columns break only before an
// entry with one.
func (f *Figure) drawBelow(c draw.Canvas, pad vg.Length) {
	total := c.Max.X - c.Min.X - 2*pad
	var blocks [][]legendEntry
	for _, e := range f.entries {
		if len(e.thumbs) > 0 || len(blocks) == 0 {
			blocks = append(blocks, nil)
		}
		blocks[len(blocks)-1] = append(blocks[len(blocks)-1], e)
	}
	rows := 1
	for _, b := range blocks {
		rows = max(rows, len(b))
	}
	var cols []plot.Legend
	var widths []vg.Length
	for ; ; rows++ {
		cols, widths = cols[:0], widths[:0]
		var col []legendEntry
		sum := vg.Length(0)
		flush := func() {
			l := newLegend()
			for _, e := range col {
				l.Add(e.name, e.thumbs...)
			}
			r := l.Rectangle(c)
			cols, widths = append(cols, l), append(widths, r.Max.X-r.Min.X)
			sum += r.Max.X - r.Min.X + 2*pad
			col = nil
		}
		for _, b := range blocks {
			if len(col)+len(b) > rows {
				flush()
			}
			col = append(col, b...)
		}
		flush()
		if sum <= total || len(cols) == 1 {
			break
		}
	}
	h := vg.Length(0)
	for _, l := range cols {
		r := l.Rectangle(c)
		h = max(h, r.Max.Y-r.Min.Y)
	}
	height := c.Max.Y - c.Min.Y
	f.drawPlot(draw.Crop(c, 0, 0, h+2*pad, 0))
	x := pad
	for i, l := range cols {
		l.Draw(draw.Crop(c, x, -(c.Max.X - c.Min.X - x - widths[i]), pad, -(height - h - pad)))
		x += widths[i] + 2*pad
	}
}

// drawPlot draws the plot in c. gonum pads a log axis for its label as
// if the label sat at the axis's arithmetic midpoint, far along a log
// axis, which left a blank band above and beside the plot; so a log
// axis's label is drawn here, centred on its side, and gonum draws the
// axis without one.
func (f *Figure) drawPlot(c draw.Canvas) {
	p := f.Plot
	if _, ok := p.Y.Scale.(plot.LogScale); ok && p.Y.Label.Text != "" {
		label := p.Y.Label.Text
		p.Y.Label.Text = ""
		defer func() { p.Y.Label.Text = label }()
		sty := p.Y.Label.TextStyle
		sty.Rotation = math.Pi / 2
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, vg.Point{X: c.Min.X, Y: (c.Min.Y + c.Max.Y) / 2}, label)
		c = draw.Crop(c, sty.Height(label)+p.Y.Label.Padding, 0, 0, 0)
	}
	if _, ok := p.X.Scale.(plot.LogScale); ok && p.X.Label.Text != "" {
		label := p.X.Label.Text
		p.X.Label.Text = ""
		defer func() { p.X.Label.Text = label }()
		sty := p.X.Label.TextStyle
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		descent := sty.FontExtents().Descent
		c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Min.Y + descent}, label)
		c = draw.Crop(c, 0, 0, sty.Height(label)+descent+p.X.Label.Padding, 0)
	}
	p.Draw(c)
}

// WriteSVG writes the figure as SVG with its fonts embedded.
func (f *Figure) WriteSVG(w io.Writer) error {
	c := vgsvg.NewWith(vgsvg.UseWH(Width, Height), vgsvg.EmbedFonts(true))
	f.Draw(draw.New(c))
	_, err := c.WriteTo(w)
	return err
}

// WritePNG writes the figure as PNG at DPI dots per inch.
func (f *Figure) WritePNG(w io.Writer) error {
	c := vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))
	f.Draw(draw.New(c))
	_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
	return err
}

// Save writes each figure as NAME.png and NAME.svg into dir, which must
// exist, and returns the paths written. Every file is written to a
// temporary file and renamed into place, so a failure truncates no
// figure already there.
func Save(dir string, figs []*Figure) ([]string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("output directory %s: %w", dir, unwrap(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("output directory %s: not a directory", dir)
	}
	var paths []string
	for _, f := range figs {
		for _, ext := range []string{"png", "svg"} {
			// Render first: a plotting failure leaves no file.
			var b bytes.Buffer
			write := f.WritePNG
			if ext == "svg" {
				write = f.WriteSVG
			}
			if err := write(&b); err != nil {
				return paths, fmt.Errorf("plot %s: %w", f.Name, err)
			}
			p := filepath.Join(dir, f.Name+"."+ext)
			if err := report.WriteFile(p, func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err }); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// tidyTicks are gonum's default ticks labelled without trailing zeros:
// "2500", not "2500.00".
type tidyTicks struct{}

func (tidyTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 6, 64)
		}
	}
	return ticks
}

func unwrap(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
