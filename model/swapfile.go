package model

import (
	"errors"
	"math/bits"
)

// swap_map encoding (include/linux/swap.h).
const (
	swapHasCache = 0x40 // SWAP_HAS_CACHE
	swapMapMax   = 0x3e // SWAP_MAP_MAX
	swapCountMsk = 0x3f
)

var (
	errEEXIST = errors.New("EEXIST")
	errENOENT = errors.New("ENOENT")
)

// swapInfo is the model's single swap device (struct swap_info_struct).
//
// Model: slots are allocated lowest-free-first straight from swap_map rather
// than through the per-CPU allocation cache and cluster scanning, so that a
// freed entry is the next one reused and entry reuse (the ABA race) is
// reachable in small scenarios. Frees still go through the per-CPU
// free_swap_slot batch, whose timing is what differs between kernels.
type swapInfo struct {
	swapMap       []uint8
	synchronousIO bool // SWP_SYNCHRONOUS_IO
	used          slotBitmap
	inuse         int
	inSlotCache   []bool // entry is in some CPU's slots_ret batch
	// zeromap is si->zeromap (0ca0c24e3211, v6.12): a bit per slot set
	// when a zero-filled folio was swapped out to it instead of being
	// written. nil before v6.12. Updated with atomic bit operations in
	// the kernel, outside any lock.
	zeromap []uint64
}

// zeromapTest is test_bit(offset, si->zeromap).
func (k *Kernel) zeromapTest(e SwpEntry) bool {
	return k.si.zeromap[e/64]&(1<<(e%64)) != 0
}

// zeromapSet is swap_zeromap_folio_set for an order-0 folio.
func (k *Kernel) zeromapSet(e SwpEntry) {
	k.count(OpZeromap, 1)
	k.si.zeromap[e/64] |= 1 << (e % 64)
}

// zeromapClear is swap_zeromap_folio_clear (swap_writepage of a non-zero
// folio) and the clear_bit in swap_range_free.
func (k *Kernel) zeromapClear(e SwpEntry) {
	k.count(OpZeromap, 1)
	k.si.zeromap[e/64] &^= 1 << (e % 64)
}

// ZeromapHas reports whether e's zeromap bit is set (false before v6.12),
// without cost, for tests and benchmarks.
func (k *Kernel) ZeromapHas(e SwpEntry) bool {
	return k.si.zeromap != nil && k.zeromapTest(e)
}

// SwapMap returns swap_map[e]: the count in the low bits and SWAP_HAS_CACHE.
func (k *Kernel) SwapMap(e SwpEntry) (count int, hasCache bool) {
	v := k.si.swapMap[e]
	return int(v & swapCountMsk), v&swapHasCache != 0
}

// slotsInUse returns the number of slots not free (including batched frees).
func (k *Kernel) slotsInUse() int { return k.si.inuse }

func (k *Kernel) clusterLock(e SwpEntry) { k.count(OpClusterLock, int(e/swapClusterPages)) }

// swapCount is __swap_count: a lockless read of the entry's count.
func (k *Kernel) swapCount(e SwpEntry) int { return int(k.si.swapMap[e] & swapCountMsk) }

// getSwapPage allocates a slot for a folio entering the swap cache
// (folio_alloc_swap): swap_map becomes SWAP_HAS_CACHE.
func (k *Kernel) getSwapPage() (SwpEntry, bool) {
	i, ok := k.si.used.lowestFree()
	if !ok {
		return 0, false
	}
	e := SwpEntry(i)
	k.clusterLock(e)
	k.si.used.set(i)
	k.si.inuse++
	k.si.swapMap[e] = swapHasCache
	return e, true
}

// swapDuplicate is swap_duplicate: one more PTE references e.
func (k *Kernel) swapDuplicate(e SwpEntry) bool {
	k.clusterLock(e)
	k.count(OpSwapFree, 1)
	v := k.si.swapMap[e]
	if v&swapCountMsk >= swapMapMax || v == 0 {
		k.bug(e, "swap_duplicate of a free or saturated entry")
		return false
	}
	k.si.swapMap[e] = v + 1
	return true
}

