package model

import "fmt"

// lockOwnerReclaim owns a folio lock taken outside any actor's fault: by
// zap (free_swap_cache) or free_swap_and_cache's __try_to_reclaim_swap,
// which trylock and unlock within one step.
const lockOwnerReclaim = -2

// Shrinker is one zswap writeback: shrink_memcg_cb takes the oldest entry
// off the zswap LRU and zswap_writeback_entry writes it to the device
// through the swap cache, giving up if the entry is already cached or
// pinned (skip_if_exists) or was invalidated meanwhile.
type Shrinker struct {
	actorBase
	swp   SwpEntry
	ref   zswapRef
	folio *Folio
	// writtenBack reports success.
	writtenBack bool
}

// NewShrinker makes one writeback attempt.
func (k *Kernel) NewShrinker(name string, cpu int) *Shrinker {
	return &Shrinker{actorBase: k.newBase(name, cpu, stepShrinkLRU)}
}

func (s *Shrinker) abort(k *Kernel) {
	if s.folio != nil {
		if s.folio.test(PGswapcache) {
			k.deleteFromSwapCache(s.folio)
		} else if s.folio.test(PGlocked) {
			k.putSwapFolio(s.swp)
		}
		if s.folio.test(PGlocked) {
			k.folioUnlock(s.folio)
		}
		k.folioPut(s.folio)
		s.folio = nil
	}
	s.pc = StepDone
}

func (s *Shrinker) step(k *Kernel) {
	z := k.zs
	switch s.pc {
	case stepShrinkLRU:
		id := z.lruTail
		if id == 0 || z.disabled {
			s.pc = StepDone
			return
		}
		// Rotate before dropping the LRU lock, then remember only the
		// swap entry: the entry may be freed once the lock is dropped.
		z.lruDel(k, id)
		z.lruAdd(k, id)
		s.swp = z.entries[id].swp()
		s.ref = z.ref(id)
		s.pc = stepWBGetFolio
	case stepWBGetFolio:
		if f := k.swapCacheLookup(s.swp); f != nil {
			s.pc = StepDone // -EEXIST: raced with swapin
			return
		}
		if k.swapCount(s.swp) == 0 {
			s.pc = StepDone
			return
		}
		s.folio = k.folioAlloc()
		s.pc = stepWBPrepare
	case stepWBPrepare:
		if k.swapcachePrepare(s.swp) != nil {
			k.folioPut(s.folio) // skip_if_exists: give up
			s.folio = nil
			s.pc = StepDone
			return
		}
		s.folio.set(PGlocked | PGswapbacked)
		s.folio.lockOwner = s.id
		k.count(OpMemcgCharge, 1)
		if k.fail(FailCharge) {
			s.abort(k)
			return
		}
		s.pc = stepWBAdd
	case stepWBAdd:
		k.addToSwapCache(s.folio, s.swp)
		k.folioAddLRU(s.folio)
		s.pc = stepWBVerify
	case stepWBVerify:
		t, ti := z.tree(k, s.swp)
		k.count(OpZswapTreeLock, ti)
		if k.zswapSearch(t, s.swp) != s.ref.id || z.entries[s.ref.id].gen != s.ref.gen {
			s.abort(k)
			return
		}
		if k.cfg.Kernel == V6_8 {
			z.entries[s.ref.id].refcount++
		} else {
			k.zswapErase(t, s.swp)
		}
		s.pc = stepWBDecompress
	case stepWBDecompress:
		k.zswapDecompress(s.ref, s.folio)
		if k.cfg.Kernel == V6_8 {
			_, ti := z.tree(k, s.swp)
			k.count(OpZswapTreeLock, ti)
		}
		k.zswapLoadDone(s.swp, s.ref, true)
		s.folio.set(PGuptodate)
		s.pc = stepWBWrite
	case stepWBWrite:
		k.zram.write(k, s.swp, s.folio)
		z.WrittenBack++
		s.writtenBack = true
		k.folioUnlock(s.folio)
		k.folioPut(s.folio)
		s.folio = nil
		s.pc = StepDone
	}
}

// Zapper is MADV_DONTNEED of one page: zap_pte_range.
type Zapper struct {
	actorBase
	mm   *MM
	addr uint64
}

// NewZapper makes a zap of page addr.
func (k *Kernel) NewZapper(name string, cpu int, mm *MM, addr uint64) *Zapper {
	z := &Zapper{actorBase: k.newBase(name, cpu, stepZap), mm: mm, addr: addr}
	z.checkPage("zap", mm, addr)
	return z
}

func (z *Zapper) step(k *Kernel) {
	k.zap(z.mm, z.addr)
	z.pc = StepDone
}

