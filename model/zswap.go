package model

import (
	"encoding/binary"

	"github.com/swapbench/swapbench/model/index"
)

// zswapEntry is struct zswap_entry.
//
// Model: entries live in an arena and are named by a uint32 id (with a
// generation to catch use after free) instead of pointers, so that 2^24
// entries fit in well under 2 GiB and the garbage collector has nothing to
// scan. The fields are packed into 40 bytes: the swap offset is 32 bits
// (Config.SwapPages is at most maxPages) and the refcount 16 (its holders
// are the tree and one loader per CPU).
type zswapEntry struct {
	handle   zsHandle // compressed object; the repeated word if length == 0
	sum      uint64   // the oracle's checksum of the page, carried along
	offset   uint32   // swp_offset(entry->swpentry)
	gen      uint32
	lruPrev  uint32
	lruNext  uint32
	length   uint16 // compressed bytes (at most PageSize); 0 for a same-filled page
	refcount int16  // v6.8 only: the tree's reference plus loaders'
	onLRU    bool
	live     bool
}

// swp is entry->swpentry.
func (en *zswapEntry) swp() SwpEntry { return SwpEntry(en.offset) }

// zswapRef is an entry pointer held across steps.
type zswapRef struct {
	id, gen uint32
}

// zswapTree is struct zswap_tree: one per device in v6.8, one per 64 MiB
// from v6.9; an rbtree up to v6.9 and an xarray from v6.10.
type zswapTree struct {
	rb index.RBTree[uint32]
	xa index.Radix[uint32]
}

// ZswapIndex is zswap's index as a kernel base lays it out: its trees by
// swap offset, each an rbtree up to v6.9 and an xarray from v6.10, one
// for the device in v6.8 and one per SwapAddressSpacePages slots from
// v6.9. It maps a swap offset to an entry id (never 0). The model's zswap
// keeps its entries in one; benchmarks of the index alone build their own.
type ZswapIndex struct {
	kernel KernelBase
	trees  []zswapTree
}

// NewZswapIndex returns an empty index of kernel for a device of pages
// swap slots.
func NewZswapIndex(kernel KernelBase, pages int) *ZswapIndex {
	x := newZswapIndex(kernel, pages)
	return &x
}

func newZswapIndex(kernel KernelBase, pages int) ZswapIndex {
	n := 1
	if kernel >= V6_9 {
		n = (pages + SwapAddressSpacePages - 1) / SwapAddressSpacePages
	}
	return ZswapIndex{kernel: kernel, trees: make([]zswapTree, n)}
}

func (x *ZswapIndex) tree(e SwpEntry) (*zswapTree, int) {
	i := x.Tree(e)
	return &x.trees[i], i
}

// Tree returns the number of e's tree, which is also the tree lock's (an
// Op's argument for OpZswapTreeLock).
func (x *ZswapIndex) Tree(e SwpEntry) int {
	if x.kernel == V6_8 {
		return 0
	}
	return int(e / SwapAddressSpacePages)
}

// Lookup is zswap_rb_search / xa_load: e's id, whether there is one, and
// the nodes visited.
func (x *ZswapIndex) Lookup(e SwpEntry) (id uint32, ok bool, nodes int) {
	t, _ := x.tree(e)
	return t.load(x.kernel, e)
}

// Insert is zswap_rb_insert / xa_store of id at e. When e already has an
// id it returns it with existed set: the rbtree keeps the old id (the
// caller erases it and retries), the xarray has replaced it.
func (x *ZswapIndex) Insert(e SwpEntry, id uint32) (old uint32, existed bool, nodes int) {
	t, _ := x.tree(e)
	return t.store(x.kernel, e, id)
}

// Erase is zswap_rb_erase / xa_erase of e: the id it held, whether there
// was one, and the nodes visited.
func (x *ZswapIndex) Erase(e SwpEntry) (id uint32, ok bool, nodes int) {
	t, _ := x.tree(e)
	return t.erase(x.kernel, e)
}

