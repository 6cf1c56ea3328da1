package model

// pfn names a folio: an index into the kernel's folio table. 0 is no folio.
type PFN uint32

// FolioFlag is one of the folio flags the model tracks (include/linux/page-flags.h).
type FolioFlag uint16

// The folio flags.
const (
	PGlocked FolioFlag = 1 << iota
	PGuptodate
	PGdirty
	PGswapbacked
	PGswapcache
	PGlru // on an LRU list (not while in a per-CPU lru_add batch)
	PGanonExclusive
	PGwriteback
	PGreadahead // read by swap readahead, not yet faulted
)

// A Folio is one 4 KiB page of memory with real contents.
type Folio struct {
	pfn   PFN
	flags FolioFlag
	ref   int32 // folio_ref_count
	// swap is folio->swap: the entry while in the swap cache, or the
	// entry being read on the bypass path.
	swap SwpEntry
	data []byte
	// dataEpoch is the epoch of the kernel that owns data; a clone
	// shares data until one side writes (Kernel.pageData).
	dataEpoch uint64
	// sum is the oracle's hash of what data should hold, carried with
	// the bytes wherever they are copied (zswap entry, zram slot).
	sum uint64
	// src is what the bytes were generated from, for
	// Config.RegenerateContent; zero when they were not generated.
	src contentKey
	// lockOwner is the actor holding PGlocked; waiters poll it.
	lockOwner int
	// maps is the reverse map: every PTE mapping the folio (more than one
	// after fork, when parent and child fault the same swap cache folio).
	maps   []rmap
	lruSeq uint64 // order of folio_add_lru, newest last
	freed  bool
}

// contentKey names generated content: Content.Fill(dst, page, version).
// version is never 0 for a generated page (writePage counts from 1).
type contentKey struct{ page, version uint64 }

// rmap is one PTE that maps a folio.
type rmap struct {
	mm   *MM
	addr uint64
}

// mapcount is folio_mapcount.
func (f *Folio) mapcount() int { return len(f.maps) }

// removeRmap forgets the mapping at mm/addr.
func (f *Folio) removeRmap(mm *MM, addr uint64) {
	for i, m := range f.maps {
		if m.mm == mm && m.addr == addr {
			f.maps = append(f.maps[:i], f.maps[i+1:]...)
			return
		}
	}
}

// Test reports whether all of flags are set.
func (f *Folio) Test(flags FolioFlag) bool { return f.flags&flags == flags }

func (f *Folio) test(fl FolioFlag) bool { return f.flags&fl != 0 }
func (f *Folio) set(fl FolioFlag)       { f.flags |= fl }
func (f *Folio) clear(fl FolioFlag)     { f.flags &^= fl }

// folioAlloc allocates a folio with one reference, reusing freed ones.
func (k *Kernel) folioAlloc() *Folio {
	k.count(OpFolioAlloc, 1)
	var f *Folio
	if n := len(k.freeFolios); n > 0 {
		f = k.folios[k.freeFolios[n-1]]
		k.freeFolios = k.freeFolios[:n-1]
		data, maps, epoch := f.data, f.maps[:0], f.dataEpoch
		if data == nil {
			data, epoch = make([]byte, PageSize), k.epoch
		}
		*f = Folio{pfn: f.pfn, data: data, dataEpoch: epoch, maps: maps}
	} else {
		f = &Folio{pfn: PFN(len(k.folios)), data: make([]byte, PageSize), dataEpoch: k.epoch}
		k.folios = append(k.folios, f)
	}
	f.ref = 1
	f.lockOwner = -1
	k.liveFolios++
	return f
}

// folio returns the folio for pfn, or nil.
func (k *Kernel) folio(pfn PFN) *Folio {
	if pfn == 0 || int(pfn) >= len(k.folios) {
		return nil
	}
	return k.folios[pfn]
}

// folioGet takes a reference (folio_try_get on a live folio).
func (k *Kernel) folioGet(f *Folio) {
	k.checkLive(f, "folio_get")
	f.ref++
}

// folioPut drops a reference and frees the folio at zero.
func (k *Kernel) folioPut(f *Folio) {
	if k.checkLive(f, "folio_put") {
		return
	}
	f.ref--
	if f.ref > 0 {
		return
	}
	if f.ref < 0 || f.test(PGlocked|PGswapcache) || f.mapcount() != 0 {
		k.bug(f.swap, "folio_put: freeing a folio that is locked, in the swap cache or mapped")
	}
	k.count(OpFolioFree, 1)
	f.freed = true
	f.flags = 0
	k.liveFolios--
	k.freeFolios = append(k.freeFolios, f.pfn)
}

