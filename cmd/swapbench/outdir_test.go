package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An output that cannot be created is bad input: exit 2 from run,
// report and plot alike, with one line naming it.
func TestUnwritableOutputExit(t *testing.T) {
	dirs := []string{"/proc"} // not writable, even by root
	ro := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Create(filepath.Join(ro, "probe")); err != nil {
		dirs = append(dirs, ro) // a read-only directory (not for root)
	} else {
		f.Close()
	}
	for _, dir := range dirs {
		for _, args := range [][]string{
			{"run", "-fix", "merged", "-kernel", "v6.9", "-bench", "ZswapIndex", "-count", "1", "-o", filepath.Join(dir, "results.txt")},
			{"report", "-no-check", "-in", small, "-o", filepath.Join(dir, "out")},
			{"plot", small, "-o", filepath.Join(dir, "plots")},
		} {
			code, _, stderr := runCmd(t, args...)
			if code != 2 || !strings.Contains(stderr, dir) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line naming %s", args, code, stderr, dir)
			}
		}
	}
}

// A command that fails leaves no empty directory it created, and keeps
// one that was there.
func TestFailureLeavesNoEmptyDir(t *testing.T) {
	tmp := t.TempDir()
	bad := "../../report/testdata/notbench.txt"
	for _, args := range [][]string{
		{"report", "-no-check", "-in", bad, "-o"},
		{"plot", bad, "-o"},
		{"plot", "-filter", "/fix:nosuch", small, "-o"},
	} {
		out := filepath.Join(tmp, "new", "out")
		code, _, stderr := runCmd(t, append(args, out)...)
		if code == 0 {
			t.Fatalf("%q: exit 0; want a failure", args)
		}
		if _, err := os.Stat(filepath.Join(tmp, "new")); !os.IsNotExist(err) {
			t.Errorf("%q failed (%s) and left %s/new behind (%v)", args, strings.TrimSpace(stderr), tmp, err)
		}
		code, _, _ = runCmd(t, append(args, tmp)...)
		if _, err := os.Stat(tmp); code == 0 || err != nil {
			t.Errorf("%q into an existing directory: exit %d, the directory: %v", args, code, err)
		}
	}
}
