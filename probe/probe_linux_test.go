//go:build linux

package probe

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// live skips unless SWAPBENCH_PROBE=1: only then may a test change swap
// settings (it restores them).
func live(t *testing.T) {
	t.Helper()
	if os.Getenv("SWAPBENCH_PROBE") != "1" {
		t.Skip("changes swap, zram and zswap settings on this machine (restored after); set SWAPBENCH_PROBE=1 as root to run")
	}
	if err := Supported(); err != nil {
		t.Skipf("probe unsupported here: %v", err)
	}
}

type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestQuickProbeRestores runs the -quick probe and checks that every
// setting it may change reads the same before and after.
func TestQuickProbeRestores(t *testing.T) {
	live(t)
	before, err := ReadState()
	if err != nil {
		t.Fatal(err)
	}
	opts := QuickOptions()
	opts.Log = logWriter{t}
	rs, err := Run(context.Background(), opts)
	after, rerr := ReadState()
	if rerr != nil {
		t.Fatal(rerr)
	}
	if d := before.Diff(after); len(d) > 0 {
		t.Errorf("settings changed by the probe: %s", strings.Join(d, "; "))
	}
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	for _, r := range rs.Results {
		if len(r.Mismatch) > 0 {
			t.Logf("vmstat mismatch %s: %s", r.Key(), strings.Join(r.Mismatch, "; "))
		}
		for _, x := range r.Rounds {
			if x.Corrupt > 0 {
				t.Errorf("%s: %d pages corrupt after swapin", r.Key(), x.Corrupt)
			}
		}
	}
}

// TestInterruptedProbeRestores cancels a probe as SIGINT would and checks
// the settings are restored.
func TestInterruptedProbeRestores(t *testing.T) {
	live(t)
	before, err := ReadState()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	opts := DefaultOptions()
	opts.Log = logWriter{t}
	_, err = Run(ctx, opts)
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("Run after cancel = %v, want interrupted", err)
	}
	after, rerr := ReadState()
	if rerr != nil {
		t.Fatal(rerr)
	}
	if d := before.Diff(after); len(d) > 0 {
		t.Errorf("settings changed by the interrupted probe: %s", strings.Join(d, "; "))
	}
}