func (t *zswapTree) load(kernel KernelBase, e SwpEntry) (uint32, bool, int) {
	if kernel >= V6_10 {
		return t.xa.Load(uint64(e))
	}
	return t.rb.Search(uint64(e))
}

func (t *zswapTree) store(kernel KernelBase, e SwpEntry, id uint32) (uint32, bool, int) {
	if kernel >= V6_10 {
		return t.xa.Store(uint64(e), id)
	}
	return t.rb.Insert(uint64(e), id)
}

func (t *zswapTree) erase(kernel KernelBase, e SwpEntry) (uint32, bool, int) {
	if kernel >= V6_10 {
		return t.xa.Erase(uint64(e))
	}
	return t.rb.Erase(uint64(e))
}

type zswap struct {
	entries     []zswapEntry
	freeIDs     []uint32
	index       ZswapIndex
	lruHead     uint32 // most recently added
	lruTail     uint32 // oldest: the shrinker's next victim
	pool        zsPool
	reachedFull bool
	disabled    bool // zswap.enabled=N
	stored      int  // entries in the trees

	// Stats, as in /sys/kernel/debug/zswap.
	PoolLimitHit, RejectCompressPoor, RejectAllocFail, WrittenBack int
}

func newZswap(k *Kernel, pages int) *zswap {
	// A large device reserves its arena up front: growing it by append
	// would briefly hold the old and the new copy, and the memory is only
	// touched as entries are used.
	capacity := 64
	if pages > 1<<16 && k.cfg.Backend == BackendZswapZram {
		capacity = pages + 1
	}
	return &zswap{entries: make([]zswapEntry, 1, capacity), index: newZswapIndex(k.cfg.Kernel, pages)}
}

func (z *zswap) tree(k *Kernel, e SwpEntry) (*zswapTree, int) { return z.index.tree(e) }

// Index operations. The caller holds the tree lock (or, for xa_load, RCU).

// lookup searches the base's index without counting an op; 0 is no entry.
func (t *zswapTree) lookup(k *Kernel, e SwpEntry) (id uint32, levels int) {
	id, _, levels = t.load(k.cfg.Kernel, e)
	return id, levels
}

func (k *Kernel) zswapSearch(t *zswapTree, e SwpEntry) uint32 {
	id, n := t.lookup(k, e)
	k.count(OpZswapIndexLookup, n)
	return id
}

func (k *Kernel) zswapErase(t *zswapTree, e SwpEntry) uint32 {
	id, ok, n := t.erase(k.cfg.Kernel, e)
	k.count(OpZswapIndexErase, n)
	if !ok {
		return 0
	}
	k.zs.stored--
	return id
}

// zswapInsert inserts id at e; it returns the id already there instead, if any.
func (k *Kernel) zswapInsert(t *zswapTree, e SwpEntry, id uint32) uint32 {
	old, existed, n := t.store(k.cfg.Kernel, e, id)
	k.count(OpZswapIndexInsert, n)
	if existed {
		if k.cfg.Kernel >= V6_10 {
			// xa_store replaced it, and zswap_store frees what it replaced.
			k.zswapEntryFree(old)
			return 0
		}
		return old
	}
	k.zs.stored++
	return 0
}

func (z *zswap) allocEntry() uint32 {
	var id uint32
	if n := len(z.freeIDs); n > 0 {
		id = z.freeIDs[n-1]
		z.freeIDs = z.freeIDs[:n-1]
	} else {
		id = uint32(len(z.entries))
		z.entries = append(z.entries, zswapEntry{})
	}
	gen := z.entries[id].gen
	z.entries[id] = zswapEntry{gen: gen, live: true, refcount: 1}
	return id
}

func (z *zswap) lruAdd(k *Kernel, id uint32) {
	k.count(OpZswapLRU, 1)
	en := &z.entries[id]
	en.onLRU = true
	en.lruPrev = 0
	en.lruNext = z.lruHead
	if z.lruHead != 0 {
		z.entries[z.lruHead].lruPrev = id
	} else {
		z.lruTail = id
	}
	z.lruHead = id
}

