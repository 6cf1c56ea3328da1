package model

// Op is one modelled kernel operation. Every op the model performs is counted
// in Kernel.Counts and reported to the accounting hook, so that benchmarks can
// charge modelled kernel time per operation from a cost profile.
type Op uint8

// The operations. The n reported with each is documented next to it.
const (
	OpFault            Op = iota // do_swap_page entered; n = 1
	OpPTELock                    // pte_offset_map_lock; n = page-table index
	OpClusterLock                // swap cluster lock (swap_map); n = cluster
	OpSwapCacheLookup            // RCU swap cache (xarray) lookup; n = levels walked
	OpSwapCacheAdd               // add_to_swap_cache under xa_lock_irq; n = levels
	OpSwapCacheDelete            // __delete_from_swap_cache; n = levels
	OpZswapTreeLock              // zswap tree spinlock; n = tree index
	OpZswapIndexLookup           // rbtree search or xa_load; n = nodes visited
	OpZswapIndexInsert           // rbtree insert or xa_store; n = nodes visited
	OpZswapIndexErase            // rbtree erase or xa_erase; n = nodes visited
	OpZswapLRU                   // zswap list_lru add/del/rotate; n = 1
	OpCompress                   // compress one page; n = compressed bytes
	OpDecompress                 // decompress one page; n = compressed bytes
	OpSameFilledCheck            // scan a page for a repeated word; n = bytes scanned
	OpFillPage                   // fill a page with a word (same-filled load); n = PageSize
	OpZsMalloc                   // zsmalloc allocation; n = size class bytes
	OpZsFree                     // zsmalloc free; n = size class bytes
	OpZramSlotLock               // zram per-slot lock; n = slot
	OpDeviceRead                 // device read of one slot; n = stored bytes
	OpDeviceWrite                // device write of one slot; n = stored bytes
	OpFolioAlloc                 // folio allocation; n = 1
	OpFolioFree                  // folio freed; n = 1
	OpMemcgCharge                // mem_cgroup_swapin_charge_folio; n = 1
	OpLRUAdd                     // folio_add_lru into the per-CPU batch; n = 1
	OpLRUDrain                   // per-CPU LRU batch drained under the lruvec lock; n = folios
	OpSwapcachePrepare           // swapcache_prepare (the pin); n = 1
	OpSwapcacheClear             // swapcache_clear; n = 1
	OpSwapFree                   // swap_free / swap_duplicate count change; n = 1
	OpFreeSwapSlot               // free_swap_slot; n = 1
	OpSlotCacheFlush             // swapcache_free_entries of a per-CPU batch; n = slots
	OpZswapInvalidate            // zswap_invalidate; n = 1 if an entry was freed
	OpSleepTick                  // schedule_timeout_uninterruptible(1); n = ticks
	OpWaitQueue                  // sleep on the swapcache wait queue; n = 1
	OpMapPage                    // rmap + set_pte_at; n = 1
	OpUnmapPage                  // try_to_unmap one PTE; n = 1
	OpCopyPage                   // user write of a page; n = PageSize
	OpZeromap                    // si->zeromap test_bit/set_bit/clear_bit (v6.12+); n = 1
	OpSwapTableLookup            // swap table lookup (v6.18+: swap_cache_get_folio); n = 1
	OpSwapTableAdd               // swap table insert under the cluster lock (swap_cache_add_folio); n = 1
	OpSwapTableDelete            // swap table clear under the cluster lock (swap_cache_del_folio); n = 1
	numOps
)

var opNames = [numOps]string{
	OpFault:            "do_swap_page",
	OpPTELock:          "pte_lock",
	OpClusterLock:      "cluster_lock",
	OpSwapCacheLookup:  "swap_cache_lookup",
	OpSwapCacheAdd:     "swap_cache_add",
	OpSwapCacheDelete:  "swap_cache_delete",
	OpZswapTreeLock:    "zswap_tree_lock",
	OpZswapIndexLookup: "zswap_index_lookup",
	OpZswapIndexInsert: "zswap_index_insert",
	OpZswapIndexErase:  "zswap_index_erase",
	OpZswapLRU:         "zswap_lru",
	OpCompress:         "compress",
	OpDecompress:       "decompress",
	OpSameFilledCheck:  "same_filled_check",
	OpFillPage:         "fill_page",
	OpZsMalloc:         "zs_malloc",
	OpZsFree:           "zs_free",
	OpZramSlotLock:     "zram_slot_lock",
	OpDeviceRead:       "device_read",
	OpDeviceWrite:      "device_write",
	OpFolioAlloc:       "folio_alloc",
	OpFolioFree:        "folio_free",
	OpMemcgCharge:      "memcg_charge",
	OpLRUAdd:           "folio_add_lru",
	OpLRUDrain:         "lru_add_drain",
	OpSwapcachePrepare: "swapcache_prepare",
	OpSwapcacheClear:   "swapcache_clear",
	OpSwapFree:         "swap_free",
	OpFreeSwapSlot:     "free_swap_slot",
	OpSlotCacheFlush:   "swapcache_free_entries",
	OpZswapInvalidate:  "zswap_invalidate",
	OpSleepTick:        "schedule_timeout",
	OpWaitQueue:        "swapcache_wait",
	OpMapPage:          "set_pte_at",
	OpUnmapPage:        "try_to_unmap_one",
	OpCopyPage:         "user_write",
	OpZeromap:          "swap_zeromap",
	OpSwapTableLookup:  "swap_table_lookup",
	OpSwapTableAdd:     "swap_table_add",
	OpSwapTableDelete:  "swap_table_delete",
}

// String returns the op's name as used in cost profiles.
func (o Op) String() string {
	if o < numOps {
		return opNames[o]
	}
	return "op?"
}

// NumOps is the number of distinct operations.
const NumOps = int(numOps)

// Ops lists every operation, in order.
func Ops() []Op {
	ops := make([]Op, numOps)
	for i := range ops {
		ops[i] = Op(i)
	}
	return ops
}

// ParseOp returns the op with the given cost-profile name.
func ParseOp(name string) (Op, bool) {
	for i, n := range opNames {
		if n == name {
			return Op(i), true
		}
	}
	return 0, false
}

// An Accounter is told of every modelled kernel operation as it happens.
// cpu is the simulated CPU that performed it. Implementations must not
// allocate: Account runs on the simulated hot path.
type Accounter interface {
	Account(cpu int, op Op, n int)
}

// count records op on the current CPU.
func (k *Kernel) count(op Op, n int) {
	k.Counts[op]++
	if k.acct != nil {
		k.acct.Account(k.cpu, op, n)
	}
}