// swapcachePrepare is swapcache_prepare: set SWAP_HAS_CACHE if the entry
// is in use and nobody has it yet.
func (k *Kernel) swapcachePrepare(e SwpEntry) error {
	k.clusterLock(e)
	k.count(OpSwapcachePrepare, 1)
	v := k.si.swapMap[e]
	switch {
	case v&swapHasCache != 0:
		return errEEXIST
	case v&swapCountMsk == 0:
		return errENOENT
	}
	k.si.swapMap[e] = v | swapHasCache
	return nil
}

// swapEntryFreeLocked is __swap_entry_free_locked: drop usage (a count of
// one, or SWAP_HAS_CACHE) and return what is left. An entry whose usage
// reaches zero keeps SWAP_HAS_CACHE in swap_map until the per-CPU batch
// returns it, exactly as the kernel does.
func (k *Kernel) swapEntryFreeLocked(e SwpEntry, usage uint8) uint8 {
	v := k.si.swapMap[e]
	count, hasCache := v&swapCountMsk, v&swapHasCache
	if usage == swapHasCache {
		if hasCache == 0 {
			k.bug(e, "dropping SWAP_HAS_CACHE that is not set")
			return v
		}
		hasCache = 0
	} else {
		if count == 0 {
			k.violate(Violation{Kind: DoubleFree, Entry: e, Detail: "swap_free of an entry with count 0"})
			return v
		}
		count--
	}
	left := count | hasCache
	if left != 0 {
		k.si.swapMap[e] = left
	} else {
		k.si.swapMap[e] = swapHasCache
	}
	return left
}

// swapFree is swap_free: one PTE reference gone.
func (k *Kernel) swapFree(e SwpEntry) {
	k.clusterLock(e)
	k.count(OpSwapFree, 1)
	if k.swapEntryFreeLocked(e, 1) == 0 {
		k.freeSwapSlot(e)
	}
}

// putSwapFolio drops SWAP_HAS_CACHE for a folio leaving the swap cache
// (put_swap_folio).
func (k *Kernel) putSwapFolio(e SwpEntry) {
	k.clusterLock(e)
	if k.swapEntryFreeLocked(e, swapHasCache) == 0 {
		k.freeSwapSlot(e)
	}
}

// swapcacheClear is swapcache_clear: the bypass path's pin released.
func (k *Kernel) swapcacheClear(e SwpEntry) {
	k.clusterLock(e)
	k.count(OpSwapcacheClear, 1)
	if k.swapEntryFreeLocked(e, swapHasCache) == 0 {
		k.freeSwapSlot(e)
	}
	if k.hooks.Sync == SyncWaitqueue {
		k.wakeSwapcacheWaiters(e)
	}
}

// freeSwapSlot is free_swap_slot: from v6.9 (0827a1fb143f) zswap_invalidate
// runs at once; the slot itself waits in the CPU's slots_ret batch and is
// returned (and, in v6.8, invalidated) with the batch. A full batch is
// returned before the new entry joins it (mm/swap_slots.c), so an entry
// waits for SlotCacheSize more frees on its CPU (or a drain), never
// freed by its own call; a slot cache of one entry stands for no slot
// cache (direct_free).
//
// From v6.15 (0ff67f990bd4) there is no slot cache: the entry is freed at
// once (swap_entries_free -> swap_range_free), which the model runs as a
// batch of one without charging the batch's ops.
func (k *Kernel) freeSwapSlot(e SwpEntry) {
	if k.cfg.Kernel.hasSlotCache() {
		k.count(OpFreeSwapSlot, 1)
	}
	if k.cfg.Kernel >= V6_9 {
		k.zswapInvalidate(e)
	}
	if k.si.inSlotCache[e] {
		k.bug(e, "free_swap_slot of an entry already in a slot cache")
		return
	}
	c := &k.cpus[k.cpu]
	if len(c.slotsRet) >= k.cfg.SlotCacheSize {
		k.swapcacheFreeEntries(k.cpu)
	}
	k.si.inSlotCache[e] = true
	c.slotsRet = append(c.slotsRet, e)
	if k.cfg.SlotCacheSize == 1 {
		k.swapcacheFreeEntries(k.cpu) // direct_free
	}
}

