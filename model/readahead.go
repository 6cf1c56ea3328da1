package model

// Swap readahead on the swap cache path: swap_vma_readahead
// (mm/swap_state.c; VMA readahead, what a non-rotational device such as
// zram gets), read in its v6.11 form; v6.8-v6.10 have the same window and
// loop under older names (ec560175c0b6 introduced it, v4.14). The
// readahead folios are swap cache folios, so zswap_load frees their
// entries (exclusive) from v6.9.

// swapRAHitsMax is SWAP_RA_HITS_MAX with 4 KiB pages.
const swapRAHitsMax = 63

// swapinNrPages is __swapin_nr_pages: the window after hits readahead
// hits, from the last fault at prev (window prevWin) to this one at off.
func swapinNrPages(prev, off uint64, hits, maxPages, prevWin int) int {
	pages := hits + 2
	if pages == 2 {
		if off != prev+1 && off != prev-1 {
			pages = 1
		}
	} else {
		roundup := 4
		for roundup < pages {
			roundup <<= 1
		}
		pages = roundup
	}
	pages = min(pages, maxPages)
	// Don't shrink readahead too fast.
	return max(pages, prevWin/2)
}

// swapVMARaWin is swap_vma_ra_win: the readahead window [start, end)
// around the fault at addr, within the VMA (the model's MM) and its PMD;
// it records the fault in mm's readahead info with the hits reset.
func (k *Kernel) swapVMARaWin(mm *MM, addr uint64) (start, end uint64) {
	maxWin := k.cfg.SwapReadahead
	if maxWin == 1 {
		return addr, addr + 1
	}
	prev, prevWin, hits := mm.ra.addr, mm.ra.win, mm.ra.hits
	if !mm.ra.set {
		prev, prevWin, hits = 0, 0, 4 // GET_SWAP_RA_VAL: "?: 4"
	}
	win := swapinNrPages(prev, addr, hits, maxWin, prevWin)
	mm.ra = swapRA{addr: addr, win: win, set: true}
	if win == 1 {
		return addr, addr + 1
	}
	var left int64
	switch a, w := int64(addr), int64(win); {
	case addr == prev+1:
		left = a // forward
	case prev == addr+1:
		left = a - w + 1 // backward
	default:
		left = a - (w-1)/2
	}
	pmd := int64(addr &^ (PTEsPerTable - 1))
	start = uint64(max(left, 0, pmd))
	end = uint64(min(left+int64(win), int64(len(mm.ptes)), pmd+PTEsPerTable))
	return start, end
}

// swapRAHit is swap_cache_get_folio's readahead accounting for a fault at
// addr that found f in the swap cache: a readahead folio counts a hit;
// either way the fault's address is recorded, its window kept.
func (k *Kernel) swapRAHit(mm *MM, addr uint64, f *Folio) {
	readahead := f.test(PGreadahead)
	f.clear(PGreadahead)
	if !k.vmaReadahead() {
		return
	}
	hits, win := mm.ra.hits, mm.ra.win
	if !mm.ra.set {
		hits, win = 4, 0
	}
	if readahead {
		hits = min(hits+1, swapRAHitsMax)
	}
	mm.ra = swapRA{addr: addr, win: win, hits: hits, set: true}
}

// vmaReadahead reports whether the swap cache path reads ahead. Model:
// the swap table's path (SyncFolioLock, never-bypass) reads no readahead
// for a SWP_SYNCHRONOUS_IO device, as the phase II cover letter says of
// f1879e8a0c60 (unverified in its source; docs/kernels.md).
func (k *Kernel) vmaReadahead() bool {
	return k.cfg.SwapReadahead > 1 && k.hooks.Sync != SyncFolioLock
}

// raStart begins swap_vma_readahead for a's fault, once: when the window
// holds more than the faulting page, the loop reads each swap PTE of it in
// address order, through the steps of __read_swap_cache_async and
// swap_read_folio on that PTE's entry (any swap count), before the fault
// looks its own entry up again. Model: a window the VMA clamps to the
// faulting page alone is read as that page alone (the kernel runs the
// loop once, then looks the page up again: the same folio).
func (a *Access) raStart(k *Kernel) {
	if a.raDone || a.ra.active || !k.vmaReadahead() {
		return
	}
	start, end := k.swapVMARaWin(a.mm, a.addr)
	if end-start <= 1 {
		a.raDone = true
		return
	}
	a.ra = readahead{active: true, next: start, end: end, entry: a.entry, zsHit: a.zsHit, zsExcl: a.zsExcl, zsRef: a.zsRef}
	a.raNext(k)
}

// raNext points the loop at the next swap PTE of the window, or ends it:
// the fault's own state comes back and it looks its entry up again.
func (a *Access) raNext(k *Kernel) {
	a.folio, a.swapcache = nil, nil
	a.pc = stepFilemapGetFolio
	for a.ra.next < a.ra.end {
		addr := a.ra.next
		a.ra.next++
		if p := a.mm.ptes[addr]; !p.present() && !p.none() {
			a.ra.cur, a.entry = addr, p.Entry()
			return
		}
	}
	// blk_finish_plug, then lru_add_drain: "Push any new pages onto the
	// LRU now".
	k.lruAddDrainCPU(a.CPU())
	a.entry, a.zsHit, a.zsExcl, a.zsRef = a.ra.entry, a.ra.zsHit, a.ra.zsExcl, a.ra.zsRef
	a.ra = readahead{}
	a.raDone = true
}

// raPageDone ends one window page's read: the folio stays in the swap
// cache, marked readahead unless it is the faulting page, and the loop
// drops its reference.
func (a *Access) raPageDone(k *Kernel) {
	if a.ra.cur != a.addr {
		a.folio.set(PGreadahead)
	}
	k.folioPut(a.folio)
	a.raNext(k)
}
