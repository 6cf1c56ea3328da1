package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swapbench/swapbench/report"
)

func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "-fix", "nope", "-o", filepath.Join(dir, "r")}, `fix "nope": unknown`},
		{[]string{"run", "-data", "nope", "-o", filepath.Join(dir, "r")}, `content class "nope"`},
		{[]string{"run", "-comp", "brotli", "-o", filepath.Join(dir, "r")}, `codec "brotli": unknown; want one of deflate, lz4, lzo, lzo-rle, zstd`},
		{[]string{"run", "-sync", "sometimes", "-o", filepath.Join(dir, "r")}, `sync mode "sometimes": unknown; want one of folio-lock, none, tick, waitqueue`},
		{[]string{"run", "-fix", "never-bypass", "-sync", "tick", "-o", filepath.Join(dir, "r")}, `no variant matches`},
		{[]string{"run", "-pattern", "loop", "-o", filepath.Join(dir, "r")}, `pattern "loop": unknown; want one of random, sequential, zipf`},
		{[]string{"run", "-cpus", "two", "-o", filepath.Join(dir, "r")}, `cpus "two": want CPU counts from 2 to 8`},
		{[]string{"run", "-cpus", "2,16", "-o", filepath.Join(dir, "r")}, `cpus 16: want 2 to 8`},
		{[]string{"run", "-profile", "x86-1999", "-o", filepath.Join(dir, "r")}, `cost profile "x86-1999"`},
		{[]string{"run", "-bench", "(", "-o", filepath.Join(dir, "r")}, `-bench "("`},
		{[]string{"run", "-bench", "NoSuch", "-o", filepath.Join(dir, "r")}, "matches no benchmark"},
		{[]string{"run", "-count", "0", "-o", filepath.Join(dir, "r")}, "count 0"},
		{[]string{"run", "-benchtime", "soon", "-fix", "merged", "-kernel", "v6.9", "-o", filepath.Join(dir, "r")}, `benchtime "soon"`},
		{[]string{"run", "-fix", "merged", "-kernel", "v6.9", "-o", "/nonexistent/r.txt"}, "cannot write in /nonexistent"},
	} {
		code, _, stderr := runCmd(t, tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want one line with %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestRunKillResume: SIGKILL a real run midway; what it leaves is a
// results file compare accepts, and -resume finishes the matrix.
func TestRunKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs benchmarks")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "swapbench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "results.txt")
	args := []string{"run", "-fix", "merged,exclusive", "-kernel", "v6.9", "-data", "zero", "-bench", "^BenchmarkSwapin/", "-count", "20", "-benchtime", "200x", "-o", out}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	partial := out + ".partial"
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b, err := os.ReadFile(partial); err == nil && strings.Count(string(b), "\nBenchmark") >= 5 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the run wrote no results in 60s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := report.Read(partial); err != nil {
		t.Fatalf("the killed run's results do not read: %v", err)
	}
	if code, _, stderr := runCmd(t, "compare", partial); code != 0 {
		t.Fatalf("compare of the killed run's results: exit %d: %s", code, stderr)
	}
	if b, err := exec.Command(bin, args...).CombinedOutput(); err == nil || !strings.Contains(string(b), "-resume") {
		t.Fatalf("a fresh run over the partial one: %v %s", err, b)
	}
	if b, err := exec.Command(bin, append(args, "-resume")...).CombinedOutput(); err != nil {
		t.Fatalf("-resume: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// 4 swapin configurations (2 fixes x 2 backends) x 20 rounds.
	if n := strings.Count(string(data), "\nBenchmark"); n != 4*20 {
		t.Fatalf("%d results after -resume, want %d", n, 4*20)
	}
}

// TestRunSyncCPUs: -sync, -cpus and -pattern choose the variants, CPU
// counts and access patterns of the matrix.
func TestRunSyncCPUs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.txt")
	code, _, stderr := runCmd(t, "run", "-fix", "merged", "-kernel", "v6.9", "-sync", "waitqueue", "-cpus", "3", "-pattern", "zipf",
		"-bench", "^BenchmarkParallelSwapin/.*pages=shared", "-count", "1", "-benchtime", "1x", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	set, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Results) != 1 {
		t.Fatalf("%d results, want 1", len(set.Results))
	}
	if name := string(set.Results[0].Name); !strings.Contains(name, "/sync=waitqueue/") || !strings.Contains(name, "/cpus=3/") || !strings.Contains(name, "/pattern=zipf-") {
		t.Errorf("result %s: want sync=waitqueue, cpus=3 and pattern=zipf", name)
	}
	if len(set.Latency) != 1 {
		t.Errorf("%d latency samples, want 1", len(set.Latency))
	}
}
