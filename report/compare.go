package report

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"

	"github.com/swapbench/swapbench/model"
)

// Options select and group what Compare compares. The zero value
// compares fixes: one column per /fix, one row per rest of the name.
type Options struct {
	// Col splits results into columns, as benchstat's -col: a
	// benchproc projection such as "/fix", ".file" or "/kernel".
	// Default "/fix".
	Col string
	// Row splits results into rows, as benchstat's -row. Default
	// ".fullname": the rest of the name once Col's keys are taken
	// out.
	Row string
	// Base is the column every other column is compared with.
	// Default: the first column, in order of appearance (benchstat's
	// rule).
	Base string
	// Table splits results into tables, as benchstat's -table.
	// Default ".config,.name": one table per file configuration and
	// benchmark (benchstat's default is ".config"), so that each
	// table's rows differ only in their keys. The .name part is left
	// out when Col or Row names .name.
	Table string
	// Filter is a benchproc filter, as benchstat's -filter, e.g.
	// ".unit:kernel-ns/op /backend:zswap+zram". Default "*".
	Filter string
	// Alpha is the significance level. Default 0.05.
	Alpha float64
	// Confidence is the confidence level of the intervals. Default
	// 0.95.
	Confidence float64
}

// DefaultCol is the column projection when Options.Col is empty.
const DefaultCol = "/fix"

func (o Options) withDefaults() Options {
	if o.Row == "" {
		o.Row = ".fullname"
	}
	if o.Filter == "" {
		o.Filter = "*"
	}
	if o.Alpha == 0 {
		o.Alpha = benchmath.DefaultThresholds.CompareAlpha
	}
	if o.Confidence == 0 {
		o.Confidence = 0.95
	}
	return o
}

// A Comparison is a set of benchstat-style tables: one per file
// configuration, benchmark name and unit.
type Comparison struct {
	// Col and Row are the projections used.
	Col, Row string
	// Alpha and Confidence are the levels used.
	Alpha, Confidence float64
	Tables            []*Table
}

// A Table compares the columns of one unit of one benchmark.
type Table struct {
	// Config is the file configuration shared by the table's
	// results, as "key: value" lines (goos, cpu, profile, ...).
	Config []string
	// Name is the benchmark name, e.g. "Swapin".
	Name string
	// Unit is the unit as benchstat shows it, in base units
	// ("sec/op", "kernel-sec/op", "dup-B/op"); OrigUnit is the unit
	// as the input wrote it ("ns/op", "kernel-ns/op").
	Unit, OrigUnit string
	// Pattern is the row name with the parts that vary between rows
	// replaced by "*", e.g. "Swapin/sync=tick/backend=*/data=text-2".
	Pattern string
	// Cols are the column labels; Cols[0] is the baseline.
	Cols []string
	// key is the table's key and colKeys are the columns' keys, for
	// benchstat's header lines (WriteBenchstat).
	key     benchproc.Key
	colKeys []benchproc.Key
	Rows    []*Row
	// Geomean summarises each column over the rows, as benchstat's
	// geomean row; it is shown only when there is more than one row.
	Geomean []Geomean
}

// A Row is one row of a Table.
type Row struct {
	// Key is the row as benchstat labels it, e.g.
	// "Swapin/sync=tick/kernel=v6.9/backend=zram/comp=lz4/data=text-2".
	Key string
	// Label is the part of Key that varies between the table's rows,
	// e.g. "backend=zram".
	Label string
	// Cells holds one cell per column; nil where the row has no
	// results in that column.
	Cells []*Cell
}

// A Cell summarises the results of one row and column.
type Cell struct {
	// Values are the measurements in the table's Unit, sorted.
	Values []float64
	// Summary is the median and its confidence interval.
	Summary benchmath.Summary
	// Base is the baseline cell of the row, or nil for the baseline
	// column itself or when the row has no baseline.
	Base *Cell
	// Cmp compares the cell with Base (Mann-Whitney U test).
	Cmp benchmath.Comparison
	// Warnings about the sample, its summary and the comparison.
	Warnings []string
	// modelled says the table's unit is computed by the simulator
	// (modelledUnit), so its rounds all agree by construction.
	modelled bool
	// sampleWarnings are those about the sample and its summary,
	// cmpWarnings those about the comparison: benchstat marks them
	// in different places.
	sampleWarnings, cmpWarnings []string
}

// Delta is benchstat's "vs base" column: the change of the median in
// percent, "~" if it is not significant, "" without a baseline.
func (c *Cell) Delta() string {
	if c.Base == nil {
		return ""
	}
	return c.Cmp.FormatDelta(c.Base.Summary.Center, c.Summary.Center)
}

