package model

// FaultRet is do_swap_page's result (vm_fault_t), as far as the model needs.
type FaultRet uint8

// The results.
const (
	FaultOK FaultRet = iota
	FaultRetry
	FaultOOM
	FaultSIGBUS
)

// Access is a user thread touching one page: it faults while the PTE is
// not present (do_swap_page for a swap entry, do_anonymous_page for none)
// and, for a write, writes the next version of the page once it is mapped.
//
// The do_swap_page steps follow mm/memory.c of v6.8/v6.9 (do_swap_page
// after 13ddaf26be32; docs/kernels.md#the-bypass-path), with the fix hooks
// where the proposals differ.
type Access struct {
	actorBase
	mm    *MM
	addr  uint64
	write bool
	wrote bool

	// struct vm_fault and do_swap_page's locals.
	tried          bool // FAULT_FLAG_TRIED
	origPTE        PTE
	entry          SwpEntry
	folio          *Folio
	swapcache      *Folio // the swap cache folio, when there is one
	needClearCache bool
	path           Path
	ret            FaultRet
	zsRef          zswapRef
	zsExcl         bool
	zsHit          bool
	wakeAt         uint64 // the jiffy a sleep's timeout fires
	wqGen          uint64
	onWQ           bool // the sleep is on swapcache_wq
	outcome        string
	// ra is swap_vma_readahead's loop over its window, under way; raDone
	// says the fault has read its window and now looks the target up.
	ra     readahead
	raDone bool

	// Results, for tests and benchmarks.
	Faults   int      // do_swap_page calls
	Retries  int      // VM_FAULT_RETRY returns
	sleeps   int      // one-tick sleeps (or wait queue sleeps)
	LastPath Path     // how the page finally came in
	LastRet  FaultRet // the last fault's result
	ZswapHit bool     // the last read was served by zswap
}

// NewAccess makes a user access to page addr of mm on cpu.
func (k *Kernel) NewAccess(name string, cpu int, mm *MM, addr uint64, write bool) *Access {
	a := &Access{actorBase: k.newBase(name, cpu, StepHandleFault)}
	a.Reset(mm, addr, write)
	return a
}

// Reset reuses a for another access, without allocating.
func (a *Access) Reset(mm *MM, addr uint64, write bool) {
	*a = Access{actorBase: a.actorBase, mm: mm, addr: addr, write: write}
	if a.err == nil {
		a.pc = StepHandleFault
		a.checkPage("access", mm, addr)
	}
}

// Runnable reports whether a's next step can run.
func (a *Access) Runnable(k *Kernel) bool {
	switch a.pc {
	case StepDone:
		return false
	case stepSleep:
		return k.jiffies >= a.wakeAt || a.onWQ && k.wqGen != a.wqGen
	case StepFolioWaitLocked, stepFolioLock, StepFaultFailedLock:
		return !a.folio.test(PGlocked)
	}
	return true
}

// Outcome names what a's last step did when it left the step's usual way
// (StepMap finding the PTE changed), or is "": what a timeline prints
// instead of the step's name.
func (a *Access) Outcome() string { return a.outcome }

// WaitsForTick reports whether a sleeps until its timeout fires.
func (a *Access) WaitsForTick(k *Kernel) bool { return a.pc == stepSleep && !a.Runnable(k) }

func (k *Kernel) wakeSwapcacheWaiters(SwpEntry) { k.wqGen++ }