// checkLive records a use-after-free of a folio and reports whether it was freed.
func (k *Kernel) checkLive(f *Folio, what string) bool {
	if f.freed {
		k.violate(Violation{Kind: UseAfterFree, Entry: f.swap, Detail: what + " on a freed folio"})
		return true
	}
	return false
}

// folioTrylock takes the folio lock for actor id if it is free.
func (k *Kernel) folioTrylock(f *Folio, id int) bool {
	if f.test(PGlocked) {
		return false
	}
	f.set(PGlocked)
	f.lockOwner = id
	return true
}

// folioUnlock releases the folio lock; waiters become runnable.
func (k *Kernel) folioUnlock(f *Folio) {
	if !f.test(PGlocked) {
		k.bug(f.swap, "folio_unlock of an unlocked folio")
	}
	f.clear(PGlocked)
	f.lockOwner = -1
}

// folioAddLRU is folio_add_lru (mm/swap.c): the folio joins the running
// CPU's lru_add batch, which takes a reference; PG_lru is not set yet, so
// isolation (folio_isolate_lru, compaction) cannot see the folio until the
// batch moves. The add that fills the batch moves it at once
// (folio_batch_add_and_move), this folio included
// (docs/kernels.md#the-lru_add-batch).
//
// Model: folios are order 0. A large folio moves the batch at once
// (folio_test_large), and so does every add under lru_cache_disable (CMA,
// memory hot-remove); neither is modelled.
func (k *Kernel) folioAddLRU(f *Folio) {
	k.count(OpLRUAdd, 1)
	if f.test(PGlru) {
		k.bug(f.swap, "folio_add_lru of a folio already on the LRU")
	}
	k.folioGet(f)
	c := &k.cpus[k.cpu]
	c.lruAdd[c.nLRUAdd] = f.pfn
	c.nLRUAdd++
	if c.nLRUAdd == k.cfg.Kernel.pagevecSize() {
		k.lruAddDrainCPU(k.cpu)
	}
}

// lruAddDrainCPU is lru_add_drain_cpu's lru_add part, folio_batch_move_lru
// with lru_add_fn: under the lruvec lock every folio of cpu's batch goes on
// the LRU, PG_lru set, in batch order; then folios_put drops the batch's
// references (freeing a folio nothing else holds). The cost is charged to
// the running CPU, which is cpu wherever the kernel drains.
func (k *Kernel) lruAddDrainCPU(cpu int) {
	c := &k.cpus[cpu]
	n := c.nLRUAdd
	if n == 0 {
		return
	}
	k.count(OpLRUDrain, n)
	for _, pfn := range c.lruAdd[:n] {
		f := k.folios[pfn]
		f.set(PGlru)
		k.lruSeq++
		f.lruSeq = k.lruSeq
	}
	c.nLRUAdd = 0
	for _, pfn := range c.lruAdd[:n] {
		k.folioPut(k.folios[pfn])
	}
}

// DrainLRUBatches moves every CPU's lru_add batch to the LRU, each on its
// own CPU, as lru_add_drain_all's work items do.
func (k *Kernel) DrainLRUBatches() { k.onEachCPU(k.lruAddDrainCPU) }

// inLRUBatch reports whether f waits in a CPU's lru_add batch.
func (k *Kernel) inLRUBatch(f *Folio) bool {
	for i := range k.cpus {
		c := &k.cpus[i]
		for _, pfn := range c.lruAdd[:c.nLRUAdd] {
			if pfn == f.pfn {
				return true
			}
		}
	}
	return false
}

// folioIsolateLRU is folio_isolate_lru (mm/vmscan.c): only a folio on the
// LRU can be isolated; isolation clears PG_lru (folio_test_clear_lru) and
// takes a reference. A folio in an lru_add batch is on no list: false.
func (k *Kernel) folioIsolateLRU(f *Folio) bool {
	if !f.test(PGlru) {
		return false
	}
	f.clear(PGlru)
	k.folioGet(f)
	return true
}

// folioPutbackLRU is folio_putback_lru: the isolated folio goes back on
// the LRU and the isolation reference is dropped.
func (k *Kernel) folioPutbackLRU(f *Folio) {
	f.set(PGlru)
	k.lruSeq++
	f.lruSeq = k.lruSeq
	k.folioPut(f)
}

// folioMarkDirty is folio_mark_dirty.
func (k *Kernel) folioMarkDirty(f *Folio) { f.set(PGdirty) }

// pageData returns f's bytes for writing. After a Clone the two kernels
// share every folio's bytes; the first to write a folio copies them
// (copy on write: the explorer clones at every branch, and most branches
// write few pages).
func (k *Kernel) pageData(f *Folio) []byte {
	if f.dataEpoch != k.epoch {
		f.data = append(make([]byte, 0, PageSize), f.data...)
		f.dataEpoch = k.epoch
	}
	return f.data
}