// swapcacheFreeEntries returns one CPU's batch of freed slots to the device
// (swapcache_free_entries -> swap_entry_free -> swap_range_free).
func (k *Kernel) swapcacheFreeEntries(cpu int) {
	c := &k.cpus[cpu]
	if len(c.slotsRet) == 0 {
		return
	}
	if k.cfg.Kernel.hasSlotCache() {
		k.count(OpSlotCacheFlush, len(c.slotsRet))
	}
	for _, e := range c.slotsRet {
		k.si.inSlotCache[e] = false
		k.clusterLock(e)
		if k.si.swapMap[e] != swapHasCache {
			k.bug(e, "swap_entry_free: swap_map is not SWAP_HAS_CACHE")
		}
		k.si.swapMap[e] = 0
		k.si.used.clear(int(e))
		k.si.inuse--
		// swap_range_free
		if k.cfg.Kernel == V6_8 {
			k.zswapInvalidate(e)
		}
		if k.si.zeromap != nil {
			k.zeromapClear(e)
		}
		k.zram.slotFreeNotify(k, e)
	}
	c.slotsRet = c.slotsRet[:0]
}

// DrainSlotCaches returns every CPU's batch of freed slots, as
// drain_slots_cache_cpu does on swapoff or CPU hotplug; the race explorer
// uses it to stand for "63 more frees on that CPU".
func (k *Kernel) DrainSlotCaches() { k.onEachCPU(k.swapcacheFreeEntries) }

// slotBitmap finds the lowest free slot quickly: level 0 has a bit per slot
// (set = used), and each higher level a bit per lower-level word that is
// full. Padding bits past the end are set so they are never chosen.
type slotBitmap struct {
	levels [][]uint64
}

func newSlotBitmap(n int) slotBitmap {
	var b slotBitmap
	bits := n
	for {
		words := (bits + 63) / 64
		lv := make([]uint64, words)
		if r := bits % 64; r != 0 {
			lv[words-1] = ^uint64(0) << r
		}
		b.levels = append(b.levels, lv)
		if words <= 64 {
			break
		}
		bits = words
	}
	// Propagate padding-full words upwards.
	for l := 0; l+1 < len(b.levels); l++ {
		for w, v := range b.levels[l] {
			if v == ^uint64(0) {
				b.levels[l+1][w/64] |= 1 << (w % 64)
			}
		}
	}
	return b
}

func (b *slotBitmap) set(i int) {
	for l := range b.levels {
		w := &b.levels[l][i/64]
		*w |= 1 << (i % 64)
		if *w != ^uint64(0) {
			return
		}
		i /= 64
	}
}

func (b *slotBitmap) clear(i int) {
	for l := range b.levels {
		w := &b.levels[l][i/64]
		wasFull := *w == ^uint64(0)
		*w &^= 1 << (i % 64)
		if !wasFull {
			return
		}
		i /= 64
	}
}

func (b *slotBitmap) lowestFree() (int, bool) {
	top := len(b.levels) - 1
	idx := -1
	for w, v := range b.levels[top] {
		if v != ^uint64(0) {
			idx = w*64 + bits.TrailingZeros64(^v)
			break
		}
	}
	if idx < 0 {
		return 0, false
	}
	for l := top - 1; l >= 0; l-- {
		v := b.levels[l][idx]
		idx = idx*64 + bits.TrailingZeros64(^v)
	}
	return idx, true
}