// Change is Delta, except that of two deterministic cells it is the
// exact change (exactDelta), which benchstat's test would call "~"
// under 4 rounds: the mail and Markdown tables and the findings use it,
// the benchstat layout keeps benchstat's Delta.
func (c *Cell) Change() string {
	if c.exact() {
		return exactDelta(c.Base.Summary.Center, c.Summary.Center)
	}
	return c.Delta()
}

// exact reports whether the cell and its base are both deterministic:
// their difference is exact, with no test to apply.
func (c *Cell) exact() bool {
	return c.Base != nil && c.Deterministic() && c.Base.Deterministic()
}

// Deterministic reports whether every round gave the same value and
// would in any other: a modelled unit's cell (one round is enough), or
// a measured one's of two or more rounds that all agree (0 allocs/op).
// There is no variance for a test or an interval.
func (c *Cell) Deterministic() bool {
	n := len(c.Values)
	return n > 0 && c.Values[0] == c.Values[n-1] && (c.modelled || n > 1)
}

// modelledUnit reports whether unit is one the simulator computes rather
// than measures: every unit but the testing package's own (ns/op, B/op,
// allocs/op) and the time they scale to.
func modelledUnit(unit string) bool {
	switch unit {
	case "ns/op", "sec/op", "B/op", "allocs/op":
		return false
	}
	return true
}

// Significant reports whether the cell differs from its baseline at
// the comparison's alpha level.
// Two deterministic cells differ exactly when their values do.
func (c *Cell) Significant() bool {
	if c.exact() {
		return c.Summary.Center != c.Base.Summary.Center
	}
	return c.Base != nil && c.Cmp.P <= c.Cmp.Alpha && c.Summary.Center != c.Base.Summary.Center
}

// A Geomean is the geometric mean of a column's medians and of its
// ratios to the baseline, as benchstat computes them.
type Geomean struct {
	HasValue bool
	Value    float64
	HasRatio bool
	Ratio    float64
	Warnings []string
}

// Compare reads the files and compares them; see Set.Compare.
func Compare(paths []string, opts Options) (*Comparison, error) {
	s, err := Read(paths...)
	if err != nil {
		return nil, err
	}
	return s.Compare(opts)
}

type cellKey struct{ row, col benchproc.Key }

type buildCell struct {
	values  []float64
	residue map[benchproc.Key]struct{}
}

type buildTable struct {
	rows, cols map[benchproc.Key]struct{}
	cells      map[cellKey]*buildCell
}

