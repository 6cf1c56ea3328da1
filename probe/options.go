package probe

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// PageoutBatch is how many pages one timed MADV_PAGEOUT call covers: the
// swapout time per page is the batch's time divided by its pages, so the
// per-call costs (LRU drain, TLB flush) are shared as reclaim shares them.
const PageoutBatch = 32

// Options says what to probe.
type Options struct {
	Pages, Rounds int
	Backends      []string // zram, zswap+zram, zswap+file
	Paths         []string // bypass, swapcache
	ZramComps     []string // empty: every algorithm zram offers
	ZswapComps    []string // empty: every compressor in /proc/crypto
	Data          []string // workloads content classes or corpus:FILE
	Seed          uint64
	// SwapfileDir is where the zswap+file backend creates its swap file
	// (removed after): it must be on a disk filesystem that can hold
	// swap (ext4, xfs, btrfs), not tmpfs or overlayfs.
	SwapfileDir string
	Force       bool      // run although another swap is active
	Log         io.Writer // progress lines, or nil
	// Orders are the folio orders to probe (0: 4 KiB pages; N: mTHP
	// folios of 2^N pages on zram, bypass path); nil: 0 and every mTHP
	// size from 16 to 128 KiB the kernel offers.
	Orders []int
	// CPU is the CPU the measuring thread is pinned to; -1: the highest
	// one in the process's affinity mask.
	CPU int
}

// Outcome is what Run measured: the header lines of the run's
// conditions, the results, one-line notes (a large-folio fallback) and
// how many rounds ran disturbed (steal, other tasks, load). Changed says
// whether Run got as far as changing a setting: a probe refused before
// that has nothing to save.
type Outcome struct {
	Changed   bool
	Header    []string
	Results   []*Result
	Notes     []string
	Disturbed int
}

// DefaultOptions is the full run: 4096 pages x 10 rounds (six or more give the differences a 95% interval).
func DefaultOptions() Options {
	return Options{
		Pages:    4096,
		Rounds:   10,
		Backends: []string{BackendZram, BackendZswapZram, BackendZswapFile},
		Paths:    []string{PathBypass, PathSwapcache},
		Data:     []string{"zero", "sparse", "text", "binary", "random"},
		Seed:     1,
		CPU:      -1,
		// /var/tmp, not /tmp: /tmp is often tmpfs, which cannot hold swap.
		SwapfileDir: "/var/tmp",
	}
}

// QuickOptions is a run of about a minute: 1024 pages x 3 rounds of the
// zero, text and random classes.
func QuickOptions() Options {
	o := DefaultOptions()
	o.Pages, o.Rounds = 1024, 3
	o.Data = []string{"zero", "text", "random"}
	return o
}

func (o Options) check() error {
	if o.Pages < 16 || o.Pages > 1<<20 {
		return fmt.Errorf("pages %d: want 16 to %d", o.Pages, 1<<20)
	}
	if o.Rounds < 1 || o.Rounds > 1000 {
		return fmt.Errorf("rounds %d: want 1 to 1000", o.Rounds)
	}
	for _, b := range o.Backends {
		if !slices.Contains([]string{BackendZram, BackendZswapZram, BackendZswapFile}, b) {
			return fmt.Errorf("backend %q: unknown; want zram, zswap+zram or zswap+file", b)
		}
	}
	for _, p := range o.Paths {
		if p != PathBypass && p != PathSwapcache {
			return fmt.Errorf("path %q: unknown; want bypass or swapcache", p)
		}
	}
	for _, n := range o.Orders {
		if n < 0 || n > 20 {
			return fmt.Errorf("order %d: want a folio order from 0 to 20", n)
		}
	}
	if len(o.Backends) == 0 || len(o.Paths) == 0 || len(o.Data) == 0 {
		return fmt.Errorf("nothing to probe: want at least one backend, path and data class")
	}
	return nil
}

// Check validates the options without touching the system.
func (o Options) Check() error { return o.check() }

// Settings are the header lines that describe the options.
func (o Options) Settings() []string {
	return []string{
		fmt.Sprintf("probe-pages: %d", o.Pages),
		fmt.Sprintf("probe-rounds: %d", o.Rounds),
		fmt.Sprintf("probe-pageout-batch: %d", PageoutBatch),
		"probe-page-cluster: 0",
		fmt.Sprintf("probe-backends: %s", strings.Join(o.Backends, ",")),
		fmt.Sprintf("probe-paths: %s", strings.Join(o.Paths, ",")),
		fmt.Sprintf("probe-data: %s", strings.Join(o.Data, ",")),
		fmt.Sprintf("seed: %d", o.Seed),
	}
}