func (z *zswap) lruDel(k *Kernel, id uint32) {
	en := &z.entries[id]
	if !en.onLRU {
		return
	}
	k.count(OpZswapLRU, 1)
	if en.lruPrev != 0 {
		z.entries[en.lruPrev].lruNext = en.lruNext
	} else {
		z.lruHead = en.lruNext
	}
	if en.lruNext != 0 {
		z.entries[en.lruNext].lruPrev = en.lruPrev
	} else {
		z.lruTail = en.lruPrev
	}
	en.onLRU = false
	en.lruPrev, en.lruNext = 0, 0
}

// zswapEntryFree is zswap_entry_free: release the compressed object and
// the entry.
func (k *Kernel) zswapEntryFree(id uint32) {
	z := k.zs
	en := &z.entries[id]
	if !en.live {
		k.violate(Violation{Kind: DoubleFree, Entry: en.swp(), Detail: "zswap_entry_free of a freed entry"})
		return
	}
	z.lruDel(k, id)
	if en.length != 0 {
		k.count(OpZsFree, z.pool.free(en.handle))
	}
	en.live = false
	en.gen++
	z.freeIDs = append(z.freeIDs, id)
}

// zswapEntryPut is v6.8's zswap_entry_put: free at refcount zero.
func (k *Kernel) zswapEntryPut(id uint32) {
	en := &k.zs.entries[id]
	en.refcount--
	if en.refcount == 0 {
		k.zswapEntryFree(id)
	} else if en.refcount < 0 {
		k.violate(Violation{Kind: DoubleFree, Entry: en.swp(), Detail: "zswap_entry_put below zero"})
	}
}

// zswapInvalidateEntry erases the entry from its tree and drops the tree's
// reference (v6.8) or frees it (v6.9+).
func (k *Kernel) zswapInvalidateEntry(t *zswapTree, id uint32) {
	en := &k.zs.entries[id]
	if got := k.zswapErase(t, en.swp()); got != id {
		k.bug(en.swp(), "zswap_invalidate_entry: entry not in its tree")
		return
	}
	k.zswapEntryRelease(id)
}

// zswapInvalidate is zswap_invalidate: the swap slot is being freed.
func (k *Kernel) zswapInvalidate(e SwpEntry) {
	t, ti := k.zs.tree(k, e)
	k.count(OpZswapTreeLock, ti)
	id := k.zswapSearch(t, e)
	if id == 0 {
		k.count(OpZswapInvalidate, 0)
		return
	}
	k.count(OpZswapInvalidate, 1)
	k.zswapInvalidateEntry(t, id)
}

// zswapEntries returns the number of entries in zswap's trees.
func (k *Kernel) zswapEntries() int { return k.zs.stored }

// zswapPoolBytes returns the zswap pool size (sum of class sizes).
func (k *Kernel) zswapPoolBytes() int64 { return k.zs.pool.totalBytes }

// ZswapHas reports whether zswap holds an entry for e (a lookup without
// cost, for tests and the oracle).
func (k *Kernel) ZswapHas(e SwpEntry) bool {
	t, _ := k.zs.tree(k, e)
	id, _ := t.lookup(k, e)
	return id != 0
}

// zswapFind looks zswap up for e under the tree lock (the lookup Chengming
// Zhou's always-swapcache RFC adds to the bypass path).
func (k *Kernel) zswapFind(e SwpEntry) bool {
	t, ti := k.zs.tree(k, e)
	if k.cfg.Kernel < V6_10 {
		k.count(OpZswapTreeLock, ti)
	}
	return k.zswapSearch(t, e) != 0
}

// ZswapFind is zswapFind for fixes: an exported, counted zswap lookup.
func (k *Kernel) ZswapFind(e SwpEntry) bool { return k.zswapFind(e) }

// zswapCheckLimits is zswap_check_limits: true means reject.
func (k *Kernel) zswapCheckLimits() bool {
	z := k.zs
	limit := k.cfg.ZswapPoolLimit
	if limit == 0 {
		return false
	}
	cur := z.pool.totalBytes
	if cur >= limit {
		z.PoolLimitHit++
		z.reachedFull = true
	} else if z.reachedFull && cur <= limit*int64(k.cfg.ZswapAcceptPercent)/100 {
		z.reachedFull = false
	}
	return z.reachedFull
}

