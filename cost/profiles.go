package cost

import (
	"fmt"

	"github.com/swapbench/swapbench/model"
)

// The anchors, from docs/kernels.md#published-costs (per 4 KiB page):
//
//	pin (13ddaf26be32)        bypass 4.17 -> 4.26 us with the pin; swap cache path 5.02 us
//	bypass removal (RFC 4/10) 4.12 -> 5.29 us per zero page
//	zram 4 KiB read (fio)     lz4 1.7, lzo-rle 2.2, lzo 2.4, zstd 5.7 us
//
// The derived numbers below are solved so that the model, driven the way
// the benchmarks drive it (bench.TestCalibration checks this), reproduces
// them: a zero-page bypass swapin from zram on v6.8 costs 4.26 us with the
// pin and 4.17 us without; the same swapin through the swap cache
// (never-bypass) 5.02 us; and the swap cache deletion that swapin leaves
// for later (at the next swapout or zap) makes up the rest of the RFC's
// 1.17 us, taking its per-page figure to include it. The microbenchmark
// pages of 13ddaf26be32 are taken to be zero pages, as the RFC's are.
const (
	srcLock = "assumed: an uncontended spin_lock/spin_unlock pair on a cache-hot lock, ~15ns; waits are modelled by cost.Sched"
	srcPin  = "derived: the pin adds (4.26-4.17)us = 90ns per swapin (13ddaf26be32): swapcache_prepare + swapcache_clear + their two cluster locks (15ns each, assumed) = 2x30ns + 2x15ns"
	srcAdd  = "derived: solved so that the model's never-bypass zero-page swapin from zram on v6.8 costs the swap cache path's 5.02us, 0.76us over the bypass's 4.26us (13ddaf26be32): the add is that difference plus what the swap cache path skips (swapcache_clear, free_swap_slot and its share of the batch flush, zswap_invalidate, a zswap lookup) less its extra swap cache lookup; bench.TestCalibration checks it"
	srcDel  = "derived: removing the bypass costs 1.17us per zero page (4.12 -> 5.29us, RFC 4/10, Kairui Song) for swap cache add, lookup and delete; the swapin's share is 0.76us (swap_cache_add line), the deletion the rest: 1.17-0.76 = 410ns"
	srcRead = "derived: a zram random 4 KiB read takes 1.7us with lz4 (fio, third-party, docs/kernels.md#published-costs) of which lz4 decompression is 0.82us (lz4 README: 4970 MB/s, Core i7-9700K: 4096B in 0.82us): bio submission/completion and zram_read_page bookkeeping, 880ns"
	srcTick = "assumed: CONFIG_HZ=250, the Kconfig default (kernel/Kconfig.hz)"
)

// faultBase is do_swap_page's own cost: what is left of the 4.26us
// zero-page bypass swapin once every other op is charged.
const faultBase = 2493

