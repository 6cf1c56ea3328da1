package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "figs") // created by plot
	code, out, stderr := runCmd(t, "plot", "../../report/testdata/swapin.txt", "-o", dir, "-filter", "/comp:lz4 OR .name:ZswapIndex")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	paths := strings.Fields(out)
	if len(paths) != 16 {
		t.Errorf("%d files written, want 16:\n%s", len(paths), out)
	}
	for _, name := range []string{"swapin-kernel-time.svg", "swapin-sim-time.png", "latency-cdf.svg", "zswap-index-lookup.png", "dup-memory.svg", "slot-held.png"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 16 {
		t.Errorf("%d files in %s, want 16 (no temporary files)", len(entries), dir)
	}
}

func TestPlotErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plot", "-o", t.TempDir()}, "no results files"},
		{[]string{"plot", "../../report/testdata/swapin.txt", "-o", file}, "-o " + file + ": cannot create the directory: not a directory"},
		{[]string{"plot", "../../report/testdata/swapin.txt", "-o", filepath.Join(file, "sub")}, "cannot create the directory"},
		{[]string{"plot", "../../report/testdata/nosuch.txt", "-o", t.TempDir()}, "nosuch.txt: no such file"},
		{[]string{"plot", "../../report/testdata/small.txt", "-o", t.TempDir(), "-filter", ".name:Nothing"}, "nothing to plot"},
		{[]string{"plot", "../../report/testdata/small.txt", "-o", t.TempDir(), "-filter", "(("}, "-filter ((:"},
	} {
		code, out, stderr := runCmd(t, tc.args...)
		if code != 2 || out != "" || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", tc.args, code, out, stderr, tc.want)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	fs := newFlags("x", nil)
	o := fs.String("o", "", "")
	v := fs.Bool("v", false, "")
	pos, err := parseInterspersed(fs, []string{"a", "-o", "d", "b", "-v", "--", "-c"})
	if err != nil || strings.Join(pos, ",") != "a,b,-c" || *o != "d" || !*v {
		t.Errorf("pos %q o %q v %v err %v", pos, *o, *v, err)
	}
}