// zswapStore is zswap_store for a locked folio whose swap entry is
// folio->swap. On any failure the stale entry for the offset is
// invalidated ("check_old"), so writeback can never overwrite newer data.
//
// Model: the kernel compresses outside the tree lock; the store is one
// step here because nothing else can touch this entry meanwhile (the folio
// is locked in the swap cache or pinned).
func (k *Kernel) zswapStore(f *Folio) bool {
	z := k.zs
	e := f.swap
	if z.disabled || k.zswapCheckLimits() || k.fail(FailZswapStore) {
		return k.zswapStoreReject(e)
	}
	id := z.allocEntry()
	en := &z.entries[id]
	en.offset = uint32(e)
	en.sum = f.sum
	var v uint64
	same := false
	if k.cfg.Kernel.zswapSameFilled() {
		// v6.8-v6.11: zswap_is_folio_same_filled; v6.12 removed it
		// with the zeromap (zero pages never reach zswap; other
		// same-filled pages are compressed like any page).
		var scanned int
		v, same, scanned = sameFilled(f.data)
		k.count(OpSameFilledCheck, scanned)
	}
	if same {
		en.handle = zsHandle(v)
	} else {
		c := k.ctx()
		out, err := c.zswapCodec.Compress(c.buf[:0], f.data)
		k.count(OpCompress, len(out))
		if err != nil || len(out) > PageSize {
			z.RejectCompressPoor++
			k.zswapEntryFree(id)
			return k.zswapStoreReject(e)
		}
		if k.fail(FailZsMalloc) {
			z.RejectAllocFail++
			k.zswapEntryFree(id)
			return k.zswapStoreReject(e)
		}
		h := z.pool.malloc(len(out), k.epoch)
		k.count(OpZsMalloc, zsClassSize(len(out)))
		k.zsWrite(&z.pool, h, out, f)
		en.handle = h
		en.length = uint16(len(out))
	}
	t, ti := z.tree(k, e)
	k.count(OpZswapTreeLock, ti)
	for {
		dup := k.zswapInsert(t, e, id)
		if dup == 0 {
			break
		}
		k.zswapInvalidateEntry(t, dup)
	}
	if z.entries[id].length != 0 {
		z.lruAdd(k, id)
	}
	return true
}

func (k *Kernel) zswapStoreReject(e SwpEntry) bool {
	t, ti := k.zs.tree(k, e)
	k.count(OpZswapTreeLock, ti)
	if id := k.zswapSearch(t, e); id != 0 {
		k.zswapInvalidateEntry(t, id)
	}
	return false
}

// ZswapStore stores a locked folio into zswap (zswap_store) under
// folio->swap; fixes use it to write a folio back on a failed fault. It
// reports whether zswap holds the folio's data afterwards. Model: the
// kernel's zswap_store also warns unless the folio is in the swap cache,
// and the bypass path clears folio->swap after its read; a fix calling
// it for a private folio stands for a patch that sets folio->swap again
// and accepts (or avoids) that warning.
func (k *Kernel) ZswapStore(f *Folio) bool { return k.zswapStore(f) }

// SwapWritepage writes a locked folio to the swap device at e, as
// swapout does when zswap_store fails (__swap_writepage; on a
// SWP_SYNCHRONOUS_IO device zram_write_page, synchronously). Fixes use it
// as a device fallback. Model: __swap_writepage wants a swap cache folio
// (VM_BUG_ON_FOLIO); a fix writing a private folio stands for a patch
// that copies its logic. The caller must hold the entry (the pin) so
// that the slot cannot be reused meanwhile.
func (k *Kernel) SwapWritepage(f *Folio, e SwpEntry) { k.zram.write(k, e, f) }

