package runner

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swapbench/swapbench/report"
)

func fakeCases(calls *int, cancelAt int, cancel func()) []Case {
	// testing.Benchmark calls a body with b.N = 1 before the real run;
	// count the real runs (-benchtime 5x) only.
	body := func(b *testing.B) {
		if b.N == 5 {
			*calls++
			if *calls == cancelAt {
				cancel()
			}
		}
		for range b.N {
		}
		b.ReportMetric(42, "kernel-ns/op")
	}
	return []Case{{Name: "BenchmarkFake/x=a", F: body}, {Name: "BenchmarkFake/x=b", F: body}}
}

func resultLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "Benchmark") {
			out = append(out, l)
		}
	}
	return out
}

func TestInterleavedRounds(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.txt")
	calls := 0
	n, err := Run(context.Background(), fakeCases(&calls, -1, nil), Options{Count: 3, Benchtime: "5x", Out: out, Header: []string{"profile: test"}})
	if err != nil || n != 6 {
		t.Fatalf("Run: %d results, %v", n, err)
	}
	lines := resultLines(t, out)
	if len(lines) != 6 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, l := range lines {
		want := []string{"BenchmarkFake/x=a", "BenchmarkFake/x=b"}[i%2]
		if !strings.HasPrefix(l, want) {
			t.Errorf("line %d is %q, want %s (rounds interleave configurations)", i, l, want)
		}
		if f := strings.Fields(l); len(f) < 2 || f[1] != "5" || !strings.Contains(l, "42 kernel-ns/op") || !strings.HasSuffix(l, "allocs/op") {
			t.Errorf("line %q lacks N=5, the metric or allocs/op", l)
		}
	}
	data, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(data), "profile: test\n") {
		t.Errorf("header missing: %q", data)
	}
	if _, err := os.Stat(PartialPath(out)); !os.IsNotExist(err) {
		t.Errorf("partial file left behind: %v", err)
	}
}

// TestInterruptAndResume: a cancelled run keeps its completed results in
// the results file, and -resume finishes the matrix without redoing them.
func TestInterruptAndResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.txt")
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	n, err := Run(ctx, fakeCases(&calls, 3, cancel), Options{Count: 3, Benchtime: "5x", Out: out, Header: []string{"profile: test"}})
	if err != context.Canceled || n != 3 || len(resultLines(t, out)) != 3 {
		t.Fatalf("interrupted run: %d results, %v, %d lines", n, err, len(resultLines(t, out)))
	}
	calls = 0
	n, err = Run(context.Background(), fakeCases(&calls, -1, nil), Options{Count: 3, Benchtime: "5x", Out: out, Resume: true})
	if err != nil || n != 6 || calls != 3 {
		t.Fatalf("resume: %d results, %v, %d cases run (want 6, nil, 3)", n, err, calls)
	}
	if lines := resultLines(t, out); len(lines) != 6 {
		t.Fatalf("%d lines after resume", len(lines))
	}
}

// TestKilledRunLeavesPartial: what a SIGKILL leaves (the partial file,
// complete lines only, perhaps a torn last one) blocks a fresh run and
// is finished by -resume.
func TestKilledRunLeavesPartial(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.txt")
	torn := "profile: test\nBenchmarkFake/x=a-2\t5\t1.0 ns/op\t42 kernel-ns/op\t0 B/op\t0 allocs/op\nBenchmarkFake/x=b-2\t5\t1.0 ns/"
	if err := os.WriteFile(PartialPath(out), []byte(torn), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := 0
	if _, err := Run(context.Background(), fakeCases(&calls, -1, nil), Options{Count: 2, Benchtime: "5x", Out: out}); err == nil || !strings.Contains(err.Error(), "-resume") {
		t.Fatalf("fresh run over a partial one: %v", err)
	}
	n, err := Run(context.Background(), fakeCases(&calls, -1, nil), Options{Count: 2, Benchtime: "5x", Out: out, Resume: true})
	if err != nil || n != 4 || calls != 3 {
		t.Fatalf("resume: %d results, %v, %d run", n, err, calls)
	}
	data, _ := os.ReadFile(out)
	if strings.Contains(string(data), "1.0 ns/\n") || strings.Count(string(data), "profile: test") != 1 {
		t.Fatalf("torn line or header kept:\n%s", data)
	}
}

func TestBadInput(t *testing.T) {
	calls := 0
	cases := fakeCases(&calls, -1, nil)
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Count: 0, Out: "x"}, "count 0"},
		{Options{Count: 1, Benchtime: "soon", Out: filepath.Join(t.TempDir(), "r")}, `benchtime "soon"`},
		{Options{Count: 1, Benchtime: "1x", Out: "/nonexistent-dir/r.txt"}, "cannot write in /nonexistent-dir"},
	} {
		_, err := Run(context.Background(), cases, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: %v, want one line with %q", tc.opts, err, tc.want)
		}
	}
	fail := []Case{{Name: "BenchmarkFail", F: func(b *testing.B) { b.Fatal("lost pages") }}}
	if _, err := Run(context.Background(), fail, Options{Count: 1, Benchtime: "1x", Out: filepath.Join(t.TempDir(), "r")}); err == nil || !strings.Contains(err.Error(), "BenchmarkFail") {
		t.Errorf("failing benchmark: %v", err)
	}
}

