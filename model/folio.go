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
	PGlru // on the LRU or in a per-CPU LRU batch
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
		data, maps := f.data, f.maps[:0]
		if data == nil {
			data = make([]byte, PageSize)
		}
		*f = Folio{pfn: f.pfn, data: data, maps: maps}
	} else {
		f = &Folio{pfn: PFN(len(k.folios)), data: make([]byte, PageSize)}
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

// folioAddLRU is folio_add_lru: the folio joins the CPU's batch, which is
// drained onto the LRU under the lruvec lock every lruBatchSize folios.
//
// Model: batched folios already count as on the LRU for isolation
// (lru_add_drain_all can run at any moment), so a folio lock holder can
// find them; the drain is counted for its cost.
func (k *Kernel) folioAddLRU(f *Folio) {
	k.count(OpLRUAdd, 1)
	f.set(PGlru)
	k.lruSeq++
	f.lruSeq = k.lruSeq
	c := &k.cpus[k.cpu]
	c.lruBatch++
	if c.lruBatch == lruBatchSize {
		k.count(OpLRUDrain, c.lruBatch)
		c.lruBatch = 0
	}
}

// folioMarkDirty is folio_mark_dirty.
func (k *Kernel) folioMarkDirty(f *Folio) { f.set(PGdirty) }