// Compare builds comparison tables from the set's results the way
// benchstat does. It fails if no result has Col's keys (naming the
// keys there are), if no benchmark is in more than one column, or if
// nothing passes the filter.
func (s *Set) Compare(opts Options) (*Comparison, error) {
	explicitCol := opts.Col != ""
	if opts.Col == "" {
		opts.Col = DefaultCol
	}
	opts = opts.withDefaults()
	if opts.Alpha < 0 || opts.Alpha > 1 {
		return nil, fmt.Errorf("alpha %v: want a level between 0 and 1", opts.Alpha)
	}
	if opts.Confidence < 0 || opts.Confidence > 1 {
		return nil, fmt.Errorf("confidence %v: want a level between 0 and 1", opts.Confidence)
	}
	filter, err := benchproc.NewFilter(opts.Filter)
	if err != nil {
		return nil, fmt.Errorf("-filter %s: %v", opts.Filter, firstLine(err))
	}
	var parser benchproc.ProjectionParser
	tableExpr := opts.Table
	if tableExpr == "" {
		tableExpr = ".config"
		if !strings.Contains(opts.Row+","+opts.Col, ".name") {
			tableExpr += ",.name"
		}
	}
	tableBy, unitField, err := parser.ParseWithUnit(tableExpr, filter)
	if err != nil {
		return nil, fmt.Errorf("-table %s: %v", tableExpr, firstLine(err))
	}
	colBy, err := parser.Parse(opts.Col, filter)
	if err != nil {
		return nil, fmt.Errorf("-col %s: %v", opts.Col, firstLine(err))
	}
	rowBy, err := parser.Parse(opts.Row, filter)
	if err != nil {
		return nil, fmt.Errorf("-row %s: %v", opts.Row, firstLine(err))
	}
	residue := parser.Residue()
	if explicitCol {
		if err := s.checkKeys("-col", opts.Col, colBy); err != nil {
			return nil, err
		}
	}
	if opts.Row != ".fullname" {
		if err := s.checkKeys("-row", opts.Row, rowBy); err != nil {
			return nil, err
		}
	}

	tables := map[benchproc.Key]*buildTable{}
	origUnit := map[string]string{}
	kept := 0
	for _, r := range s.Results {
		r = r.Clone()
		if ok, _ := filter.Apply(r); !ok {
			continue
		}
		kept++
		for _, v := range r.Values {
			if _, ok := origUnit[v.Unit]; !ok {
				origUnit[v.Unit] = v.Unit
				if v.OrigUnit != "" {
					origUnit[v.Unit] = v.OrigUnit
				}
			}
		}
		tableKeys := tableBy.ProjectValues(r)
		ck := cellKey{rowBy.Project(r), colBy.Project(r)}
		res := residue.Project(r)
		for i, tk := range tableKeys {
			t := tables[tk]
			if t == nil {
				t = &buildTable{map[benchproc.Key]struct{}{}, map[benchproc.Key]struct{}{}, map[cellKey]*buildCell{}}
				tables[tk] = t
			}
			c := t.cells[ck]
			if c == nil {
				c = &buildCell{residue: map[benchproc.Key]struct{}{}}
				t.cells[ck] = c
				t.rows[ck.row] = struct{}{}
				t.cols[ck.col] = struct{}{}
			}
			c.values = append(c.values, r.Values[i].Value)
			c.residue[res] = struct{}{}
		}
	}
	if kept == 0 {
		return nil, fmt.Errorf("%s: no results match -filter %s", strings.Join(s.Paths, ", "), opts.Filter)
	}

	thresholds := benchmath.DefaultThresholds
	thresholds.CompareAlpha = opts.Alpha
	cmp := &Comparison{Col: opts.Col, Row: opts.Row, Alpha: opts.Alpha, Confidence: opts.Confidence}
	var keys []benchproc.Key
	for k := range tables {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)
	var nameField *benchproc.Field
	for _, f := range tableBy.Fields() {
		if f.Name == ".name" {
			nameField = f
		}
	}
	// allCols lists the columns in file order (v6.8, v6.9, v6.10 as the
	// run wrote them), for the errors below.
	allCols := map[string]bool{}
	var colList []string
	baseFound := false
	for _, k := range keys {
		bt := tables[k]
		unit := k.Get(unitField)
		t := &Table{Unit: unit, OrigUnit: origUnit[unit], key: k}
		for _, f := range k.Projection().FlattenedFields() {
			switch {
			case f.Name == ".unit":
			case f.Name == ".name":
				t.Name = k.Get(f)
			case k.Get(f) != "":
				t.Config = append(t.Config, f.Name+": "+k.Get(f))
			}
		}
		rows, cols := sortedKeys(bt.rows), sortedKeys(bt.cols)
		if opts.Base != "" {
			i := slices.IndexFunc(cols, func(c benchproc.Key) bool { return c.StringValues() == opts.Base })
			if i >= 0 {
				baseFound = true
				cols = append(append([]benchproc.Key{cols[i]}, cols[:i]...), cols[i+1:]...)
			}
		}
		t.colKeys = cols
		for _, c := range cols {
			t.Cols = append(t.Cols, c.StringValues())
			if !allCols[c.StringValues()] {
				allCols[c.StringValues()] = true
				colList = append(colList, c.StringValues())
			}
		}
		assumption := s.Units.GetAssumption(unit)
		for _, rk := range rows {
			row := &Row{Key: rowKey(rk.StringValues(), t.Name, nameField != nil)}
			for ci, ck := range cols {
				bc := bt.cells[cellKey{rk, ck}]
				if bc == nil {
					row.Cells = append(row.Cells, nil)
					continue
				}
				sample := benchmath.NewSample(bc.values, &thresholds)
				c := &Cell{Values: sample.Values, Summary: assumption.Summary(sample, opts.Confidence), modelled: modelledUnit(unit)}
				// In benchstat's order: the sample's, the
				// residue's, the summary's.
				c.sampleWarnings = errStrings(sample.Warnings)
				if nsk := benchproc.NonSingularFields(sortedKeys(bc.residue)); len(nsk) > 0 {
					var names []string
					for _, f := range nsk {
						names = append(names, f.Name)
					}
					c.sampleWarnings = append(c.sampleWarnings, "benchmarks vary in "+strings.Join(names, ", "))
				}
				c.sampleWarnings = append(c.sampleWarnings, errStrings(c.Summary.Warnings)...)
				if ci > 0 && row.Cells[0] != nil && (opts.Base == "" || t.Cols[0] == opts.Base) {
					c.Base = row.Cells[0]
					c.Cmp = assumption.Compare(sampleOf(c.Base, &thresholds), sample)
					c.cmpWarnings = errStrings(c.Cmp.Warnings)
				}
				c.Warnings = append(slices.Clone(c.sampleWarnings), c.cmpWarnings...)
				row.Cells = append(row.Cells, c)
			}
			t.Rows = append(t.Rows, row)
		}
		t.labelRows()
		t.geomeans()
		cmp.Tables = append(cmp.Tables, t)
	}
	sortBases(colList)
	if opts.Base != "" && !baseFound {
		return nil, fmt.Errorf("-base %s: no such column; columns of -col %s: %s", opts.Base, opts.Col, strings.Join(colList, ", "))
	}
	if len(allCols) > 1 && !cmp.compared() {
		return nil, fmt.Errorf("%s: no benchmark is in more than one column of -col %s (columns: %s); expected the same benchmarks under each column",
			strings.Join(s.Paths, ", "), opts.Col, strings.Join(colList, ", "))
	}
	return cmp, nil
}

