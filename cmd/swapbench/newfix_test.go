package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

// TestNewFix registers a fix that no file outside this test knows (an
// always-exclusive load under another name) and runs it through the
// explorer, a benchmark and the report with no other change: adding a
// fix is its declaration and one registry line.
func TestNewFix(t *testing.T) {
	remove, err := fixes.Register(&fixes.Fix{
		Name:    "test-only-exclusive",
		Summary: "a fix known only to this test",
		Syncs:   []model.SyncMode{model.SyncTick},
	}, func(model.SyncMode) model.Hooks {
		return model.Hooks{ExclusiveLoad: func(*model.Kernel, *model.Folio) bool { return true }}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer remove()

	// The explorer finds it losing data, as it finds exclusive.
	code, out, stderr := runCmd(t, "check", "-fix", "test-only-exclusive", "-kernel", "v6.9", "-scenario", "pte-change")
	if code != 0 && code != 1 || !strings.Contains(out, "test-only-exclusive") || !strings.Contains(out, "loses-data") {
		t.Fatalf("check: exit %d\n%s\n%s", code, out, stderr)
	}

	// Its benchmarks run, failed swapins included (the explorer's verdict
	// tells the benchmark that the loss is expected).
	dir := t.TempDir()
	results := filepath.Join(dir, "results.txt")
	code, _, stderr = runCmd(t, "run", "-fix", "test-only-exclusive,merged", "-kernel", "v6.9", "-backend", "zswap+zram",
		"-data", "text", "-count", "1", "-benchtime", "20x", "-bench", `^Benchmark(Failed)?Swapin/.*/kernel=v6.9/`, "-o", results)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	raw, err := os.ReadFile(results)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "BenchmarkFailedSwapin/fix=test-only-exclusive/sync=tick/kernel=v6.9/") {
		t.Fatalf("results lack the new fix's failed swapins:\n%s", raw)
	}

	// The report compares it with the baseline and, with the explorer,
	// shows its race.
	args := []string{"report", "-in", results, "-o", filepath.Join(dir, "out")}
	if testing.Short() {
		args = append(args, "-no-check") // the explorer's default matrix takes half a minute
	}
	if code, _, stderr = runCmd(t, args...); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	txt, err := os.ReadFile(filepath.Join(dir, "out", "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(txt), "test-only-exclusive") {
		t.Errorf("report.txt does not mention the new fix:\n%s", txt)
	}
	if testing.Short() {
		return
	}
	if !regexp.MustCompile(`(?m)^test-only-exclusive +tick +v6\.9 +loses-data `).Match(txt) {
		t.Errorf("report.txt has no verdict row for the new fix:\n%s", txt)
	}
	if !strings.Contains(string(txt), "swapbench check -fix test-only-exclusive ") {
		t.Errorf("report.txt has no timeline (replay command) for the new fix:\n%s", txt)
	}
	if !regexp.MustCompile(`(?m)^took: race explorer [0-9]+ s$`).Match(txt) {
		t.Errorf("report.txt does not say how long the explorer took:\n%s", txt)
	}
}
