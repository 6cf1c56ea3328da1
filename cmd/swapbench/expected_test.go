package main

import (
	"testing"

	"github.com/swapbench/swapbench/bench"

	"github.com/swapbench/swapbench/report"
)

// TestExpectedCost draws the figures from the committed results of a
// real run: one per event, one line per fix and sync mode, the losing ones
// marked, and path costs read back from the medians.
func TestExpectedCost(t *testing.T) {
	set, err := report.Read("../../docs/results-x86-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	figs, err := expectedCost(set)
	if err != nil || len(figs) != 3 {
		t.Fatalf("expectedCost: %d figures, %v; want retry, pte-change, concurrent", len(figs), err)
	}
	costs, lossy, err := pathCosts(set)
	if err != nil {
		t.Fatal(err)
	}
	byVariant := map[string]bench.PathCosts{}
	for _, c := range costs {
		byVariant[c.Variant] = c
	}
	m, ok := byVariant["fix=merged/sync=tick"]
	if !ok || m.Retry <= m.OK || m.PTEChange <= m.OK || m.Concurrent < 4e6 || lossy["fix=merged/sync=tick"] {
		t.Errorf("merged/tick: %+v (lossy %v): want failures dearer than a swapin and a tick on a race", m, lossy["fix=merged/sync=tick"])
	}
	if !lossy["fix=exclusive/sync=tick"] {
		t.Error("exclusive not marked as losing data")
	}
	empty, err := report.Read("../../report/testdata/disjoint.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := expectedCost(empty); err == nil {
		t.Error("results without Swapin/FailedSwapin drew a figure")
	}
}
