package model

import "github.com/swapbench/swapbench/model/index"

// swapCache is the swap cache: one xarray per 64 MiB of swap
// (swapper_spaces), mapping an entry to the folio caching it.
type swapCache struct {
	spaces []index.Radix[PFN]
}

func newSwapCache(pages int) swapCache {
	return swapCache{spaces: make([]index.Radix[PFN], (pages+SwapAddressSpacePages-1)/SwapAddressSpacePages)}
}

func (c *swapCache) space(e SwpEntry) *index.Radix[PFN] { return &c.spaces[e/SwapAddressSpacePages] }

// swapCacheLookup is the RCU lookup done by swap_cache_get_folio and
// filemap_get_folio; it does not take a reference.
func (k *Kernel) swapCacheLookup(e SwpEntry) *Folio {
	pfn, ok, levels := k.swapCache.space(e).Load(uint64(e))
	k.count(OpSwapCacheLookup, levels)
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
	sp := k.swapCache.space(e)
	old, replaced, levels := sp.Store(uint64(e), f.pfn)
	if replaced {
		sp.Store(uint64(e), old) // put the cached folio back: one walk, not a lookup first
		k.bug(e, "add_to_swap_cache: entry already cached")
		return false
	}
	k.count(OpSwapCacheAdd, levels)
	f.ref++
	f.set(PGswapcache | PGswapbacked)
	f.swap = e
	return true
}

// deleteFromSwapCacheLocked is __delete_from_swap_cache: the folio leaves
// the cache; the caller drops the cache's reference and SWAP_HAS_CACHE.
func (k *Kernel) deleteFromSwapCacheLocked(f *Folio) {
	e := f.swap
	_, ok, levels := k.swapCache.space(e).Erase(uint64(e))
	k.count(OpSwapCacheDelete, levels)
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
