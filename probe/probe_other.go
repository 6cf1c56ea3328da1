//go:build !linux

package probe

import (
	"context"
	"fmt"
	"runtime"
)

// Supported reports why the probe cannot run here: it needs Linux.
func Supported() error {
	return fmt.Errorf("needs Linux (zram, zswap, MADV_PAGEOUT); this is %s", runtime.GOOS)
}

// Run refuses: the probe needs Linux.
func Run(ctx context.Context, opts Options) (*Outcome, error) {
	if err := opts.check(); err != nil {
		return &Outcome{}, err
	}
	return &Outcome{}, Supported()
}

// Restore refuses: the probe needs Linux.
func Restore() (*State, error) { return nil, Supported() }

// Kernel is unknown off Linux.
func Kernel() string { return "unknown" }