// TestLatencyLines: a case's latencies follow its Benchmark line, one
// round's sample after each result, rounded to whole ns, in lines of at
// most 1000 values that report.Read takes; benchstat's reader skips them.
func TestLatencyLines(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.txt")
	var rec []float64
	body := func(b *testing.B) {
		for range b.N {
			rec = append(rec, float64(len(rec))+0.4)
		}
	}
	drain := func() []float64 { v := rec; rec = nil; return v }
	rec = []float64{-1} // recorded before the run: dropped
	const name = "BenchmarkFake/data=corpus:x.bin"
	cases := []Case{{Name: name, F: body, Latency: drain}, {Name: "BenchmarkFake/x=b", F: body}}
	if _, err := Run(context.Background(), cases, Options{Count: 2, Benchtime: "1500x", Out: out}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	// Per round: the result, 1501 latencies (testing.Benchmark's 1-op
	// probe, then 1500) in two lines, the other case's result.
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8", len(lines))
	}
	first := []string{}
	for i := range 1000 {
		first = append(first, strconv.Itoa(i))
	}
	for i, l := range lines {
		want := []string{name, "# latency-ns " + name, "# latency-ns " + name, "BenchmarkFake/x=b"}[i%4]
		if !strings.HasPrefix(l, want) {
			t.Errorf("line %d: %.60q, want it to start %q", i, l, want)
		}
		if i%4 == 1 && !strings.HasSuffix(l, ": "+strings.Join(first, " ")) {
			t.Errorf("line %d: want the first 1000 values, rounded", i)
		}
	}
	set, err := report.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Results) != 4 || len(set.Latency) != 1 || len(set.Latency[0].Values) != 2*1501 {
		t.Fatalf("report.Read: %d results, %d samples", len(set.Results), len(set.Latency))
	}
}

// The ETA prices each kind's remaining runs at that kind's own mean,
// not the mean of every run: two slow ZswapIndex runs left weigh more
// than ten fast Swapin runs.
func TestETAPerKind(t *testing.T) {
	e := newETA()
	e.left["BenchmarkSwapin"] = 12
	e.left["BenchmarkZswapIndex"] = 3
	e.left["BenchmarkSwapout"] = 1
	if _, ok := e.estimate(); ok {
		t.Error("an estimate before any run completed")
	}
	e.done("BenchmarkSwapin", 1*time.Second)
	e.done("BenchmarkSwapin", 3*time.Second)
	e.done("BenchmarkZswapIndex", 60*time.Second)
	// Left: 10 Swapin at 2 s, 2 ZswapIndex at 60 s, 1 Swapout (none
	// done yet) at the mean of all three runs, 64/3 s.
	want := 10*2*time.Second + 2*60*time.Second + 64*time.Second/3
	if got, _ := e.estimate(); got != want {
		t.Errorf("ETA %v, want %v", got, want)
	}
	if got := e.String(); got != "2m41s" {
		t.Errorf("ETA %q, want 2m41s", got)
	}
	if kind("BenchmarkParallelSwapin/fix=merged/cpus=2") != "BenchmarkParallelSwapin" {
		t.Error("kind of a ParallelSwapin name")
	}
}
