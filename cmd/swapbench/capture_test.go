package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/workloads"
)

// TestCapture samples a process the test starts itself and replays the
// corpus as content.
func TestCapture(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a process to sample: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/mem", cmd.Process.Pid)); err != nil {
		t.Skipf("no /proc/PID/mem here: %v", err)
	}
	out := filepath.Join(t.TempDir(), "corpus")
	code, stdout, stderr := runCmd(t, "capture", "-pid", fmt.Sprint(cmd.Process.Pid), "-pages", "8", "-o", out)
	if code != 0 {
		if strings.Contains(stderr, "permission") {
			t.Skipf("no ptrace access here: %s", stderr)
		}
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "use data=corpus:"+out) {
		t.Errorf("stdout %q", stdout)
	}
	c, err := workloads.NewContent("corpus:"+out, 1)
	if err != nil {
		t.Fatalf("captured corpus does not load: %v", err)
	}
	c.Fill(make([]byte, workloads.PageSize), 0, 1)
}

func TestCaptureBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"capture", "-o", "x"}, "-pid 0"},
		{[]string{"capture", "-pid", "1"}, "-o: want"},
		{[]string{"capture", "-pid", "1", "-o", "x", "-pages", "0"}, "-pages 0"},
		{[]string{"capture", "-pid", "999999999", "-o", filepath.Join(t.TempDir(), "c")}, "999999999"},
	} {
		code, _, stderr := runCmd(t, tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want one line with %q", tc.args, code, stderr, tc.want)
		}
	}
}
