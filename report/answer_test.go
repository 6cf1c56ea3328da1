package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAnswer reads the default run recorded before the two-pass report
// (testdata/results-x86-2024-amd.txt, the AMD EPYC fc-v782 run, 10 rounds):
// merged/tick is 4418 kernel-ns per swapin and 8360 on a failed one;
// never-bypass 5076 and 7625. So merged is the cheapest safe fix, and
// never-bypass is cheaper once more than (5076-4418)/((8360-4418)-
// (7625-5076)) = 0.47 of swapins fail after the read.
func TestAnswer(t *testing.T) {
	set, err := Read("testdata/results-x86-2024-amd.txt")
	if err != nil {
		t.Fatal(err)
	}
	a := Answer{Kernel: "v6.9", Backend: "zswap+zram", Comp: "lz4", Data: "text", Event: "pte-change",
		Bases: []string{"v6.8", "v6.10"},
		Proposals: []Proposal{
			{Fix: "merged", Sync: "tick", Baseline: true, Verdict: "safe"},
			{Fix: "exclusive", Sync: "tick", Verdict: "loses-data", Scenario: "pte-change"},
			{Fix: "never-bypass", Sync: "folio-lock", Verdict: "safe"},
			{Fix: "not-run", Sync: "tick", Control: true, Verdict: "safe"},
		}}
	lines, err := a.Lines(set)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	flat := strings.Join(strings.Fields(text), " ")
	if len(lines) > 30 {
		t.Errorf("%d lines; the answer must leave room in 40 for the title and method", len(lines))
	}
	for _, l := range lines {
		if utf8.RuneCountInString(l) > MaxWidth {
			t.Errorf("line wider than %d: %q", MaxWidth, l)
		}
	}
	for _, want := range []string{
		"fix/sync verdict swapin failed raced merged/tick *", // the baseline first, marked
		"4.42us",            // absolute for the baseline
		"LOSES: pte-change", // the verdict with its scenario
		"+14.9%",            // never-bypass's swapin against merged
		"not-run/tick c",    // a control, marked
		"Cheapest safe fix on the fast path: merged/tick",
		"(pte-change): never-bypass/folio-lock above 0.47",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "n/a") {
		t.Errorf("a fix with no results is not shown as n/a:\n%s", text)
	}
	a.Proposals[0].Baseline = false
	if _, err := a.Lines(set); err == nil {
		t.Error("an answer without a baseline did not fail")
	}
}

// TestAnswerOtherBases: on another base a proposal is looked up at its
// sync mode there (SyncOn: merged runs with the wait queue from v6.12),
// and the same fix under another sync mode counts as the same answer.
// testdata/bases.txt is the Swapin and FailedSwapin lines of merged and
// never-bypass, text, lz4, v6.9 and v6.12, from a report run of
// 2026-12-08 (AMD EPYC, 1 round of the modelled units).
func TestAnswerOtherBases(t *testing.T) {
	set, err := Read("testdata/bases.txt")
	if err != nil {
		t.Fatal(err)
	}
	a := Answer{Kernel: "v6.9", Backend: "zswap+zram", Comp: "lz4", Data: "text", Event: "pte-change",
		Bases: []string{"v6.12"},
		Proposals: []Proposal{
			{Fix: "merged", Sync: "tick", Baseline: true, Verdict: "safe"},
			{Fix: "never-bypass", Sync: "folio-lock", Verdict: "safe"},
		}}
	lines, err := a.Lines(set)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(strings.Join(lines, "\n")), " ")
	if !strings.Contains(flat, "Elsewhere: v6.12: never-bypass/folio-lock") {
		t.Fatalf("without SyncOn merged/tick is missing on v6.12 and never-bypass wins there; got:\n%s", flat)
	}
	a.SyncOn = map[string]map[string]string{"v6.12": {"merged": "waitqueue"}}
	if lines, err = a.Lines(set); err != nil {
		t.Fatal(err)
	}
	flat = strings.Join(strings.Fields(strings.Join(lines, "\n")), " ")
	if !strings.Contains(flat, "Same on v6.12.") || strings.Contains(flat, "Elsewhere") {
		t.Errorf("with merged/waitqueue on v6.12, want the same answer there; got:\n%s", flat)
	}
}