func x86Ops(p *Profile) {
	set := func(op model.Op, base, per float64, src string) { p.Ops[op] = Charge{base, per, src} }
	set(model.OpFault, faultBase, 0, "derived: the remainder that makes the model's zero-page bypass swapin from zram on v6.8 cost 4.26us with the pin (13ddaf26be32; bench.TestCalibration checks it): exception entry and exit, handle_mm_fault's page walk, get_swap_device, swap_read_folio and the benchmark's loop")
	set(model.OpPTELock, 15, 0, srcLock)
	set(model.OpClusterLock, 15, 0, srcLock)
	set(model.OpSwapCacheLookup, 15, 5, "assumed: RCU xa_load, ~15ns plus ~5ns per xa_node level walked (cache-warm)")
	set(model.OpSwapCacheAdd, 878.5, 0, srcAdd)
	set(model.OpSwapCacheDelete, 410, 0, srcDel)
	set(model.OpZswapTreeLock, 15, 0, srcLock)
	set(model.OpZswapIndexLookup, 5, 8, "assumed: ~8ns per rbtree node or xa_node compared, cache-warm (a cache miss is ~80ns: see BenchmarkZswapIndex's ns/op at 2^24 entries)")
	set(model.OpZswapIndexInsert, 30, 8, "assumed: the walk (~8ns a node) plus rb_insert_color or xa_store's node update, ~30ns")
	set(model.OpZswapIndexErase, 40, 8, "assumed: the walk (~8ns a node) plus rb_erase rebalancing or xa_erase's node update, ~40ns")
	set(model.OpZswapLRU, 25, 0, "assumed: list_lru_add/del under the list_lru spinlock, ~25ns")
	set(model.OpCompress, 0, 0, "per codec: see the codec lines")
	set(model.OpDecompress, 0, 0, "per codec: see the codec lines")
	set(model.OpSameFilledCheck, 0, 0.05, "assumed: reading the page 8 bytes at a time at ~20 GB/s (n = bytes scanned; a page that is not same-filled stops early)")
	set(model.OpFillPage, 0, 0.025, "assumed: memset_l of the page at ~40 GB/s, ~100ns")
	set(model.OpZsMalloc, 150, 0, "assumed: zs_malloc's fast path: size class, pool lock, object, ~150ns")
	set(model.OpZsFree, 100, 0, "assumed: zs_free: pool lock, object free, ~100ns")
	set(model.OpZramSlotLock, 15, 0, srcLock)
	set(model.OpDeviceRead, 880, 0, srcRead)
	set(model.OpDeviceWrite, 880, 0, "assumed: bio and zram_write_page bookkeeping as for a read (device_read line); compression is charged separately")
	set(model.OpFolioAlloc, 150, 0, "assumed: a folio from the per-CPU free lists, not zeroed (the read fills it), ~150ns")
	set(model.OpFolioFree, 100, 0, "assumed: freeing to the per-CPU free lists, ~100ns")
	set(model.OpMemcgCharge, 100, 0, "assumed: mem_cgroup_swapin_charge_folio from the per-CPU charge stock, ~100ns")
	set(model.OpLRUAdd, 20, 0, "assumed: folio_add_lru into the per-CPU folio_batch, ~20ns")
	set(model.OpLRUDrain, 100, 40, "assumed: lruvec lock ~100ns plus ~40ns per folio moved to the LRU lists")
	set(model.OpSwapcachePrepare, 30, 0, srcPin)
	set(model.OpSwapcacheClear, 30, 0, srcPin)
	set(model.OpSwapFree, 30, 0, "assumed: a swap_map count update under the cluster lock, ~30ns")
	set(model.OpFreeSwapSlot, 30, 0, "assumed: appending to the per-CPU slots_ret batch, ~30ns")
	set(model.OpSlotCacheFlush, 200, 30, "assumed: swapcache_free_entries sorts the batch (~200ns) and does ~30ns of bookkeeping per slot; the locks and zswap_invalidate it calls are charged as their own ops")
	set(model.OpZswapInvalidate, 20, 30, "assumed: the call ~20ns, plus ~30ns when it frees an entry (n = 1); the lookup, erase and zs_free are their own ops")
	set(model.OpSleepTick, 1500, 0, "assumed: switching out and back in, ~1.5us with 2024 x86 mitigations; the sleep adds the time to the second jiffy boundary, 1-2 jiffies (calc_index, kernel/time/timer.c), or until the wait queue wakes it")
	set(model.OpWaitQueue, 50, 0, "assumed: prepare_to_wait/finish_wait on the swapcache wait queue, ~50ns")
	set(model.OpMapPage, 120, 0, "assumed: folio_add_anon_rmap_pte, set_pte_at and the mm counters, ~120ns")
	set(model.OpUnmapPage, 300, 0, "assumed: try_to_unmap_one: rmap walk, ptep_clear_flush with a local TLB flush, the swap PTE, ~300ns")
	set(model.OpCopyPage, 0, 0.025, "assumed: a user write of the whole page at ~40 GB/s")
	setLaterOps(p)
}

// xaUpdate is the part of the derived swap_cache_add and swap_cache_delete
// lines taken to be the xarray update itself; the rest of those lines is
// the swap cache path's other work, which the swap table keeps.
const xaUpdate = 100

// setLaterOps prices the ops of the v6.12 and later bases (the zeromap,
// the swap table). A profile file written before they existed gets them
// from here (Parse).
func setLaterOps(p *Profile) {
	set := func(op model.Op, base, per float64, src string) { p.Ops[op] = Charge{base, per, src} }
	set(model.OpZeromap, 5, 0, "assumed: test_bit, or an atomic set_bit/clear_bit, on si->zeromap: one cache line, ~5ns (0ca0c24e3211)")
	set(model.OpSwapTableLookup, 10, 0, "assumed: swap_cache_get_folio from v6.18 reads the cluster's table slot under RCU: an index, no tree walk, ~10ns (3f036ad8b978)")
	const table = "the table slot set or cleared under the cluster lock the path takes anyway (assumed ~30ns, 3f036ad8b978)"
	set(model.OpSwapTableAdd, 878.5-xaUpdate+30, 0, fmt.Sprintf("derived: the swap_cache_add line's 878.5ns less the xarray insert in it (assumed ~%dns: xa_lock_irq, node walk, store) plus %s", xaUpdate, table))
	set(model.OpSwapTableDelete, 410-xaUpdate+30, 0, fmt.Sprintf("derived: the swap_cache_delete line's 410ns less the xarray erase in it (assumed ~%dns) plus %s", xaUpdate, table))
}