// sortBases puts a list of kernel base names in model.KernelBases
// order (v6.8, v6.9, v6.10), not the byte order that puts v6.10
// first; a list of anything else keeps its order.
func sortBases(names []string) {
	bases := make(map[string]model.KernelBase, len(names))
	for _, n := range names {
		kb, err := model.ParseKernelBase(n)
		if err != nil {
			return
		}
		bases[n] = kb
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(bases[a], bases[b]) })
}

// compared reports whether any cell has a baseline.
func (c *Comparison) compared() bool {
	for _, t := range c.Tables {
		for _, r := range t.Rows {
			for _, cell := range r.Cells {
				if cell != nil && cell.Base != nil {
					return true
				}
			}
		}
	}
	return false
}

func sampleOf(c *Cell, t *benchmath.Thresholds) *benchmath.Sample {
	return &benchmath.Sample{Values: c.Values, Thresholds: t}
}

// rowKey turns a projected .fullname with the name taken out ("*/k=v")
// back into the name benchstat shows.
func rowKey(key, name string, byName bool) string {
	if byName && name != "" {
		if key == "*" {
			return name
		}
		if rest, ok := strings.CutPrefix(key, "*"); ok && (rest[0] == '/' || rest[0] == '-') {
			return name + rest
		}
	}
	return key
}

func errStrings(lists ...[]error) []string {
	var out []string
	for _, l := range lists {
		for _, e := range l {
			out = append(out, e.Error())
		}
	}
	return out
}

func sortedKeys(m map[benchproc.Key]struct{}) []benchproc.Key {
	keys := make([]benchproc.Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	benchproc.SortKeys(keys)
	return keys
}

// geomeans computes the summary row as benchstat does: the geomean of
// the column's medians and the geomean of its ratios to the baseline.
func (t *Table) geomeans() {
	nBase := 0
	for _, r := range t.Rows {
		if r.Cells[0] != nil {
			nBase++
		}
	}
	t.Geomean = make([]Geomean, len(t.Cols))
	for ci := range t.Cols {
		g := &t.Geomean[ci]
		var centers, ratios []float64
		badRatio := false
		for _, r := range t.Rows {
			c := r.Cells[ci]
			if c == nil {
				continue
			}
			centers = append(centers, c.Summary.Center)
			if c.Base != nil {
				a, b := c.Summary.Center, c.Base.Summary.Center
				switch {
				case a == b:
					ratios = append(ratios, 1)
				case b == 0:
					badRatio = true
					ratios = append(ratios, 0)
				default:
					ratios = append(ratios, a/b)
				}
			}
		}
		if ci > 0 && nBase != len(ratios) {
			g.Warnings = append(g.Warnings, "benchmark set differs from baseline; geomeans may not be comparable")
		}
		if gm := stats.GeoMean(centers); math.IsNaN(gm) {
			g.Warnings = append(g.Warnings, "summaries must be >0 to compute geomean")
		} else {
			g.HasValue, g.Value = true, gm
		}
		if ci > 0 && !badRatio {
			if gm := stats.GeoMean(ratios); math.IsNaN(gm) {
				g.Warnings = append(g.Warnings, "ratios must be >0 to compute geomean")
			} else {
				g.HasRatio, g.Ratio = true, gm
			}
		}
	}
}

// labelRows sets Pattern and the rows' short labels: the name parts
// that are the same in every row go into Pattern, the rest label rows.
func (t *Table) labelRows() {
	keys := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		keys[i] = r.Key
	}
	var labels []string
	t.Pattern, labels = Pattern(keys)
	for i, r := range t.Rows {
		r.Label = labels[i]
	}
}

