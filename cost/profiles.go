package cost

import "github.com/swapbench/swapbench/model"

// Sources, quoted from ../shared/KERNEL.md section 6.
const (
	srcPin      = "derived: the pin costs +0.09us per swapin (4.17 -> 4.26us, 13ddaf26be32), split between swapcache_prepare and swapcache_clear"
	srcRFC      = "derived: removing the bypass costs ~1.17us per zero page (4.12 -> 5.29us, Kairui Song's RFC 4/10) for swap cache add/lookup/delete; split ~500ns add, ~500ns delete, the rest lookups"
	srcFault    = "derived: the remainder that makes a bypass zero-page swapin on zram sum to 4.17us (13ddaf26be32's microbenchmark): exception entry/exit, page walk, handle_mm_fault, the test loop"
	srcZramRead = "derived: zram random 4K read 1.7us with lz4 (fio, third-party) minus ~0.8us of lz4 decompression (the lz4 codec line): bio and zram overhead"
	srcAssumed  = "assumed: no published per-operation number; a typical uncontended cost on a 2024 x86 server; calibrate with swapbench probe"
	srcInOp     = "included in the operation that takes the lock (uncontended)"
	srcTick     = "one jiffy at the profile's HZ (schedule_timeout_uninterruptible(1))"
)

func base(p *Profile) {
	set := func(op model.Op, b, per float64, src string) { p.Ops[op] = Charge{b, per, src} }
	set(model.OpFault, 2450, 0, srcFault)
	set(model.OpPTELock, 0, 0, srcInOp)
	set(model.OpClusterLock, 0, 0, srcInOp)
	set(model.OpSwapCacheLookup, 20, 10, "assumed: RCU xa_load, ~10ns per level walked")
	set(model.OpSwapCacheAdd, 500, 0, srcRFC)
	set(model.OpSwapCacheDelete, 500, 0, srcRFC)
	set(model.OpZswapTreeLock, 20, 0, "assumed: uncontended spin_lock/unlock pair")
	set(model.OpZswapIndexLookup, 0, 10, "assumed: ~10ns per node visited (rbtree node or xa_node, cache-warm)")
	set(model.OpZswapIndexInsert, 50, 10, "assumed: node visits plus linking and rebalancing")
	set(model.OpZswapIndexErase, 80, 10, "assumed: node visits plus unlinking and rebalancing")
	set(model.OpZswapLRU, 20, 0, srcAssumed)
	set(model.OpSameFilledCheck, 0, 0.05, "assumed: scanning at ~20 GB/s")
	set(model.OpFillPage, 100, 0, "assumed: memset of 4 KiB at ~40 GB/s")
	set(model.OpZsMalloc, 150, 0, srcAssumed)
	set(model.OpZsFree, 100, 0, srcAssumed)
	set(model.OpZramSlotLock, 0, 0, srcInOp)
	set(model.OpDeviceRead, 900, 0, srcZramRead)
	set(model.OpDeviceWrite, 1000, 0, srcAssumed)
	set(model.OpFolioAlloc, 150, 0, "assumed: page allocator per-CPU list fast path")
	set(model.OpFolioFree, 100, 0, srcAssumed)
	set(model.OpMemcgCharge, 100, 0, srcAssumed)
	set(model.OpLRUAdd, 20, 0, srcAssumed)
	set(model.OpLRUDrain, 100, 50, "assumed: lruvec lock plus ~50ns per folio")
	set(model.OpSwapcachePrepare, 45, 0, srcPin)
	set(model.OpSwapcacheClear, 45, 0, srcPin)
	set(model.OpSwapFree, 30, 0, "assumed: swap_map update under the cluster lock")
	set(model.OpFreeSwapSlot, 30, 0, srcAssumed)
	set(model.OpSlotCacheFlush, 200, 100, "assumed: swapcache_free_entries, ~100ns per slot returned")
	set(model.OpZswapInvalidate, 50, 0, srcAssumed)
	set(model.OpSleepTick, 0, 0, srcTick)
	set(model.OpWaitQueue, 50, 0, "assumed: add_wait_queue/remove_wait_queue")
	set(model.OpMapPage, 150, 0, "assumed: rmap and set_pte_at")
	set(model.OpUnmapPage, 200, 0, "assumed: try_to_unmap_one with TLB flush")
	set(model.OpCopyPage, 300, 0, "assumed: a user write of 4 KiB")
	set(model.OpCompress, 0, 0, "per codec (codec lines)")
	set(model.OpDecompress, 0, 0, "per codec (codec lines)")

	const (
		srcDecomp = "derived: zram random 4K read (fio, third-party: lz4 1.7us, lzo-rle 2.2, lzo 2.4, zstd 5.7) minus 0.9us device overhead; deflate assumed"
		srcComp   = "assumed: no published per-page compression cost; typical kernel throughput; calibrate with swapbench probe"
	)
	codec := func(name string, cb, cp, db, dp float64) {
		p.Codecs[name] = CodecCost{
			Compress:   Charge{cb, cp, srcComp},
			Decompress: Charge{db, dp, srcDecomp},
		}
	}
	codec("lz4", 3000, 0.5, 700, 0.1)
	codec("lzo-rle", 3300, 0.5, 1200, 0.1)
	codec("lzo", 3500, 0.5, 1400, 0.1)
	codec("zstd", 12000, 2, 4500, 0.3)
	codec("deflate", 15000, 3, 6000, 0.5)
}

// x86_2024 is the v6.9-era profile anchored on the published numbers.
func x86_2024() *Profile {
	p := &Profile{Name: "x86-2024", HZ: 250, Codecs: map[string]CodecCost{}}
	base(p)
	return p
}

// swaptable2026 is x86-2024 with the 2025-26 swap table: swap cache
// operations become cheap and there is no SWAP_HAS_CACHE pin.
func swaptable2026() *Profile {
	p := &Profile{Name: "swaptable-2026", HZ: 250, Codecs: map[string]CodecCost{}}
	base(p)
	const src = "KERNEL.md s6: after the 2025-26 swap table the swap cache cost is 'trivial'; assumed ~60ns"
	p.Ops[model.OpSwapCacheAdd] = Charge{60, 0, src}
	p.Ops[model.OpSwapCacheDelete] = Charge{60, 0, src}
	p.Ops[model.OpSwapCacheLookup] = Charge{10, 5, src}
	p.Ops[model.OpSwapcachePrepare] = Charge{0, 0, "the swap table has no separate SWAP_HAS_CACHE pin (f1879e8a0c60, 2732acda82c9)"}
	p.Ops[model.OpSwapcacheClear] = Charge{0, 0, "the swap table has no separate SWAP_HAS_CACHE pin (f1879e8a0c60, 2732acda82c9)"}
	return p
}