func (a *Access) step(k *Kernel) {
	a.outcome = ""
	switch a.pc {
	case StepHandleFault:
		a.handleFault(k)
	case StepSwapCacheGetFolio:
		k.count(OpFault, 1)
		if f := k.swapCacheGetFolio(a.entry); f != nil {
			k.swapRAHit(a.mm, a.addr, f)
			a.folio, a.swapcache, a.path = f, f, PathSwapCache
			a.pc = StepFolioLockOrRetry
			return
		}
		a.pc = stepSwapCount
	case stepSwapCount:
		if k.skipSwapCache(a.entry, k.swapCount(a.entry)) {
			a.path = PathBypass
			if a.bypassPins(k) && !k.cfg.Kernel.allocBeforePin() {
				a.pc = stepSwapcachePrepare
			} else {
				a.pc = stepAllocCharge
			}
			return
		}
		a.path = PathSwapCache
		a.pc = stepFilemapGetFolio
	case stepSwapcachePrepare:
		if k.swapcachePrepare(a.entry) != nil {
			a.sleep(k, true)
			return
		}
		a.needClearCache = true
		if a.folio != nil { // allocated first (v6.12+)
			a.charged(k)
			return
		}
		a.pc = stepAllocCharge
	case stepSleep:
		// Woken: do_swap_page returns 0 and the access faults again.
		// __read_swap_cache_async instead loops to its lookup.
		if a.path == PathSwapCache {
			a.pc = stepFilemapGetFolio
			return
		}
		if a.folio != nil {
			// From v6.12 the loser already holds its folio: goto
			// out_page frees it. It was never read, so there is
			// nothing for a FaultFailed hook to save.
			a.ret = FaultOK
			a.pc = stepOutRelease
			return
		}
		a.pc = StepHandleFault
	case stepAllocCharge:
		a.allocCharge(k)
	case stepZswapFind:
		if k.hooks.BypassAddToSwapCache(k, a.entry) {
			a.pc = StepBypassAddToSwapCache
			return
		}
		a.pc = stepFolioAddLRU
	case StepBypassAddToSwapCache:
		if !a.needClearCache {
			// Model: no pin (sync=none), which the RFC as posted
			// cannot run without (it hands need_clear_cache's
			// SWAP_HAS_CACHE to the swap cache). Its hypothetical
			// port to a base before 13ddaf26be32 takes SWAP_HAS_CACHE
			// here, just before the add, so that swap_map stays
			// consistent; a fault that loses it reads privately, as
			// an unpinned bypass does.
			if k.swapcachePrepare(a.entry) != nil {
				a.pc = stepFolioAddLRU
				return
			}
			a.needClearCache = true
		}
		// The pin becomes the swap cache's SWAP_HAS_CACHE: the fault
		// no longer clears it, and the folio stays cached after mapping.
		if k.addToSwapCache(a.folio, a.entry) {
			a.swapcache = a.folio
			a.needClearCache = false
			a.path = PathSwapCache
		}
		a.pc = stepFolioAddLRU
	case stepFolioAddLRU:
		if a.swapcache == nil {
			k.swapCacheLookup(a.entry) // get_shadow_from_swap_cache
			a.folio.swap = a.entry
		}
		k.folioAddLRU(a.folio)
		a.pc = stepZswapLoad
	case stepZswapLoad:
		a.zswapLoad(k)
	case stepZswapDecompress:
		a.zswapLoadDecompress(k)
	case stepZswapLoadPut:
		a.zswapLoadPut(k)
	case stepDeviceRead:
		k.zram.read(k, a.entry, a.folio)
		a.readDone(k)
	case stepFilemapGetFolio:
		a.raStart(k)
		a.readSwapCacheAsync(k)
	case stepSwapcachePrepareRA:
		switch k.swapcachePrepare(a.entry) {
		case nil:
			a.pc = stepChargeRA
		case errEEXIST:
			k.folioPut(a.folio)
			a.folio = nil
			a.sleep(k, false)
		default:
			k.folioPut(a.folio)
			a.folio = nil
			a.pc = stepNoPage
		}
	case stepChargeRA:
		a.folio.set(PGlocked | PGswapbacked)
		a.folio.lockOwner = a.id
		k.count(OpMemcgCharge, 1)
		if k.fail(FailCharge) {
			k.putSwapFolio(a.entry)
			a.dropNewFolio(k)
			return
		}
		a.pc = stepAddToSwapCache
	case stepSwapCacheAddFolio:
		a.swapCacheAddFolio(k)
	case stepAddToSwapCache:
		k.addToSwapCache(a.folio, a.entry)
		a.swapcache = a.folio
		a.pc = stepFolioAddLRU
	case stepNoPage:
		if a.ra.active {
			a.raNext(k) // the loop skips a window page it could not read
			return
		}
		// swapin_readahead found nothing: OOM unless someone else
		// already faulted the PTE in.
		k.pteLock(a.mm, a.addr)
		if pteSame(a.mm.ptes[a.addr], a.origPTE) {
			a.ret = FaultOOM
		}
		a.endFault(k)
	case StepFolioLockOrRetry:
		if k.folioTrylock(a.folio, a.id) {
			a.pc = StepMap
			return
		}
		if a.tried {
			a.pc = stepFolioLock
			return
		}
		a.pc = StepFolioWaitLocked
	case StepFolioWaitLocked:
		// __folio_lock_or_retry released the fault lock, waited for the
		// folio and returns VM_FAULT_RETRY.
		a.Retries++
		a.failed(k, FaultRetry)
	case stepFolioLock:
		k.folioTrylock(a.folio, a.id)
		a.pc = StepMap
	case StepMap:
		a.mapPage(k)
	case StepFaultFailedLock:
		k.folioTrylock(a.folio, a.id)
		a.pc = StepFaultFailed
	case StepFaultFailed:
		k.hooks.FaultFailed(k, a.folio, a.entry, a.swapcache == nil)
		a.pc = stepOutRelease
	case stepOutRelease:
		// out_page: folio_unlock; out_release: folio_put.
		if a.folio.test(PGlocked) && a.folio.lockOwner == a.id {
			k.folioUnlock(a.folio)
		}
		k.folioPut(a.folio)
		a.folio = nil
		a.endFault(k)
	case stepSwapcacheClear:
		k.swapcacheClear(a.entry)
		a.needClearCache = false
		a.finishFault()
	case stepAnonFault:
		a.anonFault(k)
	case stepUserWrite:
		a.userWrite(k)
	}
}

