package model

import "fmt"

// ReclaimResult says how a Reclaim ended.
type ReclaimResult uint8

// The results.
const (
	ReclaimPending   ReclaimResult = iota
	ReclaimFreed                   // the folio was swapped out and freed
	ReclaimKept                    // kept: busy, still mapped, referenced or dirty again
	ReclaimNoFolio                 // nothing mapped (or cached) to reclaim
	ReclaimSwapFull                // no free swap slot
	ReclaimSwapFreed               // swap_writepage found the entry unused and freed it
	ReclaimNotLRU                  // not on the LRU: still in another CPU's lru_add batch
)

// Reclaim swaps one page out: shrink_folio_list for the folio mapped at
// addr (or, made with NewReclaimEntry, the unmapped swap cache folio of an
// entry), from isolation to __remove_mapping.
//
// As shrink_inactive_list, it first drains its own CPU's lru_add batch
// (lru_add_drain), then isolates the folio, which must be on the LRU
// (folio_isolate_lru): a folio in another CPU's batch is out of its reach.
//
// Model: the victim is named instead of found by LRU scanning, and the
// folio stays locked from isolation to __remove_mapping, where the kernel
// unlocks it in swap_writepage and trylocks it again afterwards. A fault
// that would take the folio in that gap here waits for the unlock
// (VM_FAULT_RETRY) instead; either way reclaim keeps a folio that gained
// a reference or a mapping.
type Reclaim struct {
	actorBase
	mm     *MM
	addr   uint64
	target SwpEntry
	byEnt  bool
	folio  *Folio
	Result ReclaimResult
	// Stored says whether zswap took the page (false: written to zram,
	// or to the zeromap).
	Stored bool
	// Zero says the page was zero-filled and only set its zeromap bit
	// (v6.12+).
	Zero bool
}

// NewReclaim makes a reclaim of the page mapped at addr.
func (k *Kernel) NewReclaim(name string, cpu int, mm *MM, addr uint64) *Reclaim {
	r := &Reclaim{actorBase: k.newBase(name, cpu, stepIsolate)}
	r.Reset(mm, addr)
	return r
}

// newReclaimEntry makes a reclaim of the swap cache folio of e.
func (k *Kernel) newReclaimEntry(name string, cpu int, e SwpEntry) *Reclaim {
	r := &Reclaim{actorBase: k.newBase(name, cpu, stepIsolate), target: e, byEnt: true}
	if uint64(e) >= uint64(len(k.si.swapMap)) {
		r.fail(fmt.Errorf("%s: entry %d: device has %d slots", name, e, len(k.si.swapMap)))
	}
	return r
}

// Reset reuses r for the page at addr, without allocating.
func (r *Reclaim) Reset(mm *MM, addr uint64) {
	*r = Reclaim{actorBase: r.actorBase, mm: mm, addr: addr}
	if r.err == nil {
		r.pc = stepIsolate
		r.checkPage("reclaim", mm, addr)
	}
}

func (r *Reclaim) done(k *Kernel, res ReclaimResult) {
	r.Result = res
	r.folio = nil
	r.pc = StepDone
}

// putback unlocks the isolated folio and puts it back on the LRU
// (move_folios_to_lru), dropping the isolation reference.
func (r *Reclaim) putback(k *Kernel, res ReclaimResult) {
	k.folioUnlock(r.folio)
	k.folioPutbackLRU(r.folio)
	r.done(k, res)
}

