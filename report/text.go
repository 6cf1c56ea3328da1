package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/perf/benchunit"
)

// MaxWidth is the widest line the text formats aim for and the most
// that the plain-text report ever holds: what a mail reply quotes
// without wrapping.
const MaxWidth = 72

// WriteText writes the tables as plain text in benchstat's style:
// median ± confidence interval per column, then for each column after
// the first the change against the first and its p-value. A table that
// would be wider than MaxWidth is written long instead, one line per
// row and column. Longer configuration lines and titles are folded. No
// tabs; lines end without trailing spaces.
func (c *Comparison) WriteText(w io.Writer) error {
	var b strings.Builder
	var prev map[string]bool
	for i, t := range c.Tables {
		if i > 0 {
			b.WriteString("\n")
		}
		prev = writeConfig(&b, t.Config, prev, "")
		b.WriteString(t.text())
	}
	b.WriteString("\n")
	b.WriteString(c.method())
	// Configuration lines and table titles can be longer than any
	// table: fold them too.
	_, err := io.WriteString(w, fold(b.String()))
	return err
}

// method says how the numbers were computed, in two short lines.
func (c *Comparison) method() string {
	return fmt.Sprintf("median ± %s confidence interval; vs base: change of the medians,\n"+
		"~ when the Mann-Whitney U test gives p > %s; n: samples per column.\n",
		pct(c.Confidence), strconv.FormatFloat(c.Alpha, 'f', -1, 64))
}

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', -1, 64) + "%" }

// writeConfig writes the configuration lines that changed since prev.
func writeConfig(b *strings.Builder, config []string, prev map[string]bool, prefix string) map[string]bool {
	cur := map[string]bool{}
	wrote := false
	for _, l := range config {
		cur[l] = true
		if !prev[l] {
			b.WriteString(prefix + l + "\n")
			wrote = true
		}
	}
	if wrote && prefix == "" {
		b.WriteString("\n")
	}
	return cur
}

// title is the line above a table.
func (t *Table) title() string {
	if t.Pattern != "" {
		return t.Pattern
	}
	return t.Name
}

// text renders the table wide if it fits MaxWidth, else long.
func (t *Table) text() string {
	s := t.wide()
	if maxLineWidth(s) <= MaxWidth {
		return s
	}
	return t.long()
}

func maxLineWidth(s string) int {
	m := 0
	for _, l := range strings.Split(s, "\n") {
		m = max(m, utf8.RuneCountInString(l))
	}
	return m
}

// notes numbers the warnings of a table as footnotes [1], [2], ...
type notes struct {
	list []string
	idx  map[string]int
}

func (n *notes) mark(ws ...[]string) string {
	var marks []string
	for _, l := range ws {
		for _, w := range l {
			marks = append(marks, fmt.Sprintf("[%d]", n.index(w)))
		}
	}
	return strings.Join(marks, "")
}

// index returns the number of the footnote w, adding it if new.
func (n *notes) index(w string) int {
	if n.idx == nil {
		n.idx = map[string]int{}
	}
	i, ok := n.idx[w]
	if !ok {
		n.list = append(n.list, w)
		i = len(n.list)
		n.idx[w] = i
	}
	return i
}

func (n *notes) String() string {
	var b strings.Builder
	for i, w := range n.list {
		fmt.Fprintf(&b, "[%d] %s\n", i+1, w)
	}
	return b.String()
}

// deterministicNote is the one footnote of every cell whose rounds all
// gave the same value (the modelled units): it carries no interval and
// no test, and its change against the base is exact.
const deterministicNote = "deterministic (modelled): the same value in every round, so no ± and no p; vs base is the exact change"

// cellStrings formats a cell with the row's common scale. A
// deterministic cell (and its change against a deterministic base) is
// printed without statistics, which would only say "all samples are
// equal" (n=10) or "~" for any change (n=1).
func cellStrings(c *Cell, sc benchunit.Scaler) (center, ci, delta, p string) {
	center = sc.Format(c.Summary.Center)
	if c.Deterministic() {
		if c.Base != nil {
			delta = c.Change()
			if !c.exact() {
				p = "(" + c.Cmp.String() + ")"
			}
		}
		return
	}
	ci = "± " + c.Summary.PctRangeString()
	if c.Base != nil {
		delta = c.Delta()
		p = "(" + c.Cmp.String() + ")"
	}
	return
}