// handleFault reads the PTE (locklessly, like handle_pte_fault) and
// decides what the access does next.
func (a *Access) handleFault(k *Kernel) {
	p := a.mm.ptes[a.addr]
	switch {
	case p.present():
		if a.write && !a.wrote {
			a.pc = stepUserWrite
			return
		}
		a.pc = StepDone
	case p.none():
		a.pc = stepAnonFault
	default:
		tried := a.tried
		a.beginFault()
		a.tried = tried
		a.origPTE, a.entry = p, p.Entry()
		a.Faults++
		a.pc = StepSwapCacheGetFolio
	}
}

// readahead is swap_vma_readahead's loop: the window's addresses still
// to read, [next, end), and the fault's own state, kept aside while the
// loop's __read_swap_cache_async and swap_read_folio run on a
// neighbour's entry through the same steps as the fault's own read.
type readahead struct {
	active    bool
	next, end uint64
	cur       uint64   // the address being read
	entry     SwpEntry // the fault's entry
	zsHit     bool
	zsExcl    bool
	zsRef     zswapRef
}

func (a *Access) beginFault() {
	a.raDone, a.ra = false, readahead{}
	a.tried = false
	a.folio, a.swapcache = nil, nil
	a.needClearCache = false
	a.path = PathNone
	a.ret = FaultOK
	a.zsHit, a.zsExcl = false, false
}

// sleep is schedule_timeout_uninterruptible(1). The timer wheel rounds a
// level-0 expiry up by one jiffy so that no timer fires early
// (calc_index, kernel/time/timer.c): a timeout of 1 armed in jiffy J
// fires at the tick that makes jiffies J+2, 1 to 2 jiffies later.
// onWQ is do_swap_page's bypass loser under SyncWaitqueue, which sleeps
// on swapcache_wq and is woken early by any swapcache_clear (01626a182302);
// the queue is private to mm/memory.c, so __read_swap_cache_async's
// -EEXIST loop still sleeps a plain tick.
func (a *Access) sleep(k *Kernel, onWQ bool) {
	a.sleeps++
	a.onWQ = onWQ && k.hooks.Sync == SyncWaitqueue
	if a.onWQ {
		k.count(OpWaitQueue, 1)
	}
	k.count(OpSleepTick, 1)
	a.wakeAt = k.jiffies + 2
	a.wqGen = k.wqGen
	a.pc = stepSleep
}

func (a *Access) allocCharge(k *Kernel) {
	f := k.folioAlloc()
	f.set(PGlocked | PGswapbacked)
	f.lockOwner = a.id
	a.folio = f
	k.count(OpMemcgCharge, 1)
	if k.fail(FailCharge) {
		a.failed(k, FaultOOM)
		return
	}
	if k.cfg.Kernel.allocBeforePin() && a.bypassPins(k) && !a.needClearCache {
		// v6.12+: alloc_swap_folio (with the charge) comes before
		// swapcache_prepare (the order of do_swap_page after Barry
		// Song's large folio swapin; docs/kernels.md#v612-the-zeromap).
		a.pc = stepSwapcachePrepare
		return
	}
	a.charged(k)
}

// bypassPins reports whether the bypass takes swapcache_prepare's pin.
func (a *Access) bypassPins(k *Kernel) bool {
	return k.hooks.Sync != SyncNone && !k.mutated(mutSkipPin)
}

