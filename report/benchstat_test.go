package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestAgreesWithBenchstat runs the real benchstat, pinned by the tool
// line in go.mod (go tool benchstat), on the same files with the same
// projections and checks every median, interval, change, p-value and
// geomean of Compare against its CSV output. -table .config,.name
// makes benchstat split tables by benchmark as Compare does; the cells
// do not depend on it.
func TestAgreesWithBenchstat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs benchstat")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run benchstat with")
	}
	for _, tc := range []struct {
		col, filter string
		files       []string
	}{
		{"/fix", "", []string{"testdata/small.txt"}},
		{"/fix", "", []string{"testdata/swapin.txt"}},
		{"/kernel", ".name:ZswapIndex", []string{"testdata/swapin.txt"}},
		{".file", ".name:Swapin /fix:merged /sync:tick /comp:lz4 /data:text", []string{"old=testdata/small.txt", "new=testdata/swapin.txt"}},
	} {
		t.Run(tc.col+" "+strings.Join(tc.files, " "), func(t *testing.T) {
			args := []string{"tool", "benchstat", "-format", "csv", "-col", tc.col, "-table", ".config,.name"}
			if tc.filter != "" {
				args = append(args, "-filter", tc.filter)
			}
			args = append(args, tc.files...)
			cmd := exec.Command(gobin, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
			}
			c, err := Compare(tc.files, Options{Col: tc.col, Filter: tc.filter})
			if err != nil {
				t.Fatal(err)
			}
			checked := agree(t, c, stdout.Bytes())
			ours := 0
			for _, tb := range c.Tables {
				for _, r := range tb.Rows {
					for _, cell := range r.Cells {
						if cell != nil {
							ours++
						}
					}
				}
			}
			if checked != ours || checked == 0 {
				t.Errorf("checked %d cells against benchstat; Compare has %d", checked, ours)
			}
		})
	}
}

// agree checks c against benchstat's CSV and returns how many cells it
// compared.
func agree(t *testing.T, c *Comparison, out []byte) int {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(out))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("benchstat CSV: %v", err)
	}
	tables := map[string]*Table{}
	for _, tb := range c.Tables {
		tables[tb.Name+" "+tb.Unit] = tb
	}
	name, checked := "", 0
	for i := 0; i < len(recs); i++ {
		rec := recs[i]
		if len(rec) == 1 {
			if v, ok := strings.CutPrefix(rec[0], ".name: "); ok {
				name = v
			}
			continue
		}
		if rec[0] != "" || i+1 >= len(recs) {
			t.Fatalf("benchstat CSV line %d: unexpected %q", i+1, rec)
		}
		// A table: column names, units, rows, geomean.
		names, units := rec, recs[i+1]
		var starts []int
		for j, s := range units {
			if j > 0 && s != "" && s != "CI" && s != "vs base" && s != "P" {
				starts = append(starts, j)
			}
		}
		tb := tables[name+" "+units[starts[0]]]
		if tb == nil {
			t.Fatalf("no table for %s %s", name, units[starts[0]])
		}
		if len(starts) != len(tb.Cols) {
			t.Fatalf("%s %s: benchstat has %d columns, Compare %d", name, tb.Unit, len(starts), len(tb.Cols))
		}
		for k, j := range starts {
			if field(names, j) != tb.Cols[k] {
				t.Errorf("%s %s: column %d is %q in benchstat, %q in Compare", name, tb.Unit, k, field(names, j), tb.Cols[k])
			}
		}
		rows := map[string]*Row{}
		for _, row := range tb.Rows {
			rows[row.Key] = row
		}
		for i += 2; i < len(recs) && recs[i][0] != "geomean"; i++ {
			rec := recs[i]
			key := rec[0]
			if rest, ok := strings.CutPrefix(key, "*"); ok {
				key = name + rest
			}
			row := rows[key]
			if row == nil {
				t.Fatalf("%s: row %q not in Compare", tb.Unit, key)
			}
			for k, j := range starts {
				cell := row.Cells[k]
				if field(rec, j) == "" {
					if cell != nil {
						t.Errorf("%s %s %s: Compare has a cell, benchstat none", tb.Unit, key, tb.Cols[k])
					}
					continue
				}
				if cell == nil {
					t.Errorf("%s %s %s: benchstat has a cell, Compare none", tb.Unit, key, tb.Cols[k])
					continue
				}
				where := fmt.Sprintf("%s %s %s", tb.Unit, key, tb.Cols[k])
				median, err := strconv.ParseFloat(rec[j], 64)
				if err != nil || median != cell.Summary.Center {
					t.Errorf("%s: median %s in benchstat, %v in Compare", where, rec[j], cell.Summary.Center)
				}
				if field(rec, j+1) != cell.Summary.PctRangeString() {
					t.Errorf("%s: CI %s in benchstat, %s in Compare", where, field(rec, j+1), cell.Summary.PctRangeString())
				}
				if k > 0 {
					delta, p := "", ""
					if cell.Base != nil {
						delta, p = cell.Delta(), cell.Cmp.String()
					}
					if field(rec, j+2) != delta || field(rec, j+3) != p {
						t.Errorf("%s: %s (%s) in benchstat, %s (%s) in Compare", where, field(rec, j+2), field(rec, j+3), delta, p)
					}
				}
				checked++
			}
		}
		if i >= len(recs) {
			t.Fatalf("%s %s: benchstat table has no geomean row", name, tb.Unit)
		}
		geo := recs[i]
		for k, j := range starts {
			g := tb.Geomean[k]
			if field(geo, j) != "" {
				v, err := strconv.ParseFloat(geo[j], 64)
				if err != nil || !g.HasValue || math.Abs(v-g.Value) > 1e-12*math.Abs(v) {
					t.Errorf("%s %s %s: geomean %s in benchstat, %v in Compare", name, tb.Unit, tb.Cols[k], geo[j], g.Value)
				}
			} else if g.HasValue {
				t.Errorf("%s %s %s: geomean only in Compare", name, tb.Unit, tb.Cols[k])
			}
			if k > 0 {
				_, ratio := tb.geomeanStrings(k)
				if field(geo, j+2) != ratio {
					t.Errorf("%s %s %s: geomean change %s in benchstat, %s in Compare", name, tb.Unit, tb.Cols[k], field(geo, j+2), ratio)
				}
			}
		}
	}
	return checked
}

