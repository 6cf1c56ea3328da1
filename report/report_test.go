package report

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const verdicts = `fix                   sync       kernel  verdict     states
exclusive             tick       v6.9    loses-data    1234
merged                tick       v6.9    safe          4321

exclusive/tick/v6.9 loses data in scenario fail-after-load:
  CPU0 do_swap_page          CPU1 reclaim
  zswap_load (exclusive)
	folio_lock_or_retry: RETRY
`

func testReport(t *testing.T) *Report {
	t.Helper()
	s, err := Read("testdata/swapin.txt")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Compare(Options{Base: "merged", Filter: ".name:Swapin /sync:tick /comp:lz4 /data:text .unit:(kernel-ns/op OR lost-pages)"})
	if err != nil {
		t.Fatal(err)
	}
	return &Report{
		Title:  "swapbench: the cost of each fix for the zswap exclusive-load data loss",
		Answer: []string{"An answer's lines (Answer.Lines) come first,", "as given."},
		Setup: Setup{
			Machine:   "2 cores, Synthetic CPU @ 2.00GHz, 24 GiB",
			GoVersion: "go1.26.0",
			Profile:   "x86-2024",
			Seed:      "1",
			Kernel:    "v6.9",
			Commands: []string{
				"swapbench check",
				"swapbench run -count 10 -fix exclusive,always-swapcache,writeback-on-failure,non-exclusive,merged,never-bypass -o results.txt",
			},
		},
		Verdicts:   verdicts,
		Comparison: c,
		Latency:    s.Latency,
		Plots:      []string{"swapin-kernel-time.svg", "swapin-kernel-time.png", "latency-cdf.svg"},
	}
}

func TestReportGolden(t *testing.T) {
	r := testReport(t)
	var txt, md strings.Builder
	if err := r.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	checkWidth(t, txt.String())
	golden(t, "report.txt.golden", []byte(txt.String()))
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md.golden", []byte(md.String()))
}

// Whatever the caller puts in, report.txt has no tab and no line wider
// than 72 columns.
func TestReportWidth(t *testing.T) {
	r := testReport(t)
	long := strings.Repeat("x", 100)
	r.Title = "A title that goes on and on " + long
	r.Verdicts = "\t\ttabbed\tverdict\n" + strings.Repeat("word ", 40) + "\n" + long + "\n" + strings.Repeat("a/", 60)
	r.Setup.Commands = append(r.Setup.Commands, "swapbench run "+long+" "+long)
	r.Findings = []string{strings.Repeat("finding ", 30), long + long}
	r.Plots = []string{strings.Repeat("dir/", 30) + "plot.svg"}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	checkWidth(t, b.String())
	for _, want := range []string{"tabbed", strings.Repeat("x", 60), "plot.svg"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("folded report lost %q", want)
		}
	}
}

func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	paths, err := testReport(t).WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 3 || filepath.Base(paths[0]) != "report.txt" || filepath.Base(paths[1]) != TablesFile || filepath.Base(paths[2]) != "report.md" {
		t.Fatalf("paths %q", paths)
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v", p, fi, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(paths) {
		t.Errorf("temporary files left: %v", entries)
	}
}

// A failed write leaves the file that was there whole and no
// temporary file behind.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.txt")
	if err := os.WriteFile(p, []byte("the old report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(p, func(w io.Writer) error {
		io.WriteString(w, "half a new rep")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), p) {
		t.Errorf("error %v, want boom naming %s", err, p)
	}
	if b, _ := os.ReadFile(p); string(b) != "the old report\n" {
		t.Errorf("old report now %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary file left: %v", entries)
	}
	err = WriteFile(filepath.Join(dir, "nosuch", "report.txt"), func(io.Writer) error { return nil })
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("unwritable directory: %v", err)
	}
}

func TestFold(t *testing.T) {
	got := fold("short\n" + strings.Repeat("abc/", 30) + "\n\tx\n")
	checkWidth(t, got)
	if !strings.HasPrefix(got, "short\nabc/") || !strings.Contains(got, "\n    abc/") || !strings.HasSuffix(got, "\n        x\n") {
		t.Errorf("fold:\n%s", got)
	}
}

// TestFoldMovesIndentedStep: a timeline step in the right column that
// is a column too wide moves left instead of splitting into an empty
// line and a continuation; prose still folds at a space.
func TestFoldMovesIndentedStep(t *testing.T) {
	step := strings.Repeat(" ", 36) + "zswap_writeback_entry:zswap_rb_search"
	if got, want := fold(step+"\n"), strings.Repeat(" ", 35)+"zswap_writeback_entry:zswap_rb_search\n"; got != want {
		t.Errorf("fold(step) = %q, want %q", got, want)
	}
	prose := strings.Repeat("word ", 20)
	if got := fold(prose + "\n"); strings.Count(got, "\n") != 2 || strings.HasPrefix(got, "\n") {
		t.Errorf("fold(prose) = %q, want two lines", got)
	}
}