// charged goes on from a charged (and, with the pin, pinned) bypass folio.
func (a *Access) charged(k *Kernel) {
	if k.hooks.BypassAddToSwapCache != nil {
		a.pc = stepZswapFind
		return
	}
	a.pc = stepFolioAddLRU
}

// readDone ends swap_read_folio: the folio is uptodate and unlocked.
func (a *Access) readDone(k *Kernel) {
	a.folio.set(PGuptodate)
	k.folioUnlock(a.folio)
	if a.ra.active {
		a.raPageDone(k)
		return
	}
	a.pc = StepFolioLockOrRetry
}

// readSwapCacheAsync is the first step of __read_swap_cache_async: look
// the swap cache up again, give up if the entry has no users, allocate.
func (a *Access) readSwapCacheAsync(k *Kernel) {
	if f := k.swapCacheGetFolio(a.entry); f != nil {
		if a.ra.active {
			k.folioPut(f) // already cached: the loop drops it
			a.raNext(k)
			return
		}
		a.folio, a.swapcache = f, f
		a.pc = StepFolioLockOrRetry
		return
	}
	if k.swapCount(a.entry) == 0 {
		if a.ra.active {
			a.raNext(k)
			return
		}
		a.pc = stepNoPage
		return
	}
	a.folio = k.folioAlloc()
	if k.hooks.Sync == SyncFolioLock {
		a.folio.set(PGlocked | PGswapbacked)
		a.folio.lockOwner = a.id
		k.count(OpMemcgCharge, 1)
		if k.fail(FailCharge) {
			a.dropNewFolio(k)
			return
		}
		a.pc = stepSwapCacheAddFolio
		return
	}
	a.pc = stepSwapcachePrepareRA
}

// dropNewFolio gives up the locked folio __read_swap_cache_async
// allocated (a failed charge, or the entry went away): swapin_readahead
// returns no page.
func (a *Access) dropNewFolio(k *Kernel) {
	k.folioUnlock(a.folio)
	k.folioPut(a.folio)
	a.folio = nil
	a.pc = stepNoPage
}

// swapCacheAddFolio is the swap table's insertion: under the cluster lock,
// either the entry already has a folio (use it, wait on its lock) or ours
// goes in. There is no window with SWAP_HAS_CACHE set and no folio.
func (a *Access) swapCacheAddFolio(k *Kernel) {
	k.clusterLock(a.entry)
	if f := k.swapCacheLookup(a.entry); f != nil {
		k.folioUnlock(a.folio)
		k.folioPut(a.folio)
		k.folioGet(f)
		a.folio, a.swapcache = f, f
		a.pc = StepFolioLockOrRetry
		return
	}
	if k.swapcachePrepare(a.entry) != nil {
		a.dropNewFolio(k)
		return
	}
	k.addToSwapCache(a.folio, a.entry)
	a.swapcache = a.folio
	a.pc = stepFolioAddLRU
}

// mapPage is the critical section under the PTE lock: recheck, swap_free,
// map, unlock.
func (a *Access) mapPage(k *Kernel) {
	f := a.folio
	if k.checkLive(f, "do_swap_page") {
		a.failed(k, FaultOK)
		return
	}
	if a.swapcache != nil && (!f.test(PGswapcache) || f.swap != a.entry) {
		a.outcome = "folio no longer the entry's: out_page"
		a.failed(k, FaultOK)
		return
	}
	if a.write && f == a.swapcache && !f.test(PGlru) {
		// The refcount tells whether we are the exclusive owner: drop
		// the local lru_add batch's reference first (c145e0b47c77
		// "mm: streamline COW logic in do_swap_page()"). Another CPU's
		// batch keeps its reference.
		k.lruAddDrainCPU(k.cpu)
	}
	k.pteLock(a.mm, a.addr)
	if !pteSame(a.mm.ptes[a.addr], a.origPTE) && !k.mutated(mutSkipPTESame) {
		a.outcome = "pte_same failed: out_nomap"
		a.failed(k, FaultOK)
		return
	}
	if !f.test(PGuptodate) {
		a.outcome = "!folio_test_uptodate: SIGBUS, out_nomap"
		a.failed(k, FaultSIGBUS)
		return
	}
	exclusive := a.origPTE.exclusive() || a.swapcache == nil
	k.swapFree(a.entry)
	if a.swapcache != nil && k.shouldTryToFreeSwap(f, a.write) {
		k.folioFreeSwap(f)
	}
	bits := a.origPTE & (pteSoftDirty | pteUffdWP)
	if exclusive || f.ref == 1 {
		f.set(PGanonExclusive)
		if a.write {
			bits |= pteDirty | pteWrite
		}
	}
	k.checkMapped(a.mm, a.addr, f, a.entry, a.path)
	k.mapFolio(a.mm, a.addr, f, bits)
	k.folioUnlock(f)
	a.folio = nil
	a.LastPath, a.LastRet, a.ZswapHit = a.path, FaultOK, a.zsHit
	a.endFault(k)
}