// zswapDecompress is zswap_decompress (or zswap_fill_page) into f.
func (k *Kernel) zswapDecompress(ref zswapRef, f *Folio) {
	z := k.zs
	en := &z.entries[ref.id]
	if !en.live || en.gen != ref.gen {
		k.violate(Violation{Kind: UseAfterFree, Entry: f.swap, Detail: "zswap_decompress of a freed zswap entry"})
		fillPage(k.pageData(f), 0x6b6b6b6b6b6b6b6b) // POISON_FREE
		f.sum = k.hashPage(f.data)
		return
	}
	f.sum = en.sum
	f.src = contentKey{}
	if en.length == 0 {
		k.count(OpFillPage, PageSize)
		fillPage(k.pageData(f), uint64(en.handle))
		return
	}
	k.count(OpDecompress, int(en.length))
	if err := k.zsRead(&z.pool, en.handle, int(en.length), f, k.ctx().zswapCodec); err != nil {
		k.bug(f.swap, "zswap_decompress: "+err.Error())
	}
}

func (z *zswap) ref(id uint32) zswapRef { return zswapRef{id: id, gen: z.entries[id].gen} }

// ZswapEntryBytes returns the pool bytes (size class) zswap holds for e:
// 0 when it holds no entry or a same-filled one. Benchmarks use it for the
// duplicate memory of a resident page whose entry survived the load.
func (k *Kernel) ZswapEntryBytes(e SwpEntry) int {
	t, _ := k.zs.tree(k, e)
	id, _ := t.lookup(k, e)
	if id == 0 || k.zs.entries[id].length == 0 {
		return 0
	}
	return zsClassSize(int(k.zs.entries[id].length))
}

// zswapLoad is the first critical section of zswap_load.
//
// From v6.12 swap_read_folio asks the zeromap first
// (swap_read_folio_zeromap), and zswap_load returns at once when zswap
// was never enabled since boot (zswap_never_enabled, 0300e17d67c3): the
// model's zram backend is such a boot.
func (a *Access) zswapLoad(k *Kernel) {
	z := k.zs
	if k.si.zeromap != nil {
		k.count(OpZeromap, 1)
		if k.zeromapTest(a.entry) {
			k.count(OpFillPage, PageSize)
			clear(k.pageData(a.folio))
			a.folio.sum, a.folio.src = k.zeroHash, contentKey{}
			a.outcome = "swap_read_folio_zeromap: zero-filled"
			a.readDone(k)
			return
		}
	}
	if z.disabled && k.cfg.Kernel.zswapNeverEnabledCheck() {
		a.pc = stepDeviceRead
		return
	}
	t, ti := z.tree(k, a.entry)
	var id uint32
	switch k.cfg.Kernel {
	case V6_8:
		k.count(OpZswapTreeLock, ti)
		if id = k.zswapSearch(t, a.entry); id != 0 {
			z.entries[id].refcount++ // zswap_entry_find_get
		}
	case V6_9:
		k.count(OpZswapTreeLock, ti)
		if id = k.zswapSearch(t, a.entry); id != 0 {
			a.zsExcl = k.exclusiveLoad(a.folio)
			if a.zsExcl {
				k.zswapErase(t, a.entry)
			}
		}
	default:
		a.zsExcl = k.exclusiveLoad(a.folio)
		if a.zsExcl {
			k.count(OpZswapTreeLock, ti)
			id = k.zswapErase(t, a.entry)
		} else {
			id = k.zswapSearch(t, a.entry) // xa_load under RCU
		}
	}
	if id == 0 {
		a.pc = stepDeviceRead
		return
	}
	a.zsHit = true
	a.zsRef = z.ref(id)
	a.pc = stepZswapDecompress
}

// zswapEntryRelease drops one holder's claim on entry id: v6.8 puts a
// reference (zswap_entry_put), v6.9+ frees the entry (zswap_entry_free;
// entries lost their refcount in v6.9, the tree lock serialises users).
func (k *Kernel) zswapEntryRelease(id uint32) {
	if k.cfg.Kernel == V6_8 {
		k.zswapEntryPut(id)
	} else {
		k.zswapEntryFree(id)
	}
}

