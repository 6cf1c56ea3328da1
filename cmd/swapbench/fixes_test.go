package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/swapbench/swapbench/fixes"
)

// swapbench fixes fits 100 columns, and wrapping loses no word of a
// fix's author, summary or source.
func TestFixesWidth(t *testing.T) {
	code, out, stderr := runCmd(t, "fixes")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for i, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > 100 || strings.Contains(l, "\t") {
			t.Errorf("line %d is %d columns: %q", i+1, n, l)
		}
	}
	flat := " " + strings.Join(strings.Fields(out), " ") + " "
	for _, f := range fixes.All() {
		for _, s := range []string{f.Name, f.Kernel, f.Author, f.Summary, f.Source} {
			if !strings.Contains(flat, " "+strings.Join(strings.Fields(s), " ")+" ") {
				t.Errorf("%s: output lacks %q", f.Name, s)
			}
		}
	}
}