// shouldTryToFreeSwap is should_try_to_free_swap: free the swap copy of a
// swap cache folio when swap is more than half full, or on a write fault
// where we are likely the only user.
func (k *Kernel) shouldTryToFreeSwap(f *Folio, write bool) bool {
	if !f.test(PGswapcache) {
		return false
	}
	if k.si.inuse*2 > len(k.si.swapMap) {
		return true
	}
	return write && f.ref == 2
}

// failed takes do_swap_page's error exits with ret.
func (a *Access) failed(k *Kernel, ret FaultRet) {
	a.ret = ret
	if ret == FaultRetry {
		a.tried = true
	}
	switch {
	case k.hooks.FaultFailed == nil:
		a.pc = stepOutRelease
	case a.folio != nil && (!a.folio.test(PGlocked) || a.folio.lockOwner != a.id):
		// The hook runs with the folio locked, as zswap_store wants it.
		// On the RETRY exit the fault no longer holds the lock
		// (__folio_lock_or_retry only waited for it): folio_lock
		// again, a sleeping lock another actor may take first.
		a.pc = StepFaultFailedLock
	default:
		a.pc = StepFaultFailed
	}
}

// endFault leaves do_swap_page through `out`: clear the pin if held.
func (a *Access) endFault(k *Kernel) {
	a.LastRet = a.ret
	if a.needClearCache {
		a.pc = stepSwapcacheClear
		return
	}
	a.finishFault()
}

func (a *Access) finishFault() {
	if a.ret != FaultRetry {
		a.tried = false
	}
	a.pc = StepHandleFault
}

// anonFault is do_anonymous_page for a none PTE: a zero page.
func (a *Access) anonFault(k *Kernel) {
	k.pteLock(a.mm, a.addr)
	if !a.mm.ptes[a.addr].none() {
		a.pc = StepHandleFault
		return
	}
	f := k.folioAlloc()
	clear(k.pageData(f))
	f.sum = k.zeroHash
	f.set(PGuptodate | PGswapbacked | PGanonExclusive)
	k.folioAddLRU(f)
	k.checkMapped(a.mm, a.addr, f, 0, PathAnon)
	k.mapFolio(a.mm, a.addr, f, 0)
	a.LastPath = PathAnon
	a.pc = StepHandleFault
}

// userWrite writes the next version of the page: do_wp_page reuses the
// folio when this PTE is its only mapping (first trying to free its swap
// copy, as wp_can_reuse_anon_folio does) and otherwise copies on write.
//
// Model: the copy gets the new content directly; the old bytes it would
// copy first are overwritten anyway.
func (a *Access) userWrite(k *Kernel) {
	k.pteLock(a.mm, a.addr)
	p := a.mm.ptes[a.addr]
	if !p.present() {
		a.pc = StepHandleFault
		return
	}
	f := k.folio(p.pfn())
	if f.test(PGswapcache) && f.mapcount() == 1 && k.folioTrylock(f, a.id) {
		k.folioFreeSwap(f)
		k.folioUnlock(f)
	}
	if f.mapcount() > 1 {
		n := k.folioAlloc()
		n.set(PGuptodate | PGswapbacked | PGanonExclusive)
		k.folioAddLRU(n)
		f.removeRmap(a.mm, a.addr)
		k.folioPut(f)
		k.mapFolio(a.mm, a.addr, n, p&(pteSoftDirty|pteUffdWP))
		f = n
	}
	f.set(PGanonExclusive)
	k.writePage(a.mm, a.addr, f)
	k.folioMarkDirty(f)
	a.mm.ptes[a.addr] = mkPTE(f.pfn, pteDirty|pteWrite|pteSoftDirty|p&pteUffdWP)
	a.wrote = true
	a.pc = StepDone
}