// Codec costs per page. Decompression is anchored on the fio zram reads
// less the read overhead (device_read line); compression, which no
// published swapin figure covers, on the lz4 README's lzbench table
// (Core i7-9700K, Silesia corpus, single thread).
func x86Codecs(p *Profile) {
	const (
		lzbench = "lz4 README lzbench table (Core i7-9700K, Silesia): "
		fio     = "derived: zram random 4 KiB read (fio, third-party, docs/kernels.md#published-costs) "
	)
	codec := func(name string, cb float64, csrc string, db float64, dsrc string) {
		p.Codecs[name] = CodecCost{Compress: Charge{cb, 0, csrc}, Decompress: Charge{db, 0, dsrc}}
	}
	codec("lz4", 5250, "derived: "+lzbench+"LZ4 1.9.0 compresses 780 MB/s: 4096B in 5.25us",
		820, "derived: "+lzbench+"LZ4 1.9.0 decompresses 4970 MB/s: 4096B in 0.82us (with the 880ns read overhead it makes fio's 1.7us)")
	codec("lzo", 6110, "derived: "+lzbench+"LZO 2.09 compresses 670 MB/s: 4096B in 6.11us",
		1520, fio+"with lzo 2.4us minus the 880ns read overhead (device_read line)")
	codec("lzo-rle", 6110, "assumed: as lzo (the same LZO1X-1 compressor; its run-length encoding of zero runs only shortens the output); lzbench has no lzo-rle",
		1320, fio+"with lzo-rle 2.2us minus the 880ns read overhead (device_read line)")
	codec("zstd", 7950, "derived: "+lzbench+"zstd 1.4.0 -1 compresses 515 MB/s: 4096B in 7.95us (the kernel's zswap zstd runs at level 3: slower, assumed close)",
		4820, fio+"with zstd 5.7us minus the 880ns read overhead (device_read line)")
	codec("deflate", 41000, "derived: "+lzbench+"zlib 1.2.11 deflate -1 compresses 100 MB/s: 4096B in 41us (the kernel's crypto deflate default level is slower still)",
		9870, "derived: "+lzbench+"zlib 1.2.11 inflates 415 MB/s: 4096B in 9.87us; no fio anchor")
	// Random pages: zswap rejects them after compressing and zram stores
	// them raw, so only the compression differs.
	const rnd = "assumed: on incompressible input the fast codecs skip ahead (LZ4's acceleration, LZO's literal-run heuristic) and run several times faster than on Silesia; "
	p.Codecs["lz4/random"] = CodecCost{Compress: Charge{1500, 0, rnd + "~2.7 GB/s, 1.5us"}}
	p.Codecs["lzo/random"] = CodecCost{Compress: Charge{2000, 0, rnd + "~2 GB/s, 2us"}}
	p.Codecs["lzo-rle/random"] = CodecCost{Compress: Charge{2000, 0, rnd + "~2 GB/s, 2us (as lzo)"}}
	p.Codecs["zstd/random"] = CodecCost{Compress: Charge{4000, 0, "assumed: zstd -1 detects incompressible blocks and stores them raw, about twice its Silesia speed, 4us"}}
}

// x86_2024 is the v6.9-era profile anchored on the published numbers.
func x86_2024() *Profile {
	p := &Profile{Name: "x86-2024", HZ: 250, HZSource: srcTick, Codecs: map[string]CodecCost{}}
	x86Ops(p)
	x86Codecs(p)
	return p
}

// swaptable2026 is x86-2024 after the 2025-26 swap table (f1879e8a0c60,
// 2732acda82c9): the swap cache is a per-cluster table indexed by offset,
// and SWAP_HAS_CACHE as a separate pin is gone.
func swaptable2026() *Profile {
	p := x86_2024()
	p.Name = "swaptable-2026"
	const src = "assumed: the swap cache cost after the 2025-26 swap table is called 'trivial' (unverified, docs/kernels.md#published-costs): a table slot in the cluster, under the cluster lock the path already holds"
	p.Ops[model.OpSwapCacheAdd] = Charge{30, 0, src + "; ~30ns to set it"}
	p.Ops[model.OpSwapCacheDelete] = Charge{30, 0, src + "; ~30ns to clear it"}
	p.Ops[model.OpSwapCacheLookup] = Charge{10, 0, src + "; ~10ns to read it, no tree walk"}
	p.Ops[model.OpSwapTableAdd] = Charge{30, 0, src + "; ~30ns to set it"}
	p.Ops[model.OpSwapTableDelete] = Charge{30, 0, src + "; ~30ns to clear it"}
	const pin = "assumed: the swap table has no separate SWAP_HAS_CACHE pin; inserting the folio is the pin (swap_cache_add line)"
	p.Ops[model.OpSwapcachePrepare] = Charge{0, 0, pin}
	p.Ops[model.OpSwapcacheClear] = Charge{0, 0, pin}
	return p
}