// exactDelta is the change from base to v in percent, as benchstat
// prints a significant one, or "0%" when they are equal.
func exactDelta(base, v float64) string {
	switch {
	case v == base:
		return "0%"
	case base == 0:
		return "?"
	}
	return fmt.Sprintf("%+.2f%%", (v/base-1)*100)
}

// cellWarnings are the footnotes of a cell: the deterministic note
// alone for a deterministic cell with a deterministic base (or none),
// x/perf's warnings otherwise.
func cellWarnings(c *Cell) []string {
	if c.exact() || c.Base == nil && c.Deterministic() {
		return []string{deterministicNote}
	}
	return c.Warnings
}

func (t *Table) rowScaler(r *Row) benchunit.Scaler {
	var vals []float64
	for _, c := range r.Cells {
		if c != nil {
			vals = append(vals, c.Summary.Center)
		}
	}
	return benchunit.CommonScale(vals, benchunit.ClassOf(t.Unit))
}

func (t *Table) geomeanStrings(ci int) (value, ratio string) {
	g := t.Geomean[ci]
	if g.HasValue {
		value = benchunit.Scale(g.Value, benchunit.ClassOf(t.Unit))
	}
	if ci > 0 {
		ratio = "?"
		if g.HasRatio {
			ratio = fmt.Sprintf("%+.2f%%", (g.Ratio-1)*100)
		}
	}
	return
}

// wide is benchstat's layout: a column group per column.
func (t *Table) wide() string {
	var g grid
	var n notes
	start := func(ci int) int {
		if ci == 0 {
			return 1
		}
		return 3 + (ci-1)*4
	}
	g.gaps = map[int]string{}
	for ci := range t.Cols {
		g.gaps[start(ci)+1] = " "
		if ci > 0 {
			g.gaps[start(ci)+3] = " "
		}
	}
	hdr := g.row()
	unitRow := g.row()
	for ci, col := range t.Cols {
		span := 2
		if ci > 0 {
			span = 4
		}
		hdr.add(start(ci), span, col, alignCenter)
		unitRow.add(start(ci), 2, t.Unit, alignCenter)
		if ci > 0 {
			unitRow.add(start(ci)+2, 2, "vs base", alignLeft)
		}
	}
	for _, r := range t.Rows {
		gr := g.row()
		label := r.Label
		if label == "" {
			label = t.Name
		}
		gr.add(0, 1, label, alignLeft)
		sc := t.rowScaler(r)
		for ci, c := range r.Cells {
			if c == nil {
				continue
			}
			center, ciStr, delta, p := cellStrings(c, sc)
			gr.add(start(ci), 1, center, alignRight)
			if ci == 0 || c.Base == nil {
				ciStr += n.mark(cellWarnings(c))
			}
			gr.add(start(ci)+1, 1, ciStr, alignLeft)
			if c.Base != nil {
				gr.add(start(ci)+2, 1, delta, alignRight)
				gr.add(start(ci)+3, 1, p+n.mark(cellWarnings(c)), alignLeft)
			}
		}
	}
	if len(t.Rows) > 1 {
		gr := g.row()
		gr.add(0, 1, "geomean", alignLeft)
		for ci := range t.Cols {
			v, ratio := t.geomeanStrings(ci)
			gr.add(start(ci), 1, v, alignRight)
			if ci > 0 {
				gr.add(start(ci)+2, 1, ratio, alignRight)
				gr.add(start(ci)+3, 1, n.mark(t.Geomean[ci].Warnings), alignLeft)
			} else {
				gr.add(start(ci)+1, 1, n.mark(t.Geomean[ci].Warnings), alignLeft)
			}
		}
	}
	return t.title() + "\n" + g.String() + n.String()
}