func (k *Kernel) zap(mm *MM, addr uint64) {
	k.pteLock(mm, addr)
	p := mm.ptes[addr]
	mm.ptes[addr] = 0
	k.expectZero(mm, addr)
	switch {
	case p.present():
		f := k.folio(p.pfn())
		f.removeRmap(mm, addr)
		// free_swap_cache, then the mapping's folio_put.
		if f.test(PGswapcache) && f.mapcount() == 0 && k.folioTrylock(f, lockOwnerReclaim) {
			k.folioFreeSwap(f)
			k.folioUnlock(f)
		}
		k.folioPut(f)
	case p.isSwap():
		k.freeSwapAndCache(p.Entry())
	}
}

// freeSwapAndCache is free_swap_and_cache: drop the PTE's count and, if
// only the swap cache is left, try to free the cached folio.
func (k *Kernel) freeSwapAndCache(e SwpEntry) {
	k.clusterLock(e)
	k.count(OpSwapFree, 1)
	left := k.swapEntryFreeLocked(e, 1)
	if left == 0 {
		k.freeSwapSlot(e)
		return
	}
	if left == swapHasCache {
		// __try_to_reclaim_swap(TTRS_UNMAPPED | TTRS_FULL)
		f := k.swapCacheLookup(e)
		if f != nil && f.mapcount() == 0 && k.folioTrylock(f, lockOwnerReclaim) {
			k.folioGet(f)
			k.folioFreeSwap(f)
			k.folioUnlock(f)
			k.folioPut(f)
		}
	}
}

// PTEChange is what changes a swap PTE's bits (or moves it) while its entry
// keeps its count: the events that make an in-flight fault's pte_same fail.
type PTEChange uint8

// The PTE changes.
const (
	// ChangeFork: fork copies the swap PTE to a child (count + 1) and
	// clears the exclusive bit in the parent (copy_nonpresent_pte).
	ChangeFork PTEChange = iota
	// ChangeClearSoftDirty: clear_refs clears the swap soft-dirty bit.
	ChangeClearSoftDirty
	// ChangeUffdWP: UFFDIO_WRITEPROTECT sets the swap uffd-wp bit.
	ChangeUffdWP
	// ChangeMremap: mremap moves the PTE to another address.
	ChangeMremap
	numPTEChanges
)

var pteChangeNames = [numPTEChanges]string{"fork", "soft-dirty", "uffd-wp", "mremap"}

func (c PTEChange) String() string {
	if c < numPTEChanges {
		return pteChangeNames[c]
	}
	return "change?"
}

// parsePTEChange parses a PTE change name.
func parsePTEChange(s string) (PTEChange, error) {
	return parseName[PTEChange]("PTE change", s, pteChangeNames[:])
}

// PTEChanger applies one PTE change to page addr. For ChangeFork, other
// is the child (it must be empty at addr); for ChangeMremap, other is the
// same mm and addr2 the destination (none).
type PTEChanger struct {
	actorBase
	change PTEChange
	mm     *MM
	addr   uint64
	other  *MM
	addr2  uint64
	// Changed reports whether the PTE was a swap PTE that changed.
	Changed bool
}

// NewPTEChanger makes a PTE change. other/addr2 are the fork child or the
// mremap destination.
func (k *Kernel) NewPTEChanger(name string, cpu int, c PTEChange, mm *MM, addr uint64, other *MM, addr2 uint64) *PTEChanger {
	steps := [numPTEChanges]Step{stepFork, stepClearSoftDirty, stepUffdWP, stepMremap}
	first := StepDone
	if c < numPTEChanges {
		first = steps[c]
	}
	p := &PTEChanger{actorBase: k.newBase(name, cpu, first), change: c, mm: mm, addr: addr, other: other, addr2: addr2}
	if c >= numPTEChanges {
		p.fail(fmt.Errorf("%s: PTE change %d: unknown; want one of fork, mremap, soft-dirty, uffd-wp", name, c))
	}
	p.checkPage("PTE change", mm, addr)
	if other != nil {
		p.checkPage("PTE change target", other, addr2)
	} else if c == ChangeFork || c == ChangeMremap {
		p.fail(fmt.Errorf("%s: %s needs a target address space", name, c))
	}
	return p
}

