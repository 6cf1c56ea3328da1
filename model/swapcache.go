package model

import (
	"slices"

	"github.com/swapbench/swapbench/model/index"
)

// swapCache is the swap cache, mapping an entry to the folio caching it.
// Up to v6.17 it is one xarray per 64 MiB of swap (swapper_spaces); from
// v6.18 it is the swap table (3f036ad8b978 "mm, swap: use the swap table
// for the swap cache and switch API"): an array of SWAPFILE_CLUSTER
// entries per 2 MiB cluster, read under RCU and updated under the
// cluster lock (docs/kernels.md#v618-swap-table-phase-i).
//
// Model: a table slot holds the PFN only; the kernel's entry also holds
// a shadow or, from phase II, the swap count, which the model keeps in
// swap_map.
type swapCache struct {
	spaces []index.Radix[PFN] // up to v6.17
	table  [][]PFN            // from v6.18: per cluster, allocated at first insert
}

func newSwapCache(kernel KernelBase, pages int) swapCache {
	if kernel.HasSwapTable() {
		return swapCache{table: make([][]PFN, (pages+swapClusterPages-1)/swapClusterPages)}
	}
	return swapCache{spaces: make([]index.Radix[PFN], (pages+SwapAddressSpacePages-1)/SwapAddressSpacePages)}
}

// load returns e's folio and the xarray levels walked (0 for the table).
func (c *swapCache) load(e SwpEntry) (PFN, bool, int) {
	if c.table != nil {
		ci := c.table[e/swapClusterPages]
		if ci == nil || ci[e%swapClusterPages] == 0 {
			return 0, false, 0
		}
		return ci[e%swapClusterPages], true, 0
	}
	return c.spaces[e/SwapAddressSpacePages].Load(uint64(e))
}

// store sets e's folio, returning the one it replaced.
func (c *swapCache) store(e SwpEntry, pfn PFN) (old PFN, replaced bool, levels int) {
	if c.table != nil {
		ci := &c.table[e/swapClusterPages]
		if *ci == nil {
			*ci = make([]PFN, swapClusterPages)
		}
		old = (*ci)[e%swapClusterPages]
		(*ci)[e%swapClusterPages] = pfn
		return old, old != 0, 0
	}
	return c.spaces[e/SwapAddressSpacePages].Store(uint64(e), pfn)
}

// erase clears e's slot.
func (c *swapCache) erase(e SwpEntry) (PFN, bool, int) {
	if c.table != nil {
		ci := c.table[e/swapClusterPages]
		if ci == nil || ci[e%swapClusterPages] == 0 {
			return 0, false, 0
		}
		old := ci[e%swapClusterPages]
		ci[e%swapClusterPages] = 0
		return old, true, 0
	}
	return c.spaces[e/SwapAddressSpacePages].Erase(uint64(e))
}

// ascend calls fn for every cached entry in order.
func (c *swapCache) ascend(fn func(e SwpEntry, pfn PFN)) {
	for ci, t := range c.table {
		for i, pfn := range t {
			if pfn != 0 {
				fn(SwpEntry(ci*swapClusterPages+i), pfn)
			}
		}
	}
	for _, sp := range c.spaces {
		sp.Ascend(func(key uint64, pfn PFN) bool {
			fn(SwpEntry(key), pfn)
			return true
		})
	}
}

func (c *swapCache) clone() swapCache {
	n := swapCache{}
	if c.table != nil {
		n.table = make([][]PFN, len(c.table))
		for i, t := range c.table {
			n.table[i] = slices.Clone(t)
		}
	}
	if c.spaces != nil {
		n.spaces = make([]index.Radix[PFN], len(c.spaces))
		for i := range c.spaces {
			n.spaces[i] = c.spaces[i].Clone()
		}
	}
	return n
}

// countSwapCache charges one swap cache operation: the xarray's op with
// the levels walked, or the swap table's.
func (k *Kernel) countSwapCache(xa, table Op, levels int) {
	if k.swapCache.table != nil {
		k.count(table, 1)
		return
	}
	k.count(xa, levels)
}

// swapCacheLookup is the RCU lookup done by swap_cache_get_folio and
// filemap_get_folio; it does not take a reference.
func (k *Kernel) swapCacheLookup(e SwpEntry) *Folio {
	pfn, ok, levels := k.swapCache.load(e)
	k.countSwapCache(OpSwapCacheLookup, OpSwapTableLookup, levels)
	if !ok {
		return nil
	}
	return k.folio(pfn)
}

// swapCacheGetFolio is swap_cache_get_folio: lookup and folio_try_get.
func (k *Kernel) swapCacheGetFolio(e SwpEntry) *Folio {
	f := k.swapCacheLookup(e)
	if f != nil {
		k.folioGet(f)
	}
	return f
}

// addToSwapCache is add_to_swap_cache: under xa_lock_irq, insert the locked
// folio; it takes a reference for the cache. The caller holds
// SWAP_HAS_CACHE for e.
func (k *Kernel) addToSwapCache(f *Folio, e SwpEntry) bool {
	old, replaced, levels := k.swapCache.store(e, f.pfn)
	if replaced {
		k.swapCache.store(e, old) // put the cached folio back: one walk, not a lookup first
		k.bug(e, "add_to_swap_cache: entry already cached")
		return false
	}
	k.countSwapCache(OpSwapCacheAdd, OpSwapTableAdd, levels)
	f.ref++
	f.set(PGswapcache | PGswapbacked)
	f.swap = e
	return true
}

// deleteFromSwapCacheLocked is __delete_from_swap_cache: the folio leaves
// the cache; the caller drops the cache's reference and SWAP_HAS_CACHE.
func (k *Kernel) deleteFromSwapCacheLocked(f *Folio) {
	e := f.swap
	_, ok, levels := k.swapCache.erase(e)
	k.countSwapCache(OpSwapCacheDelete, OpSwapTableDelete, levels)
	if !ok {
		k.bug(e, "__delete_from_swap_cache: folio not in the swap cache")
	}
	f.clear(PGswapcache)
	f.swap = 0
}

// deleteFromSwapCache is delete_from_swap_cache: remove, put_swap_folio
// and drop the cache's reference.
func (k *Kernel) deleteFromSwapCache(f *Folio) {
	e := f.swap
	k.deleteFromSwapCacheLocked(f)
	k.putSwapFolio(e)
	f.ref--
}

// folioFreeSwap is folio_free_swap: a locked swap cache folio whose entry
// no PTE references any more leaves the swap cache and becomes dirty (its
// only copy is now in memory).
func (k *Kernel) folioFreeSwap(f *Folio) bool {
	if !f.test(PGswapcache) || f.test(PGwriteback) || k.swapCount(f.swap) > 0 {
		return false
	}
	k.deleteFromSwapCache(f)
	k.folioMarkDirty(f)
	return true
}