func field(rec []string, i int) string {
	if i < len(rec) {
		return rec[i]
	}
	return ""
}

// benchstatLayouts are the projections the layout goldens cover. Each
// golden is the output of `go tool benchstat` (the version go.mod
// pins) with the same arguments, run in report/:
//
//	go tool benchstat -col /fix testdata/small.txt
//	go tool benchstat -col /fix -filter '.name:Swapin .unit:kernel-ns/op /comp:lz4' testdata/swapin.txt
//	go tool benchstat -col /fix,/sync -filter '.name:Swapin .unit:kernel-ns/op /comp:lz4 /data:text' testdata/swapin.txt
//
// small: every unit, config header lines, "all samples are equal" and
// geomean footnotes; swapin: a fix (never-bypass) with no row in
// common with the baseline, so "?" and the geomean warnings; fix-sync:
// a two-level column header.
var benchstatLayouts = []struct {
	golden, col, filter, file string
}{
	{"benchstat-small.golden", "/fix", "", "testdata/small.txt"},
	{"benchstat-swapin.golden", "/fix", ".name:Swapin .unit:kernel-ns/op /comp:lz4", "testdata/swapin.txt"},
	{"benchstat-fix-sync.golden", "/fix,/sync", ".name:Swapin .unit:kernel-ns/op /comp:lz4 /data:text", "testdata/swapin.txt"},
}

// TestBenchstatLayout checks that WriteBenchstat writes, byte for byte,
// what benchstat wrote for the same file and projections (the goldens
// are benchstat's output, not ours: -update does not touch them).
func TestBenchstatLayout(t *testing.T) {
	for _, tc := range benchstatLayouts {
		t.Run(tc.golden, func(t *testing.T) {
			c, err := Compare([]string{tc.file}, Options{Col: tc.col, Table: ".config", Filter: tc.filter})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := c.WriteBenchstat(&b); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile("testdata/" + tc.golden)
			if err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("WriteBenchstat differs from benchstat's output\ngot:\n%s\nbenchstat:\n%s", got, want)
			}
		})
	}
}

// TestBenchstatLayoutLive runs the pinned benchstat itself, so that a
// change of the pin that changes benchstat's layout shows here rather
// than in a stale golden.
func TestBenchstatLayoutLive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs benchstat")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run benchstat with")
	}
	for _, tc := range benchstatLayouts {
		args := []string{"tool", "benchstat", "-col", tc.col}
		if tc.filter != "" {
			args = append(args, "-filter", tc.filter)
		}
		out, err := exec.Command(gobin, append(args, tc.file)...).Output()
		if err != nil {
			t.Fatalf("go %s: %v", strings.Join(args, " "), err)
		}
		want, err := os.ReadFile("testdata/" + tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s: benchstat now prints\n%s", tc.golden, out)
		}
	}
}
