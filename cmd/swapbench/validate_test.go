package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	validateProbe   = "../../validate/testdata/probe-lz4.txt"
	validateProfile = "../../validate/testdata/probe-6.18.txt.profile"
)

// TestValidateUsage: bad flags and bad inputs exit 2 with one line that
// names the file and what was expected.
func TestValidateUsage(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"validate"}, "no -probe file"},
		{[]string{"validate", "-probe", validateProbe, "extra"}, `unexpected argument "extra"`},
		{[]string{"validate", "-nosuchflag"}, "flag provided but not defined"},
		{[]string{"validate", "-probe", "nosuch.txt", "-o", dir}, "nosuch.txt: no such file or directory; want the results file of swapbench probe"},
		{[]string{"validate", "-probe", validateProbe, "-o", dir}, "probe-lz4.txt.profile: no such file or directory (want a cost profile"},
		{[]string{"validate", "-probe", "../../docs/results-x86-2024.txt", "-profile", validateProfile, "-o", dir}, "no BenchmarkKernelSwapin lines"},
		{[]string{"validate", "-probe", validateProbe, "-profile", validateProbe, "-o", dir}, "probe-lz4.txt:"},
		{[]string{"validate", "-probe", validateProbe, "-profile", validateProfile, "-o", filepath.Join(notDir, "out")}, "cannot create the directory"},
		{[]string{"validate", "-probe", validateProbe, "-profile", validateProfile, "-base", "x86-1999", "-o", dir}, `base profile: cost profile "x86-1999": unknown`},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", tc.args, code, errb.String())
		}
		s := strings.TrimSpace(errb.String())
		if strings.Contains(s, "\n") || !strings.HasPrefix(s, "swapbench validate: ") || !strings.Contains(s, tc.want) {
			t.Errorf("%v: stderr %q, want one line with %q", tc.args, s, tc.want)
		}
	}
}

// TestValidateRun: on a recorded probe run, validate prints the table,
// writes the same table to validation.txt and the plots beside it, and
// says how long it took.
func TestValidateRun(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"validate", "-probe", validateProbe, "-profile", validateProfile, "-o", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	txt, err := os.ReadFile(filepath.Join(dir, "validation.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The file is read on its own terms: the table and its summary.
	for _, want := range []string{"predicted", "when left out of the fit", "in-sample"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("validation.txt lacks %q:\n%s", want, txt)
		}
	}
	if !strings.Contains(out.String(), "predicted") || !strings.Contains(out.String(), "not simulated: no backend zswap+file") || !strings.Contains(out.String(), "when left out of the fit") || !strings.Contains(out.String(), "in-sample") {
		t.Errorf("stdout lacks the table:\n%s", out.String())
	}
	if !strings.Contains(errb.String(), "leave-one-out refits") {
		t.Errorf("stderr does not report the refits and the time: %s", errb.String())
	}
	for _, f := range []string{"validate-swapin.png", "validate-swapin.svg", "validate-swapout.png", "validate-swapout.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
