package main

import (
	"testing"

	"github.com/swapbench/swapbench/report"
)

// TestExpectedCost draws the figure from the committed results of a real
// run: one line per fix, the losing one marked.
func TestExpectedCost(t *testing.T) {
	set, err := report.Read("../../docs/results-x86-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	fig, err := expectedCost(set)
	if err != nil || fig == nil {
		t.Fatalf("expectedCost: %v", err)
	}
	empty, err := report.Read("../../report/testdata/disjoint.txt")
	if err != nil {
		t.Skip(err)
	}
	if _, err := expectedCost(empty); err == nil {
		t.Error("results without Swapin/FailedSwapin drew a figure")
	}
}
