package report

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

func compare(t *testing.T, opts Options, files ...string) *Comparison {
	t.Helper()
	for i, f := range files {
		if label, path, ok := strings.Cut(f, "="); ok {
			files[i] = label + "=testdata/" + path
		} else {
			files[i] = "testdata/" + f
		}
	}
	c, err := Compare(files, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGoldenTables(t *testing.T) {
	for _, tc := range []struct {
		golden string
		opts   Options
		files  []string
		format string
	}{
		{"small.text.golden", Options{}, []string{"small.txt"}, "text"},
		{"small-base.text.golden", Options{Base: "non-exclusive", Filter: ".unit:kernel-ns/op"}, []string{"small.txt"}, "text"},
		{"small-ab.text.golden", Options{Filter: "/fix:(merged OR always-swapcache)"}, []string{"small.txt"}, "text"},
		{"small.md.golden", Options{}, []string{"small.txt"}, "markdown"},
		{"small.csv.golden", Options{}, []string{"small.txt"}, "csv"},
		{"swapin.text.golden", Options{Filter: ".unit:(kernel-ns/op OR lost-pages) .name:Swapin /comp:lz4"}, []string{"swapin.txt"}, "text"},
		{"index.text.golden", Options{Col: "/kernel", Filter: ".name:ZswapIndex /op:lookup .unit:kernel-ns/op"}, []string{"swapin.txt"}, "text"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			c := compare(t, tc.opts, tc.files...)
			var b bytes.Buffer
			var err error
			switch tc.format {
			case "text":
				err = c.WriteText(&b)
				checkWidth(t, b.String())
			case "markdown":
				err = c.WriteMarkdown(&b)
			case "csv":
				err = c.WriteCSV(&b)
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, b.Bytes())
		})
	}
}

// checkWidth fails on tabs and on lines wider than MaxWidth.
func checkWidth(t *testing.T, s string) {
	t.Helper()
	for i, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "\t") {
			t.Errorf("line %d has a tab: %q", i+1, l)
		}
		if n := utf8.RuneCountInString(l); n > MaxWidth {
			t.Errorf("line %d is %d columns: %q", i+1, n, l)
		}
		if strings.TrimRight(l, " ") != l {
			t.Errorf("line %d has trailing spaces: %q", i+1, l)
		}
	}
}

func TestCompareErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  Options
		files []string
		want  []string
	}{
		{"missing", Options{}, []string{"testdata/nosuch.txt"}, []string{"testdata/nosuch.txt: no such file", "expected Go benchmark output"}},
		{"empty", Options{}, []string{"testdata/empty.txt"}, []string{"testdata/empty.txt: empty file", "expected Go benchmark output"}},
		{"not benchmark output", Options{}, []string{"testdata/notbench.txt"}, []string{"testdata/notbench.txt: no benchmark results", "expected Go benchmark output"}},
		{"second file bad", Options{}, []string{"testdata/small.txt", "testdata/notbench.txt"}, []string{"testdata/notbench.txt: no benchmark results"}},
		{"no common benchmarks", Options{}, []string{"testdata/disjoint.txt"}, []string{"testdata/disjoint.txt: no benchmark is in more than one column of -col /fix (columns: merged, exclusive)", "expected the same benchmarks"}},
		{"unknown col key", Options{Col: "/nosuch"}, []string{"testdata/small.txt"}, []string{"-col /nosuch: no result in testdata/small.txt has that key; keys present: /fix /sync /kernel /backend /comp /data goos goarch pkg cpu swapbench-version profile seed .name .fullname .file .config"}},
		{"unknown row key", Options{Row: "/nosuch"}, []string{"testdata/small.txt"}, []string{"-row /nosuch: no result", "keys present: /fix"}},
		{"unknown base", Options{Base: "nosuch"}, []string{"testdata/small.txt"}, []string{"-base nosuch: no such column; columns of -col /fix: merged, always-swapcache, non-exclusive"}},
		{"bad filter", Options{Filter: "(("}, []string{"testdata/small.txt"}, []string{"-filter ((:"}},
		{"filter matches nothing", Options{Filter: "/fix:nosuch"}, []string{"testdata/small.txt"}, []string{"testdata/small.txt: no results match -filter /fix:nosuch"}},
		{"bad col syntax", Options{Col: "/fix@nosuchorder"}, []string{"testdata/small.txt"}, []string{"-col /fix@nosuchorder:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compare(tc.files, tc.opts)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is more than one line: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

// Without -col, a file with no /fix key is one column, not an error.
func TestDefaultColAbsent(t *testing.T) {
	c := compare(t, Options{Filter: ".name:ZswapIndex .unit:kernel-ns/op /op:lookup /kernel:v6.9"}, "swapin.txt")
	if len(c.Tables) != 1 || len(c.Tables[0].Cols) != 1 || len(c.Tables[0].Rows) != 6 {
		t.Fatalf("got %d tables, want one with one column and 6 rows", len(c.Tables))
	}
}

func TestFindings(t *testing.T) {
	c := compare(t, Options{Base: "merged", Filter: ".name:Swapin /sync:tick /comp:lz4"}, "swapin.txt")
	f := c.Findings(4)
	if len(f) != 4 {
		t.Fatalf("got %d findings, want 4: %q", len(f), f)
	}
	if !strings.HasPrefix(f[0], "exclusive has 3 lost-pages where merged has 0 on Swapin sync=tick kernel=v6.9 backend=zswap+zram comp=lz4") {
		t.Errorf("first finding is not the data loss: %q", f[0])
	}
	var b bytes.Buffer
	for _, s := range f {
		b.WriteString(s + "\n")
	}
	golden(t, "findings.golden", b.Bytes())

	none := compare(t, Options{Filter: "/fix:(merged OR non-exclusive) .unit:lost-pages"}, "small.txt")
	if got := none.Findings(5); len(got) != 1 || !strings.HasPrefix(got[0], "No column differs significantly from merged") {
		t.Errorf("findings without differences: %q", got)
	}
}

func TestRowKeys(t *testing.T) {
	c := compare(t, Options{}, "small.txt")
	tb := c.Tables[0]
	if tb.Name != "Swapin" || tb.Unit != "sec/op" || tb.OrigUnit != "ns/op" {
		t.Errorf("table %q unit %q orig %q", tb.Name, tb.Unit, tb.OrigUnit)
	}
	if got, want := tb.Rows[0].Key, "Swapin/sync=tick/kernel=v6.9/backend=zram/comp=lz4/data=text-2"; got != want {
		t.Errorf("row key %q, want %q", got, want)
	}
	if got, want := tb.Pattern, "Swapin/sync=tick/kernel=v6.9/backend=*/comp=lz4/data=text-2"; got != want {
		t.Errorf("pattern %q, want %q", got, want)
	}
	if got := strings.Join(tb.Cols, ","); got != "merged,always-swapcache,non-exclusive" {
		t.Errorf("columns %s", got)
	}
}

// Two copies of one file compared by .file: every change is ~, and
// labels name the columns.
func TestCompareFiles(t *testing.T) {
	c := compare(t, Options{Col: ".file", Filter: ".unit:ns/op"}, "small.txt", "small.txt")
	tb := c.Tables[0]
	if got := strings.Join(tb.Cols, ","); got != "testdata/small.txt#0,testdata/small.txt#1" {
		t.Errorf("columns %s", got)
	}
	for _, r := range tb.Rows {
		for _, cell := range r.Cells[1:] {
			if cell.Delta() != "~" {
				t.Errorf("%s: delta %q between identical files", r.Key, cell.Delta())
			}
		}
	}
	c = compare(t, Options{Col: ".file", Filter: ".unit:ns/op"}, "old=small.txt", "new=small.txt")
	if got := strings.Join(c.Tables[0].Cols, ","); got != "old,new" {
		t.Errorf("labelled columns %s", got)
	}
}

// The columns an error lists are kernel bases in version order, not
// v6.10 first.
func TestBaseErrorVersionOrder(t *testing.T) {
	_, err := Compare([]string{"testdata/swapin.txt"}, Options{Col: "/kernel", Base: "v7"})
	if err == nil || !strings.HasSuffix(err.Error(), "columns of -col /kernel: v6.8, v6.9, v6.10") {
		t.Errorf("error %v: want the columns as v6.8, v6.9, v6.10", err)
	}
}

// WriteText folds a configuration line longer than MaxWidth, as a
// results file's note: lines are.
func TestWriteTextFoldsConfig(t *testing.T) {
	data, err := os.ReadFile("testdata/small.txt")
	if err != nil {
		t.Fatal(err)
	}
	note := "note: " + strings.Repeat("a long note about the method ", 5)
	p := writeTemp(t, "long.txt", note+"\n"+string(data))
	c, err := Compare([]string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	checkWidth(t, b.String())
	if !strings.Contains(strings.Join(strings.Fields(b.String()), " "), strings.TrimSpace(note)) {
		t.Errorf("the note is lost:\n%s", b.String())
	}
}