// long is the narrow layout: a label line per row, then a line per
// column under it.
func (t *Table) long() string {
	var g grid
	var n notes
	g.gaps = map[int]string{2: " ", 4: " "}
	h := g.row()
	h.add(0, 1, t.Unit, alignLeft)
	h.add(1, 1, "median", alignRight)
	h.add(3, 2, "vs "+t.Cols[0], alignLeft)
	for _, r := range t.Rows {
		if r.Label != "" {
			g.free(r.Label)
		}
		sc := t.rowScaler(r)
		for ci, c := range r.Cells {
			if c == nil {
				continue
			}
			gr := g.row()
			gr.add(0, 1, "  "+t.Cols[ci], alignLeft)
			center, ciStr, delta, p := cellStrings(c, sc)
			gr.add(1, 1, center, alignRight)
			if c.Base == nil {
				ciStr += n.mark(cellWarnings(c))
			}
			gr.add(2, 1, ciStr, alignLeft)
			if c.Base != nil {
				gr.add(3, 1, delta, alignRight)
				gr.add(4, 1, p+n.mark(cellWarnings(c)), alignLeft)
			}
		}
	}
	if len(t.Rows) > 1 {
		g.free("geomean")
		for ci, col := range t.Cols {
			gr := g.row()
			gr.add(0, 1, "  "+col, alignLeft)
			v, ratio := t.geomeanStrings(ci)
			gr.add(1, 1, v, alignRight)
			gr.add(2, 1, n.mark(t.Geomean[ci].Warnings), alignLeft)
			if ci > 0 {
				gr.add(3, 1, ratio, alignRight)
			}
		}
	}
	return t.title() + "\n" + g.String() + n.String()
}

// WriteMarkdown writes the tables as Markdown tables, one per unit and
// benchmark, wide whatever their width.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	var prev map[string]bool
	for i, t := range c.Tables {
		if i > 0 {
			b.WriteString("\n")
		}
		var cb strings.Builder
		prev = writeConfig(&cb, t.Config, prev, "")
		if cb.Len() > 0 {
			b.WriteString("```\n" + strings.TrimSuffix(cb.String(), "\n") + "```\n\n")
		}
		fmt.Fprintf(&b, "`%s` %s\n\n", t.title(), mdEscape(t.Unit))
		var n notes
		hdr := []string{"benchmark"}
		align := []string{"---"}
		for ci, col := range t.Cols {
			hdr = append(hdr, mdEscape(col))
			align = append(align, "--:")
			if ci > 0 {
				hdr = append(hdr, "vs base")
				align = append(align, "--:")
			}
		}
		mdRow(&b, hdr)
		mdRow(&b, align)
		for _, r := range t.Rows {
			label := r.Label
			if label == "" {
				label = t.Name
			}
			cells := []string{mdEscape(label)}
			sc := t.rowScaler(r)
			for ci, c := range r.Cells {
				if c == nil {
					cells = append(cells, "")
					if ci > 0 {
						cells = append(cells, "")
					}
					continue
				}
				center, ciStr, delta, p := cellStrings(c, sc)
				mark := n.mark(cellWarnings(c))
				if ci == 0 {
					cells = append(cells, center+" "+ciStr+mark)
					continue
				}
				cells = append(cells, center+" "+ciStr)
				if c.Base != nil {
					cells = append(cells, delta+" "+p+mark)
				} else {
					cells = append(cells, mark)
				}
			}
			mdRow(&b, cells)
		}
		if len(t.Rows) > 1 {
			cells := []string{"geomean"}
			for ci := range t.Cols {
				v, ratio := t.geomeanStrings(ci)
				mark := n.mark(t.Geomean[ci].Warnings)
				if ci == 0 {
					cells = append(cells, v+mark)
				} else {
					cells = append(cells, v, ratio+mark)
				}
			}
			mdRow(&b, cells)
		}
		if len(n.list) > 0 {
			b.WriteString("\n")
			for i, w := range n.list {
				fmt.Fprintf(&b, "[%d] %s  \n", i+1, mdEscape(w))
			}
		}
	}
	b.WriteString("\n" + c.method())
	_, err := io.WriteString(w, b.String())
	return err
}

