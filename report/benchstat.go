package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/perf/benchproc"
	"golang.org/x/perf/benchunit"
)

// WriteBenchstat writes the tables exactly as `go tool benchstat`
// lays them out: the table keys that change, then per table a header
// line per column key level, the unit line with "vs base" over every
// column after the baseline, one line per row with the row's full
// name, the geomean line, and the warnings as superscript footnotes.
//
// The layout is benchstat's: each column is as wide as its widest
// cell, whatever the total, so a table with many columns is wide
// (six fixes of Swapin take about 250 columns). WriteText is the form
// for a mail.
//
// benchstat's layout code (cmd/benchstat/internal/benchtab and
// internal/texttab of golang.org/x/perf) is internal to its command
// and cannot be imported, and the importable golang.org/x/perf/benchstat
// is the old v1 layout; so this ports Table.ToText and
// texttab.Table.Format of the version go.mod pins. The statistics are
// x/perf's own (benchmath), computed by Compare.
func (c *Comparison) WriteBenchstat(w io.Writer) error {
	var b strings.Builder
	var prev benchproc.Key
	for i, t := range c.Tables {
		if i > 0 {
			b.WriteString("\n")
		}
		// benchstat prints the fields of the table key that
		// changed, all of them for the first table, except .unit
		// (the table shows it).
		for _, f := range t.key.Projection().FlattenedFields() {
			if f.Name == ".unit" {
				continue
			}
			if v := t.key.Get(f); prev.IsZero() || v != prev.Get(f) {
				fmt.Fprintf(&b, "%s: %s\n", f.Name, v)
			}
		}
		prev = t.key
		t.benchstat(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// benchstat renders one table as benchtab's Table.ToText does.
func (t *Table) benchstat(b *strings.Builder) {
	var o textTable
	const labelCols = 1
	const centerCols = 3 // <center ±> <CI> <warnings>
	const deltaCols = 3  // <P%> <(p=0.PPP n=N)> <warnings>
	startCol := func(exp int) int {
		if exp == 0 {
			return labelCols
		}
		return labelCols + centerCols + (exp-1)*(centerCols+deltaCols)
	}
	var n notes
	warn := func(ws []string) {
		var marks []string
		for _, w := range ws {
			marks = append(marks, superscript(n.index(w)))
		}
		o.cell(strings.Join(marks, " "))
	}

	kt := benchproc.NewKeyHeader(t.colKeys)
	rEdge := startCol(len(t.Cols) + 1)
	for nodes := kt.Top; len(nodes) > 0; {
		var next []*benchproc.KeyHeaderNode
		o.row()
		for _, node := range nodes {
			l, r := startCol(node.Start), startCol(node.Start+node.Len)
			o.col(l).span(r-l, node.Value, alignCenter, " │ ")
			next = append(next, node.Children...)
		}
		o.col(rEdge).span(1, "", alignLeft, " │")
		nodes = next
	}
	o.row()
	for i := range t.Cols {
		l := startCol(i)
		o.col(l)
		o.span(centerCols, t.Unit, alignCenter, " │ ")
		if i > 0 {
			o.span(deltaCols, "vs base", alignLeft, "  ")
		}
		for j := l + 1; j < o.curCol; j++ {
			o.setShrink(j)
		}
	}
	o.col(rEdge).span(1, "", alignLeft, " │")

	for _, r := range t.Rows {
		o.row()
		o.cell(r.Key)
		sc := t.rowScaler(r)
		for exp, c := range r.Cells {
			if c == nil {
				continue
			}
			o.col(startCol(exp))
			o.span(1, sc.Format(c.Summary.Center), alignRight, "")
			o.span(1, c.Summary.PctRangeString(), alignRight, " ± ")
			warn(c.sampleWarnings)
			if exp > 0 && c.Base != nil {
				o.span(1, c.Delta(), alignRight, "")
				o.cell("(" + c.Cmp.String() + ")")
				warn(c.cmpWarnings)
			}
		}
	}
	if len(t.Rows) > 1 {
		o.row()
		o.cell("geomean")
		for exp := range t.Cols {
			g := t.Geomean[exp]
			if g.HasValue {
				o.col(startCol(exp))
				o.span(1, benchunit.Scale(g.Value, benchunit.ClassOf(t.Unit)), alignRight, "")
			}
			if exp > 0 {
				o.col(startCol(exp) + centerCols)
				if _, ratio := t.geomeanStrings(exp); ratio != "?" {
					o.span(1, ratio, alignRight, "")
				} else {
					o.cell("?")
				}
			}
			o.col(startCol(exp+1) - 1)
			warn(g.Warnings)
		}
	}
	o.format(b)
	for i, w := range n.list {
		fmt.Fprintf(b, "%s %s\n", superscript(i+1), w)
	}
}

func superscript(i int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	d := []rune(digits)
	s := ""
	for {
		s = string(d[i%10]) + s
		if i /= 10; i == 0 {
			return s
		}
	}
}

// textTable is x/perf's texttab.Table: cells on a grid, each with a
// left margin, columns as wide as their widest cell and margin, cells
// that span columns widening the non-shrink columns they span.
type textTable struct {
	cells          []textCell
	cols           int
	shrink         []bool
	curRow, curCol int
}

type textCell struct {
	row, col, span int
	value, margin  string
	align          align
}

func (t *textTable) row() {
	if len(t.cells) > 0 {
		t.curRow++
	}
	t.curCol = 0
}

func (t *textTable) col(c int) *textTable {
	if c < t.curCol {
		panic(fmt.Sprintf("textTable: column %d after %d", c, t.curCol))
	}
	t.curCol = c
	return t
}

// cell adds a left-aligned one-column cell with the default margin.
func (t *textTable) cell(v string) { t.span(1, v, alignLeft, "") }

// span adds a cell over n columns with the given left margin, or
// with texttab's default if margin is "": one space, none in the
// leftmost column or before an empty cell.
func (t *textTable) span(n int, v string, a align, margin string) {
	m := margin
	if m == "" && t.curCol > 0 && v != "" {
		m = " "
	}
	t.cells = append(t.cells, textCell{t.curRow, t.curCol, n, v, m, a})
	t.curCol += n
	t.cols = max(t.cols, t.curCol)
}

func (t *textTable) setShrink(c int) {
	for len(t.shrink) <= c {
		t.shrink = append(t.shrink, false)
	}
	t.shrink[c] = true
}

func (t *textTable) format(b *strings.Builder) {
	shrink := func(c int) bool { return c < len(t.shrink) && t.shrink[c] }
	lmargin := make([]int, t.cols)
	for _, c := range t.cells {
		lmargin[c.col] = max(lmargin[c.col], utf8.RuneCountInString(c.margin))
	}
	ws := make([]int, t.cols)
	sort.SliceStable(t.cells, func(i, j int) bool { return t.cells[i].span < t.cells[j].span })
	for _, c := range t.cells {
		w := utf8.RuneCountInString(c.value) + lmargin[c.col]
		if c.span == 1 {
			ws[c.col] = max(ws[c.col], w)
			continue
		}
		tw := 0
		for i := c.col; i < c.col+c.span; i++ {
			tw += ws[i]
		}
		if tw >= w {
			continue
		}
		// Spread the missing width over the non-shrink columns,
		// widest first, each to the average still needed.
		var grow []int
		for i := c.col; i < c.col+c.span; i++ {
			if shrink(i) {
				w -= ws[i]
			} else {
				grow = append(grow, i)
			}
		}
		sort.SliceStable(grow, func(i, j int) bool { return ws[grow[i]] > ws[grow[j]] })
		left := len(grow)
		for _, i := range grow {
			ws[i] = max(ws[i], (w+left-1)/left)
			w -= ws[i]
			left--
		}
	}
	offs := make([]int, t.cols+1)
	for i, w := range ws {
		offs[i+1] = offs[i] + w
	}
	sort.SliceStable(t.cells, func(i, j int) bool {
		if t.cells[i].row != t.cells[j].row {
			return t.cells[i].row < t.cells[j].row
		}
		return t.cells[i].col < t.cells[j].col
	})
	row, off := 0, 0
	for _, c := range t.cells {
		if strings.TrimSpace(c.value) == "" && strings.TrimSpace(c.margin) == "" {
			continue
		}
		for ; c.row > row; row++ {
			b.WriteString("\n")
			off = 0
		}
		pad := lmargin[c.col] - utf8.RuneCountInString(c.margin)
		fmt.Fprintf(b, "%*s%*s%s", offs[c.col]-off, "", pad, "", c.margin)
		off = offs[c.col] + lmargin[c.col]
		tw := offs[c.col+c.span] - offs[c.col] - lmargin[c.col]
		s := c.value
		switch c.align {
		case alignCenter:
			s = strings.Repeat(" ", max(0, (tw-utf8.RuneCountInString(s))/2)) + s
		case alignRight:
			s = strings.Repeat(" ", max(0, tw-utf8.RuneCountInString(s))) + s
		}
		b.WriteString(s)
		off += utf8.RuneCountInString(s)
	}
	if len(t.cells) > 0 {
		b.WriteString("\n")
	}
}
