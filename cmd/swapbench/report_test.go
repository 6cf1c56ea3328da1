package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/report"
)

// TestSelectLatency: the report shows the shared-page parallel samples
// unless -filter chooses others; a bad filter is an error.
func TestSelectLatency(t *testing.T) {
	lats := []*report.Latency{
		{Name: "Swapin/fix=merged/sync=tick/kernel=v6.9/data=text-2"},
		{Name: "ParallelSwapin/fix=merged/sync=tick/kernel=v6.9/cpus=2/pages=shared/pattern=sequential-2"},
		{Name: "ParallelSwapin/fix=merged/sync=tick/kernel=v6.9/cpus=2/pages=distinct/pattern=sequential-2"},
		{Name: "ParallelSwapin/fix=merged/sync=tick/kernel=v6.8/cpus=2/pages=shared/pattern=sequential-2"},
		{Name: "ParallelSwapin/fix=merged/sync=tick/kernel=v6.9/cpus=2/pages=shared/pattern=zipf-2"},
	}
	got, err := selectLatency(lats, "")
	if err != nil || len(got) != 1 || got[0] != lats[1] {
		t.Errorf("default selection: %v %v, want the v6.9 shared sequential one", got, err)
	}
	got, err = selectLatency(lats, ".name:Swapin")
	if err != nil || len(got) != 1 || got[0] != lats[0] {
		t.Errorf("-filter .name:Swapin: %v %v", got, err)
	}
	if got, err := selectLatency(lats[:1], ""); err != nil || len(got) != 1 {
		t.Errorf("without parallel samples: %v %v, want all", got, err)
	}
	if _, err := selectLatency(lats, "/fix:("); err == nil {
		t.Error("a bad filter was accepted")
	}
}

// TestRunForReport: the report runs every benchmark once (the modelled
// units are the same in every round) and only the Swapin benchmarks,
// whose measured ns/op it reads, for all rounds, into one results file.
func TestRunForReport(t *testing.T) {
	opts := defaultRunOptions()
	opts.fix, opts.sync, opts.kernel, opts.backend, opts.data = "merged", "tick", "v6.9", "zram", "zero"
	opts.cpus, opts.pattern, opts.count, opts.benchtime = "2", "sequential", 3, "20x"
	opts.out = filepath.Join(t.TempDir(), "results.txt")
	n, err := runForReport(context.Background(), opts, io.Discard)
	if err != nil || n != 3 {
		t.Fatalf("runForReport = %d, %v; want 3, nil", n, err)
	}
	set, err := report.Read(opts.out)
	if err != nil {
		t.Fatal(err)
	}
	rounds := map[string]int{}
	for _, r := range set.Results {
		rounds[string(r.Name)]++
	}
	swapins := 0
	for name, got := range rounds {
		want := 1
		if strings.HasPrefix("Benchmark"+name, "BenchmarkSwapin/") {
			want, swapins = 3, swapins+1
		}
		if got != want {
			t.Errorf("%s: %d rounds, want %d", name, got, want)
		}
	}
	if swapins == 0 || len(rounds) == swapins {
		t.Errorf("%d Swapin benchmarks of %d: want some of each kind", swapins, len(rounds))
	}
}
