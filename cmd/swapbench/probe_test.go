package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// TestProbeFit refits the recorded run in probe/testdata without root.
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
	for _, want := range []string{"profile probe-6.18.44-fc-v782\n", "op swap_cache_add base=489.125 per=0 source=\"measured: swapbench probe on 6.18.44-fc-v782"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("fitted profile lacks %q", want)
		}
	}
	if !strings.Contains(out.String(), "wrote "+prof) {
		t.Errorf("stdout %q, want wrote %s", out.String(), prof)
	}
}