func (r *Reclaim) step(k *Kernel) {
	f := r.folio
	switch r.pc {
	case stepIsolate:
		if r.byEnt {
			f = k.swapCacheLookup(r.target)
		} else {
			f = k.MappedFolio(r.mm, r.addr)
		}
		if f == nil || f.freed {
			r.done(k, ReclaimNoFolio)
			return
		}
		k.lruAddDrainCPU(k.cpu) // shrink_inactive_list's lru_add_drain
		if !k.folioIsolateLRU(f) {
			r.done(k, ReclaimNotLRU)
			return
		}
		r.folio = f
		r.pc = stepTrylock
	case stepTrylock:
		if !k.folioTrylock(f, r.id) {
			k.folioPutbackLRU(f)
			r.done(k, ReclaimKept)
			return
		}
		if f.test(PGswapcache) {
			r.pc = stepTryToUnmap
			return
		}
		r.pc = stepAllocSwap
	case stepAllocSwap:
		e, ok := k.getSwapPage()
		if !ok {
			r.putback(k, ReclaimSwapFull)
			return
		}
		f.swap = e
		r.pc = stepReclaimAddToSwapCache
	case stepReclaimAddToSwapCache:
		k.addToSwapCache(f, f.swap)
		k.folioMarkDirty(f)
		r.pc = stepTryToUnmap
	case stepTryToUnmap:
		r.tryToUnmap(k)
	case stepZswapStore:
		// swap_writepage
		f.clear(PGdirty) // folio_clear_dirty_for_io
		if k.folioFreeSwap(f) {
			r.putback(k, ReclaimSwapFreed)
			return
		}
		if k.si.zeromap != nil {
			// swap_writepage from v6.12 (0ca0c24e3211): a zero-filled
			// folio only sets its zeromap bit; any other clears it so
			// that an earlier zero write to the slot cannot be read.
			zero, scanned := zeroFilled(f.data)
			k.count(OpSameFilledCheck, scanned) // is_folio_zero_filled
			if zero {
				k.zeromapSet(f.swap)
				r.Zero = true
				r.pc = stepRemoveMapping
				return
			}
			k.zeromapClear(f.swap)
		}
		if k.zswapStore(f) {
			r.Stored = true
			r.pc = stepRemoveMapping
			return
		}
		r.pc = stepDeviceWrite
	case stepDeviceWrite:
		k.zram.write(k, f.swap, f)
		r.pc = stepRemoveMapping
	case stepRemoveMapping:
		// __remove_mapping: only the isolation and swap cache references
		// may remain (folio_ref_freeze), and the folio must be clean.
		if f.ref != 2 || f.test(PGdirty) || f.mapcount() != 0 {
			r.putback(k, ReclaimKept)
			return
		}
		e := f.swap
		k.deleteFromSwapCacheLocked(f)
		f.ref--
		k.putSwapFolio(e)
		k.folioUnlock(f)
		k.folioPut(f) // the isolation reference: the folio is freed
		r.done(k, ReclaimFreed)
	}
}

// tryToUnmap is try_to_unmap: every PTE mapping the folio (rmap walk,
// try_to_unmap_one each) becomes a swap PTE carrying the exclusive,
// soft-dirty and uffd-wp bits.
func (r *Reclaim) tryToUnmap(k *Kernel) {
	f := r.folio
	for f.mapcount() > 0 {
		m := f.maps[len(f.maps)-1]
		k.pteLock(m.mm, m.addr)
		p := m.mm.ptes[m.addr]
		if !p.present() || p.pfn() != f.pfn {
			k.bug(f.swap, "rmap names a PTE that does not map the folio")
			break
		}
		if !k.swapDuplicate(f.swap) {
			break
		}
		k.count(OpUnmapPage, 1)
		bits := p & (pteSoftDirty | pteUffdWP)
		if f.test(PGanonExclusive) {
			bits |= pteSwpExclusive
			f.clear(PGanonExclusive)
		}
		if p&pteDirty != 0 {
			k.folioMarkDirty(f)
		}
		m.mm.ptes[m.addr] = mkSwapPTE(f.swap, bits)
		f.maps = f.maps[:len(f.maps)-1]
		f.ref-- // the mapping's reference
	}
	if f.mapcount() != 0 {
		r.putback(k, ReclaimKept)
		return
	}
	if f.test(PGdirty) {
		r.pc = stepZswapStore
		return
	}
	r.pc = stepRemoveMapping
}
