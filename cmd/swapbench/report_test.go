package main

import (
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