func mdRow(b *strings.Builder, cells []string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "'").Replace(s)
}

// WriteCSV writes one record per cell: the table's configuration,
// benchmark name, row, column and unit, the number of samples, the
// median and its confidence interval in the unit, and for compared
// cells the change ("~" if not significant) and the p-value.
func (c *Comparison) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"config", "name", "row", "col", "unit", "n", "median", "ci_low", "ci_high", "ci_pct", "base", "delta", "p", "warnings"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, t := range c.Tables {
		config := strings.Join(t.Config, "; ")
		for _, r := range t.Rows {
			for ci, cell := range r.Cells {
				if cell == nil {
					continue
				}
				rec := []string{config, t.Name, r.Key, t.Cols[ci], t.Unit, strconv.Itoa(len(cell.Values)),
					f(cell.Summary.Center), f(cell.Summary.Lo), f(cell.Summary.Hi), cell.Summary.PctRangeString()}
				if cell.Base != nil {
					rec = append(rec, t.Cols[0], cell.Delta(), strconv.FormatFloat(cell.Cmp.P, 'f', 4, 64))
				} else {
					rec = append(rec, "", "", "")
				}
				rec = append(rec, strings.Join(cell.Warnings, "; "))
				cw.Write(rec)
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// A grid lays out text in aligned columns.
type grid struct {
	rows []*gridRow
	// gaps are the separators before columns; "  " when not set.
	gaps map[int]string
}

type gridRow struct {
	cells  []gridCell
	free   string
	isFree bool
}

type align int

const (
	alignLeft align = iota
	alignRight
	alignCenter
)

type gridCell struct {
	col, span int
	text      string
	align     align
}

func (g *grid) row() *gridRow {
	r := &gridRow{}
	g.rows = append(g.rows, r)
	return r
}

// free adds a line that takes no part in the layout.
func (g *grid) free(s string) {
	g.rows = append(g.rows, &gridRow{free: s, isFree: true})
}

func (r *gridRow) add(col, span int, text string, a align) {
	r.cells = append(r.cells, gridCell{col, span, text, a})
}

func (g *grid) gap(col int) string {
	if col == 0 {
		return ""
	}
	if s, ok := g.gaps[col]; ok {
		return s
	}
	return "  "
}

func (g *grid) String() string {
	ncol := 0
	for _, r := range g.rows {
		for _, c := range r.cells {
			ncol = max(ncol, c.col+c.span)
		}
	}
	width := make([]int, ncol)
	for _, r := range g.rows {
		for _, c := range r.cells {
			if c.span == 1 {
				width[c.col] = max(width[c.col], utf8.RuneCountInString(c.text))
			}
		}
	}
	spanWidth := func(col, span int) int {
		w := 0
		for i := col; i < col+span; i++ {
			if i > col {
				w += len(g.gap(i))
			}
			w += width[i]
		}
		return w
	}
	for _, r := range g.rows {
		for _, c := range r.cells {
			if c.span > 1 {
				if need := utf8.RuneCountInString(c.text) - spanWidth(c.col, c.span); need > 0 {
					width[c.col+c.span-1] += need
				}
			}
		}
	}
	var b strings.Builder
	for _, r := range g.rows {
		if r.isFree {
			b.WriteString(r.free + "\n")
			continue
		}
		at := map[int]gridCell{}
		for _, c := range r.cells {
			at[c.col] = c
		}
		var line strings.Builder
		for col := 0; col < ncol; {
			line.WriteString(g.gap(col))
			c, ok := at[col]
			if !ok {
				line.WriteString(strings.Repeat(" ", width[col]))
				col++
				continue
			}
			w := spanWidth(col, c.span)
			pad := w - utf8.RuneCountInString(c.text)
			switch c.align {
			case alignLeft:
				line.WriteString(c.text + strings.Repeat(" ", pad))
			case alignRight:
				line.WriteString(strings.Repeat(" ", pad) + c.text)
			case alignCenter:
				line.WriteString(strings.Repeat(" ", pad/2) + c.text + strings.Repeat(" ", pad-pad/2))
			}
			col += c.span
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}
