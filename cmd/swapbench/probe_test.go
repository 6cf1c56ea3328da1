package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/probe"
)

func TestProbeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"probe", "-pages", "3"},
		{"probe", "-count", "-1"},
		{"probe", "-backend", "nvme"},
		{"probe", "-path", "sideways"},
		{"probe", "-base", "nosuch"},
		{"probe", "-nosuchflag"},
		{"probe", "extra"},
		{"probe", "-fit", "testdata-does-not-exist.txt"},
		{"probe", "-order", "x"},
		{"probe", "-order", "-1"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errb.String())
		}
		if s := strings.TrimSpace(errb.String()); strings.Count(s, "\n") != 0 || !strings.HasPrefix(s, "swapbench probe: ") {
			t.Errorf("%v: stderr %q, want one line", args, s)
		}
	}
}

// TestProbeRestoreNoJournal: -restore without a journal changes nothing
// and says so.
func TestProbeRestoreNoJournal(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the probe needs Linux")
	}
	if _, err := os.Stat(probe.JournalPath()); err == nil {
		t.Skipf("%s exists here: a probe was killed; run swapbench probe -restore", probe.JournalPath())
	}
	var out, errb bytes.Buffer
	if code := run([]string{"probe", "-restore"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "no journal at "+probe.JournalPath()) {
		t.Errorf("probe -restore: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// TestProbeFit refits the recorded run in probe/testdata without root. The
// kernel is 6.18, whose swap cache is the swap table: the swap cache
// path's add is fitted as swap_table_add.
func TestProbeFit(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "fitted.profile")
	var out, errb bytes.Buffer
	if code := run([]string{"probe", "-fit", "../../probe/testdata/probe-run.txt", "-profile-out", prof}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"profile probe-6.18.44-fc-v782\n", "op swap_table_add base=489.125 per=0 source=\"measured: swapbench probe on 6.18.44-fc-v782"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("fitted profile lacks %q", want)
		}
	}
	if !strings.Contains(out.String(), "wrote "+prof) {
		t.Errorf("stdout %q, want wrote %s", out.String(), prof)
	}
}

// TestProbeFitSimulated: -fit passes the simulator to the fit, so a run
// with configurations the simulator has fits do_swap_page and
// try_to_unmap_one and names the measurements they came from.
func TestProbeFitSimulated(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "fitted.profile")
	var out, errb bytes.Buffer
	if code := run([]string{"probe", "-fit", "../../validate/testdata/probe-6.18.txt", "-profile-out", prof}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"op do_swap_page base=", "op try_to_unmap_one base="} {
		if !strings.Contains(string(b), want) {
			t.Errorf("fitted profile lacks %q", want)
		}
	}
	// Every zero-page configuration on a synchronous backend the simulator
	// has a codec for, and none on a swap file (it never bypasses).
	from := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if op, rows, ok := strings.Cut(strings.TrimPrefix(l, "# fitted: op "), " from: "); ok {
			from[op] = rows
		}
	}
	for _, c := range []struct{ op, bench string }{{"do_swap_page", "Swapin"}, {"try_to_unmap_one", "Swapout"}} {
		for _, be := range []string{"zram/comp=lz4", "zram/comp=lzo", "zram/comp=lzo-rle", "zswap+zram/comp=deflate", "zswap+zram/comp=lzo"} {
			if want := c.bench + "/path=bypass/backend=" + be + "/data=zero"; !strings.Contains(from[c.op], want+" ") && !strings.HasSuffix(from[c.op], want) {
				t.Errorf("op %s's fit does not name %s: %q", c.op, want, from[c.op])
			}
		}
		if strings.Contains(from[c.op], "zswap+file") {
			t.Errorf("op %s's fit takes a swap file's configuration: %q", c.op, from[c.op])
		}
	}
	if !strings.Contains(out.String(), "op do_swap_page, op try_to_unmap_one") {
		t.Errorf("stdout %q does not list the base costs as fitted", out.String())
	}
}

// TestProbeSavePartial: an interrupted probe leaves its complete
// configurations in FILE.partial, complete and readable, no temporary
// file, FILE untouched, and says where they are; with nothing complete
// it writes nothing. (Run itself, which needs root, is covered by
// probe.TestInterruptedProbeRestores under SWAPBENCH_PROBE=1.)
func TestProbeSavePartial(t *testing.T) {
	data, err := os.ReadFile("../../probe/testdata/probe-run.txt")
	if err != nil {
		t.Fatal(err)
	}
	results, err := probe.ReadResults(data, "probe-run.txt")
	if err != nil {
		t.Fatal(err)
	}
	h := probe.Header{GOOS: "linux", GOARCH: "amd64", Kernel: "6.18.44-fc-v782", CPU: "AMD EPYC"}
	interrupted := fmt.Errorf("interrupted: %w", context.Canceled)

	dir := t.TempDir()
	out := filepath.Join(dir, "probe.txt")
	var stdout bytes.Buffer
	err = probeSavePartial(out, h, results[:3], interrupted, &stdout)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("probeSavePartial = %v, want the run's error", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s exists after an interrupted probe (%v)", out, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "probe.txt.partial" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only probe.txt.partial", names)
	}
	got, err := os.ReadFile(out + ".partial")
	if err != nil {
		t.Fatal(err)
	}
	back, err := probe.ReadResults(got, out+".partial")
	if err != nil || len(back) != 3 {
		t.Errorf("the partial file reads back as %d configurations, %v; want 3", len(back), err)
	}
	if !strings.Contains(string(got), "# partial: the probe stopped (interrupted: context canceled) with 3 configurations, the rounds that completed\n") {
		t.Errorf("the partial file does not say it is partial:\n%s", got)
	}
	if !strings.Contains(stdout.String(), "3 configurations, the rounds that completed, in "+out+".partial") {
		t.Errorf("stdout %q does not say where the partial results are", stdout.String())
	}

	// Nothing complete: nothing written.
	dir2 := t.TempDir()
	stdout.Reset()
	if err := probeSavePartial(filepath.Join(dir2, "p.txt"), h, nil, interrupted, &stdout); !errors.Is(err, context.Canceled) {
		t.Errorf("probeSavePartial(nothing) = %v, want the run's error", err)
	}
	if entries, _ := os.ReadDir(dir2); len(entries) != 0 {
		t.Errorf("an interrupted probe with nothing complete wrote %d files", len(entries))
	}
	if !strings.Contains(stdout.String(), "nothing written") {
		t.Errorf("stdout %q, want nothing written", stdout.String())
	}

	// An unwritable directory: the error says both what stopped the
	// probe and why saving failed, and leaves nothing behind.
	err = probeSavePartial(filepath.Join(dir2, "missing", "p.txt"), h, results, interrupted, &stdout)
	if err == nil || !strings.Contains(err.Error(), "interrupted") || !strings.Contains(err.Error(), "saving the") {
		t.Errorf("probeSavePartial into a missing directory = %v", err)
	}
}