// Pattern factors benchmark names: if they all have the same base name
// and keys, it returns the name with the values that vary replaced by
// "*" and, for each name, the parts that vary, e.g. for
// "Swapin/fix=a/data=text-2" and "Swapin/fix=b/data=text-2" it returns
// "Swapin/fix=*/data=text-2" and "fix=a", "fix=b". Otherwise it returns
// "" and the names themselves. A single name is all pattern.
func Pattern(names []string) (string, []string) {
	type split struct {
		base  string
		parts []string
		procs string
	}
	labels := slices.Clone(names)
	if len(names) == 1 {
		return names[0], []string{""}
	}
	sp := make([]split, len(names))
	for i, name := range names {
		b, parts := benchfmt.Name(name).Parts()
		s := split{base: string(b)}
		for _, p := range parts {
			if p[0] == '-' {
				s.procs = string(p)
			} else {
				s.parts = append(s.parts, string(p[1:]))
			}
		}
		sp[i] = s
		if s.base != sp[0].base || len(s.parts) != len(sp[0].parts) {
			return "", labels
		}
		for j, p := range s.parts {
			k, _, _ := strings.Cut(p, "=")
			k0, _, _ := strings.Cut(sp[0].parts[j], "=")
			if k != k0 {
				return "", labels
			}
		}
	}
	if len(names) == 0 {
		return "", labels
	}
	n := len(sp[0].parts)
	varies := make([]bool, n)
	procsVary := false
	for _, s := range sp {
		for j := range n {
			if s.parts[j] != sp[0].parts[j] {
				varies[j] = true
			}
		}
		if s.procs != sp[0].procs {
			procsVary = true
		}
	}
	pat := sp[0].base
	for j, p := range sp[0].parts {
		if varies[j] {
			if k, _, ok := strings.Cut(p, "="); ok {
				p = k + "=*"
			} else {
				p = "*"
			}
		}
		pat += "/" + p
	}
	if procsVary {
		pat += "-*"
	} else {
		pat += sp[0].procs
	}
	for i := range names {
		var l []string
		for j, p := range sp[i].parts {
			if varies[j] {
				l = append(l, p)
			}
		}
		labels[i] = strings.Join(l, "/")
		if procsVary {
			labels[i] += sp[i].procs
		}
	}
	return pat, labels
}

// checkKeys fails if no result has any of the keys a projection
// names, listing the keys the results do have.
func (s *Set) checkKeys(flag, expr string, p *benchproc.Projection) error {
	for _, f := range p.FlattenedFields() {
		// .name, .fullname, .file and .config are always there.
		if strings.HasPrefix(f.Name, ".") || s.hasKey(f.Name) {
			return nil
		}
	}
	if len(p.FlattenedFields()) == 0 {
		return nil
	}
	return fmt.Errorf("%s %s: no result in %s has that key; keys present: %s",
		flag, expr, strings.Join(s.Paths, ", "), strings.Join(s.keys(), " "))
}

func (s *Set) hasKey(name string) bool {
	for _, r := range s.Results {
		if k, ok := strings.CutPrefix(name, "/"); ok {
			if k == "gomaxprocs" {
				return true
			}
			if _, ok := nameKeys(r.Name)[k]; ok {
				return true
			}
		} else if r.GetConfig(name) != "" {
			return true
		}
	}
	return false
}

// keys lists the projection keys the results have: name keys as /key,
// file configuration keys, and the built-in dot keys.
func (s *Set) keys() []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, r := range s.Results {
		for _, k := range orderedNameKeys(r.Name) {
			add("/" + k)
		}
	}
	for _, r := range s.Results {
		for _, c := range r.Config {
			if c.File {
				add(c.Key)
			}
		}
	}
	for _, k := range []string{".name", ".fullname", ".file", ".config"} {
		add(k)
	}
	return out
}

// firstLine drops the caret lines of a benchproc syntax error.
func firstLine(err error) error {
	if first, _, ok := strings.Cut(err.Error(), "\n"); ok {
		return errors.New(first)
	}
	return err
}

// nameKeys returns the key=value parts of a benchmark name.
func nameKeys(n benchfmt.Name) map[string]string {
	m := map[string]string{}
	_, parts := n.Parts()
	for _, p := range parts {
		if p[0] != '/' {
			continue
		}
		if k, v, ok := strings.Cut(string(p[1:]), "="); ok {
			m[k] = v
		}
	}
	return m
}

func orderedNameKeys(n benchfmt.Name) []string {
	var out []string
	_, parts := n.Parts()
	for _, p := range parts {
		if p[0] != '/' {
			continue
		}
		if k, _, ok := strings.Cut(string(p[1:]), "="); ok {
			out = append(out, k)
		}
	}
	return out
}
