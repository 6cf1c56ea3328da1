package model

import "fmt"

// SyncMode is how concurrent swapins of one entry are serialised on the
// bypass path (13ddaf26be32, swapcache_prepare; docs/kernels.md#the-pin).
type SyncMode uint8

// The sync modes.
const (
	// SyncNone: no pin, as before 13ddaf26be32. Two faults may both read
	// the entry into private folios.
	SyncNone SyncMode = iota
	// SyncTick: 13ddaf26be32. The bypass pins the entry with
	// swapcache_prepare; a loser sleeps (schedule_timeout_uninterruptible(1):
	// 1 to 2 jiffies) and the fault is retried.
	SyncTick
	// SyncWaitqueue: 01626a182302. As SyncTick, but the loser sleeps on a
	// wait queue that swapcache_clear wakes (the same timeout at most).
	SyncWaitqueue
	// SyncFolioLock: the 2026 swap table. There is no bypass and no
	// SWAP_HAS_CACHE pin: the first to insert a folio into the swap cache
	// reads it, the others find it there and wait on its folio lock.
	SyncFolioLock
	numSyncModes
)

var syncNames = [numSyncModes]string{"none", "tick", "waitqueue", "folio-lock"}

func (s SyncMode) String() string {
	if s < numSyncModes {
		return syncNames[s]
	}
	return fmt.Sprintf("sync(%d)", uint8(s))
}

// ParseSyncMode parses a sync mode name.
func ParseSyncMode(s string) (SyncMode, error) {
	return parseName[SyncMode]("sync mode", s, syncNames[:])
}

// Hooks are the places where the proposals of the March 2024 thread differ
// (docs/kernels.md#the-fixes).
// A fix is a Hooks value; a nil function means the kernel's own behaviour
// for the configured base.
type Hooks struct {
	// Sync is the bypass path's serialisation.
	Sync SyncMode

	// SkipSwapCache decides, after a swap cache miss, whether do_swap_page
	// reads into a private folio. Nil: the kernel's rule,
	// SWP_SYNCHRONOUS_IO && __swap_count(entry) == 1 (and never with
	// SyncFolioLock, which has no bypass).
	SkipSwapCache func(k *Kernel, entry SwpEntry, count int) bool

	// BypassAddToSwapCache runs on the bypass path after the pin and the
	// memcg charge, before the read. Returning true makes do_swap_page add
	// the private folio to the swap cache and read through it, as Chengming
	// Zhou's always-swapcache RFC does when zswap holds the entry. Nil:
	// never.
	BypassAddToSwapCache func(k *Kernel, entry SwpEntry) bool

	// ExclusiveLoad decides inside zswap_load whether the entry is freed
	// and the folio dirtied. Nil: the base's default (v6.8: off, the
	// exclusive_loads parameter's default; v6.9 and later: the merged fix,
	// exclusive only for swap cache folios).
	ExclusiveLoad func(k *Kernel, f *Folio) bool

	// FaultFailed runs on do_swap_page's failure exits (out_nomap,
	// out_page, out_release) with the folio still referenced and locked
	// (on the RETRY exit the fault takes the lock again first: its own
	// step, which waits for the holder) and before the pin is cleared; it
	// is its own atomic step. private says the
	// folio is the bypass path's own (do_swap_page's swapcache is NULL),
	// as opposed to a swap cache folio, which may have left the cache
	// meanwhile. Nil: nothing.
	FaultFailed func(k *Kernel, f *Folio, entry SwpEntry, private bool)
}

func (h *Hooks) validate() error {
	if h.Sync >= numSyncModes {
		return fmt.Errorf("sync mode %d: unknown; want one of folio-lock, none, tick, waitqueue", h.Sync)
	}
	return nil
}

// skipSwapCache applies the bypass decision.
func (k *Kernel) skipSwapCache(entry SwpEntry, count int) bool {
	if k.hooks.SkipSwapCache != nil {
		return k.hooks.SkipSwapCache(k, entry, count)
	}
	return k.hooks.Sync != SyncFolioLock && k.si.synchronousIO && count == 1
}

// exclusiveLoad applies the exclusive-load decision.
func (k *Kernel) exclusiveLoad(f *Folio) bool {
	if k.hooks.ExclusiveLoad != nil {
		return k.hooks.ExclusiveLoad(k, f)
	}
	if k.cfg.Kernel == V6_8 {
		return false
	}
	return f.test(PGswapcache)
}