func (c *PTEChanger) step(k *Kernel) {
	c.pc = StepDone
	k.pteLock(c.mm, c.addr)
	p := c.mm.ptes[c.addr]
	switch c.change {
	case ChangeFork:
		// Model: only swap PTEs are copied; fork of a present page (COW
		// sharing) is not modelled.
		if !p.isSwap() || c.other == nil || !c.other.ptes[c.addr2].none() {
			return
		}
		k.pteLock(c.other, c.addr2)
		if !k.swapDuplicate(p.Entry()) {
			return
		}
		p &^= pteSwpExclusive
		c.mm.ptes[c.addr] = p
		c.other.ptes[c.addr2] = p &^ pteUffdWP
		c.other.pages[c.addr2] = c.mm.pages[c.addr]
	case ChangeClearSoftDirty:
		c.mm.ptes[c.addr] = p &^ pteSoftDirty
	case ChangeUffdWP:
		if p.none() {
			return
		}
		c.mm.ptes[c.addr] = p | pteUffdWP
	case ChangeMremap:
		if p.none() || c.other == nil || !c.other.ptes[c.addr2].none() {
			return
		}
		k.pteLock(c.other, c.addr2)
		c.other.ptes[c.addr2] = p
		c.other.pages[c.addr2] = c.mm.pages[c.addr]
		c.mm.ptes[c.addr] = 0
		c.mm.pages[c.addr] = pageState{version: c.mm.pages[c.addr].version + 1, hash: k.zeroHash}
		if p.present() {
			f := k.folio(p.pfn())
			f.removeRmap(c.mm, c.addr)
			f.maps = append(f.maps, rmap{c.other, c.addr2})
		}
	}
	c.Changed = c.mm.ptes[c.addr] != p
}

// LockHolder is someone else holding a folio lock for a while: reclaim
// isolation or compaction isolating the newest folio on the LRU and
// trylocking it, which makes a concurrent folio_lock_or_retry return
// VM_FAULT_RETRY. Only a folio with PG_lru can be isolated
// (folio_isolate_lru); one still in an lru_add batch is invisible to it.
type LockHolder struct {
	actorBase
	folio *Folio
	// held reports whether a folio was locked.
	held bool
}

// NewLockHolder makes a lock holder.
func (k *Kernel) NewLockHolder(name string, cpu int) *LockHolder {
	return &LockHolder{actorBase: k.newBase(name, cpu, stepHolderLock)}
}

func (h *LockHolder) step(k *Kernel) {
	switch h.pc {
	case stepHolderLock:
		var best *Folio
		for _, f := range k.folios[1:] {
			if !f.freed && f.test(PGlru) && !f.test(PGlocked) && (best == nil || f.lruSeq > best.lruSeq) {
				best = f
			}
		}
		if best == nil {
			h.pc = StepDone
			return
		}
		k.folioIsolateLRU(best)
		k.folioTrylock(best, h.id)
		h.folio, h.held = best, true
		h.pc = stepHolderUnlock
	case stepHolderUnlock:
		k.folioUnlock(h.folio)
		k.folioPutbackLRU(h.folio)
		h.folio = nil
		h.pc = StepDone
	}
}

// LRUDrainer is one lru_add_drain_all work item (lru_add_drain_per_cpu)
// running on its CPU: it moves that CPU's lru_add batch to the LRU in one
// step. It stands for compaction, migration, mlock or CMA asking every CPU
// to drain; on a CPU whose fault task is between two steps, the work runs
// while that task is off the CPU.
type LRUDrainer struct{ actorBase }

// NewLRUDrainer makes the drain work item of CPU cpu.
func (k *Kernel) NewLRUDrainer(name string, cpu int) *LRUDrainer {
	return &LRUDrainer{actorBase: k.newBase(name, cpu, stepDrainLRU)}
}

func (d *LRUDrainer) step(k *Kernel) {
	k.lruAddDrainCPU(d.cpu)
	d.pc = StepDone
}

// Reset makes the drainer run again on the same CPU.
func (d *LRUDrainer) Reset() {
	if d.err == nil {
		d.pc = stepDrainLRU
	}
}

// SlotDrainer returns every CPU's batch of freed slots at once
// (drain_slots_cache): the explorer's stand-in for "enough other frees
// happened on that CPU to flush its batch".
type SlotDrainer struct{ actorBase }

// NewSlotDrainer makes a slot cache drain.
func (k *Kernel) NewSlotDrainer(name string) *SlotDrainer {
	return &SlotDrainer{actorBase: k.newBase(name, 0, stepDrainSlots)}
}

func (d *SlotDrainer) step(k *Kernel) {
	k.DrainSlotCaches()
	d.pc = StepDone
}

// Reset makes the same kind of change to page addr of mm, without
// allocating.
func (c *PTEChanger) Reset(mm *MM, addr uint64) {
	if c.err != nil {
		return
	}
	steps := [numPTEChanges]Step{stepFork, stepClearSoftDirty, stepUffdWP, stepMremap}
	c.pc = steps[c.change]
	c.mm, c.addr = mm, addr
	c.Changed = false
	c.checkPage("PTE change", mm, addr)
}
