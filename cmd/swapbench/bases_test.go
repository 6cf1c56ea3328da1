package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/report"
)

// TestBasesSection: the kernel-bases table reads the kernel's own
// configuration on each base (the merged rule under the base's default
// sync mode, never-bypass as the swap cache path, v7.0 as itself) and
// prices v7.0 against v6.12 from those cells.
func TestBasesSection(t *testing.T) {
	lines := []string{
		"goos: linux",
		"BenchmarkSwapin/fix=merged/sync=waitqueue/kernel=v6.12/backend=zram/comp=lz4/data=text-2 2000 900 ns/op 4000 kernel-ns/op",
		"BenchmarkSwapin/fix=merged/sync=tick/kernel=v6.12/backend=zram/comp=lz4/data=text-2 2000 900 ns/op 9999 kernel-ns/op",
		"BenchmarkSwapin/fix=never-bypass/sync=folio-lock/kernel=v6.12/backend=zram/comp=lz4/data=text-2 2000 900 ns/op 5000 kernel-ns/op",
		"BenchmarkSwapin/fix=merged/sync=folio-lock/kernel=v7.0/backend=zram/comp=lz4/data=text-2 2000 900 ns/op 4400 kernel-ns/op",
		"BenchmarkSwapin/fix=merged/sync=folio-lock/kernel=v7.0/backend=zram/comp=lz4/data=zero-2 2000 900 ns/op 1 kernel-ns/op",
	}
	path := filepath.Join(t.TempDir(), "r.txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := report.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := basesSection(set)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		"v6.12  waitqueue       4.00us      5.00us           -           -",
		"v7.0   folio-lock           -      4.40us           -           -",
		"zram +10.0% against v6.12's bypass, -12.0% against its swap cache path",
	} {
		if !strings.Contains(strings.ReplaceAll(text, "\n", " "), want) {
			t.Errorf("section lacks %q:\n%s", want, text)
		}
	}
	for i, l := range strings.Split(text, "\n") {
		if len(l) > report.MaxWidth {
			t.Errorf("line %d is %d columns: %q", i, len(l), l)
		}
	}
}
