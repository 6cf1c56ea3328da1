package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRead: any file either reads, and then compares or fails cleanly,
// or is refused with a one-line error naming it.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"small.txt", "empty.txt", "notbench.txt", "disjoint.txt"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("BenchmarkX/fix=a-2 10 5 ns/op\n# latency-ns X/fix=a: 1 2 3\n")
	f.Fuzz(func(t *testing.T, in string) {
		path := filepath.Join(t.TempDir(), "r.txt")
		if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
			t.Fatal(err)
		}
		set, err := Read(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) || strings.Contains(strings.TrimSpace(err.Error()), "\n") {
				t.Fatalf("error does not name the file in one line: %q", err)
			}
			return
		}
		if _, err := set.Compare(Options{}); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line compare error: %q", err)
		}
	})
}
