package model

import (
	"strings"
	"testing"
)

// TestCapacityError: on a machine with 1 GiB available, sizes whose
// footprint is certainly larger are refused with a one-line error naming
// the size, before anything is allocated.
func TestCapacityError(t *testing.T) {
	saved := memAvailable
	defer func() { memAvailable = saved }()
	memAvailable = func() int64 { return 1 << 30 }

	_, err := NewKernel(Config{SwapPages: maxPages})
	if err == nil || !strings.Contains(err.Error(), "67108864 pages") || !strings.Contains(err.Error(), "1.0 GiB") ||
		!strings.Contains(err.Error(), "RegenerateContent") || strings.Contains(err.Error(), "\n") {
		t.Errorf("NewKernel of 2^26 slots on a 1 GiB machine: %v", err)
	}
	k, err := NewKernel(Config{SwapPages: 1 << 20, RegenerateContent: true})
	if err != nil {
		t.Fatalf("a 2^20-slot device (about 85 MiB when full) refused: %v", err)
	}
	if _, err := k.NewMM(1 << 20); err == nil || !strings.Contains(err.Error(), "1048576 resident pages") {
		t.Errorf("NewMM of 4 GiB of resident pages on a 1 GiB machine: %v", err)
	}
	if _, err := k.NewEmptyMM(1 << 20); err != nil {
		t.Errorf("NewEmptyMM of 2^20 pages (24 MiB) refused: %v", err)
	}

	memAvailable = func() int64 { return 0 } // unknown: no check
	if _, err := NewKernel(Config{SwapPages: 1 << 22}); err != nil {
		t.Errorf("with MemAvailable unknown: %v", err)
	}
}