// zswapLoadDone is the release rule once zswap_load or
// zswap_writeback_entry has decompressed ref's entry for e. With
// invalidate the entry goes: v6.8 erases it from its tree if it is still
// there and puts the tree's reference; v6.9+, which erased it under the
// tree lock before decompressing, frees it unless a racing path already
// has. Without invalidate, v6.8 rotates it on the LRU. v6.8 then puts the
// loader's reference. It reports whether it released the entry itself.
// On v6.8 the caller holds the tree lock.
func (k *Kernel) zswapLoadDone(e SwpEntry, ref zswapRef, invalidate bool) (released bool) {
	z := k.zs
	id := ref.id
	if k.cfg.Kernel != V6_8 {
		if invalidate && z.entries[id].gen == ref.gen {
			k.zswapEntryFree(id)
			return true
		}
		return false
	}
	t, _ := z.tree(k, e)
	if invalidate {
		if k.zswapSearch(t, e) == id {
			k.zswapInvalidateEntry(t, id)
			released = true
		}
	} else if en := &z.entries[id]; en.length != 0 && en.onLRU {
		z.lruDel(k, id)
		z.lruAdd(k, id)
	}
	k.zswapEntryPut(id)
	return released
}

// zswapLoadDecompress is zswap_load's decompression; from v6.9 an
// exclusive load then frees the entry it erased and dirties the folio.
func (a *Access) zswapLoadDecompress(k *Kernel) {
	k.zswapDecompress(a.zsRef, a.folio)
	if k.cfg.Kernel == V6_8 {
		a.pc = stepZswapLoadPut
		return
	}
	if a.zsExcl {
		if k.zswapLoadDone(a.entry, a.zsRef, true) && k.mutated(mutDoubleFreeEntry) {
			k.zswapEntryRelease(a.zsRef.id)
		}
		if !k.mutated(mutSkipLoadDirty) {
			k.folioMarkDirty(a.folio)
		}
	}
	a.readDone(k)
}

// zswapLoadPut is v6.8's second critical section: invalidate the entry
// (exclusive loads) or rotate it on the LRU, and drop the load's reference.
func (a *Access) zswapLoadPut(k *Kernel) {
	z := k.zs
	_, ti := z.tree(k, a.entry)
	k.count(OpZswapTreeLock, ti)
	en := &z.entries[a.zsRef.id]
	if !en.live || en.gen != a.zsRef.gen {
		k.violate(Violation{Kind: UseAfterFree, Entry: a.entry, Detail: "zswap_load: entry freed under a held reference"})
		a.readDone(k)
		return
	}
	excl := k.exclusiveLoad(a.folio)
	if k.zswapLoadDone(a.entry, a.zsRef, excl) && k.mutated(mutDoubleFreeEntry) {
		k.zswapEntryRelease(a.zsRef.id)
	}
	if excl && !k.mutated(mutSkipLoadDirty) {
		k.folioMarkDirty(a.folio)
	}
	a.readDone(k)
}

// sameFilled reports whether page is one 8-byte word repeated
// (zswap_is_folio_same_filled / zram's page_same_filled) and returns it,
// with the bytes scanned before the answer was known.
func sameFilled(page []byte) (v uint64, ok bool, scanned int) {
	v = binary.LittleEndian.Uint64(page)
	for i := 8; i < len(page); i += 8 {
		if binary.LittleEndian.Uint64(page[i:]) != v {
			return 0, false, i + 8
		}
	}
	return v, true, len(page)
}

// zeroFilled is is_folio_zero_filled for one page: whether every word is
// zero, and how many bytes it read to find out.
func zeroFilled(page []byte) (ok bool, scanned int) {
	for i := 0; i < len(page); i += 8 {
		if binary.LittleEndian.Uint64(page[i:]) != 0 {
			return false, i + 8
		}
	}
	return true, len(page)
}

// fillPage writes the word v over page (zswap_fill_page / zram_fill_page).
func fillPage(page []byte, v uint64) {
	if v == 0 {
		clear(page)
		return
	}
	for i := 0; i < len(page); i += 8 {
		binary.LittleEndian.PutUint64(page[i:], v)
	}
}
