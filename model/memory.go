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
	wakeAt         uint64
	wqGen          uint64

	// Results, for tests and benchmarks.
	Faults   int      // do_swap_page calls
	Retries  int      // VM_FAULT_RETRY returns
	Sleeps   int      // one-tick sleeps (or wait queue sleeps)
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
	case StepSleep:
		return k.jiffies >= a.wakeAt || (k.hooks.Sync == SyncWaitqueue && k.wqGen != a.wqGen)
	case StepFolioWaitLocked, StepFolioLock:
		return !a.folio.test(PGlocked)
	}
	return true
}

// WaitsForTick reports whether a sleeps until the next tick.
func (a *Access) WaitsForTick(k *Kernel) bool { return a.pc == StepSleep && !a.Runnable(k) }

func (k *Kernel) wakeSwapcacheWaiters(SwpEntry) { k.wqGen++ }

func (a *Access) step(k *Kernel) {
	switch a.pc {
	case StepHandleFault:
		a.handleFault(k)
	case StepSwapCacheGetFolio:
		k.count(OpFault, 1)
		if f := k.swapCacheGetFolio(a.entry); f != nil {
			a.folio, a.swapcache, a.path = f, f, PathSwapCache
			a.pc = StepFolioLockOrRetry
			return
		}
		a.pc = StepSwapCount
	case StepSwapCount:
		if k.skipSwapCache(a.entry, k.swapCount(a.entry)) {
			a.path = PathBypass
			if k.hooks.Sync == SyncNone || k.mutated(MutSkipPin) {
				a.pc = StepAllocCharge
			} else {
				a.pc = StepSwapcachePrepare
			}
			return
		}
		a.path = PathSwapCache
		a.pc = StepFilemapGetFolio
	case StepSwapcachePrepare:
		if k.swapcachePrepare(a.entry) != nil {
			a.sleep(k)
			return
		}
		a.needClearCache = true
		a.pc = StepAllocCharge
	case StepSleep:
		// Woken: do_swap_page returns 0 and the access faults again.
		// __read_swap_cache_async instead loops to its lookup.
		if a.path == PathSwapCache {
			a.pc = StepFilemapGetFolio
			return
		}
		a.pc = StepHandleFault
	case StepAllocCharge:
		a.allocCharge(k)
	case StepZswapFind:
		if k.hooks.BypassAddToSwapCache(k, a.entry) {
			a.pc = StepBypassAddToSwapCache
			return
		}
		a.pc = StepFolioAddLRU
	case StepBypassAddToSwapCache:
		// The pin becomes the swap cache's SWAP_HAS_CACHE: the fault
		// no longer clears it, and the folio stays cached after mapping.
		if k.addToSwapCache(a.folio, a.entry) {
			a.swapcache = a.folio
			a.needClearCache = false
			a.path = PathSwapCache
		}
		a.pc = StepFolioAddLRU
	case StepFolioAddLRU:
		if a.swapcache == nil {
			k.swapCacheLookup(a.entry) // get_shadow_from_swap_cache
			a.folio.swap = a.entry
		}
		k.folioAddLRU(a.folio)
		a.pc = StepZswapLoad
	case StepZswapLoad:
		a.zswapLoad(k)
	case StepZswapDecompress:
		a.zswapLoadDecompress(k)
	case StepZswapLoadPut:
		a.zswapLoadPut(k)
	case StepDeviceRead:
		k.zram.read(k, a.entry, a.folio)
		a.readDone(k)
	case StepFilemapGetFolio:
		a.readSwapCacheAsync(k)
	case StepSwapcachePrepareRA:
		switch k.swapcachePrepare(a.entry) {
		case nil:
			a.pc = StepChargeRA
		case errEEXIST:
			k.folioPut(a.folio)
			a.folio = nil
			a.sleep(k)
		default:
			k.folioPut(a.folio)
			a.folio = nil
			a.pc = StepNoPage
		}
	case StepChargeRA:
		a.folio.set(PGlocked | PGswapbacked)
		a.folio.lockOwner = a.id
		k.count(OpMemcgCharge, 1)
		if k.fail(FailCharge) {
			k.putSwapFolio(a.entry)
			a.dropNewFolio(k)
			return
		}
		a.pc = StepAddToSwapCache
	case StepSwapCacheAddFolio:
		a.swapCacheAddFolio(k)
	case StepAddToSwapCache:
		k.addToSwapCache(a.folio, a.entry)
		a.swapcache = a.folio
		a.pc = StepFolioAddLRU
	case StepNoPage:
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
			a.pc = StepFolioLock
			return
		}
		a.pc = StepFolioWaitLocked
	case StepFolioWaitLocked:
		// __folio_lock_or_retry released the fault lock, waited for the
		// folio and returns VM_FAULT_RETRY.
		a.Retries++
		a.failed(k, FaultRetry)
	case StepFolioLock:
		k.folioTrylock(a.folio, a.id)
		a.pc = StepMap
	case StepMap:
		a.mapPage(k)
	case StepFaultFailed:
		k.hooks.FaultFailed(k, a.folio, a.entry, a.swapcache == nil)
		a.pc = StepOutRelease
	case StepOutRelease:
		// out_page: folio_unlock; out_release: folio_put.
		if a.folio.test(PGlocked) && a.folio.lockOwner == a.id {
			k.folioUnlock(a.folio)
		}
		k.folioPut(a.folio)
		a.folio = nil
		a.endFault(k)
	case StepSwapcacheClear:
		k.swapcacheClear(a.entry)
		a.needClearCache = false
		a.finishFault()
	case StepAnonFault:
		a.anonFault(k)
	case StepUserWrite:
		a.userWrite(k)
	}
}

// handleFault reads the PTE (locklessly, like handle_pte_fault) and
// decides what the access does next.
func (a *Access) handleFault(k *Kernel) {
	p := a.mm.ptes[a.addr]
	switch {
	case p.Present():
		if a.write && !a.wrote {
			a.pc = StepUserWrite
			return
		}
		a.pc = StepDone
	case p.None():
		a.pc = StepAnonFault
	default:
		tried := a.tried
		a.beginFault()
		a.tried = tried
		a.origPTE, a.entry = p, p.Entry()
		a.Faults++
		a.pc = StepSwapCacheGetFolio
	}
}

func (a *Access) beginFault() {
	a.tried = false
	a.folio, a.swapcache = nil, nil
	a.needClearCache = false
	a.path = PathNone
	a.ret = FaultOK
	a.zsHit, a.zsExcl = false, false
}

// sleep is schedule_timeout_uninterruptible(1), on the swapcache wait queue
// with SyncWaitqueue.
func (a *Access) sleep(k *Kernel) {
	a.Sleeps++
	if k.hooks.Sync == SyncWaitqueue {
		k.count(OpWaitQueue, 1)
	}
	k.count(OpSleepTick, 1)
	a.wakeAt = k.jiffies + 1
	a.wqGen = k.wqGen
	a.pc = StepSleep
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
	if k.hooks.BypassAddToSwapCache != nil {
		a.pc = StepZswapFind
		return
	}
	a.pc = StepFolioAddLRU
}

// readDone ends swap_read_folio: the folio is uptodate and unlocked.
func (a *Access) readDone(k *Kernel) {
	a.folio.set(PGuptodate)
	k.folioUnlock(a.folio)
	a.pc = StepFolioLockOrRetry
}

// readSwapCacheAsync is the first step of __read_swap_cache_async: look
// the swap cache up again, give up if the entry has no users, allocate.
func (a *Access) readSwapCacheAsync(k *Kernel) {
	if f := k.swapCacheGetFolio(a.entry); f != nil {
		a.folio, a.swapcache = f, f
		a.pc = StepFolioLockOrRetry
		return
	}
	if k.swapCount(a.entry) == 0 {
		a.pc = StepNoPage
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
		a.pc = StepSwapCacheAddFolio
		return
	}
	a.pc = StepSwapcachePrepareRA
}

// dropNewFolio gives up the locked folio __read_swap_cache_async
// allocated (a failed charge, or the entry went away): swapin_readahead
// returns no page.
func (a *Access) dropNewFolio(k *Kernel) {
	k.folioUnlock(a.folio)
	k.folioPut(a.folio)
	a.folio = nil
	a.pc = StepNoPage
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
	a.pc = StepFolioAddLRU
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
		a.failed(k, FaultOK) // out_page
		return
	}
	k.pteLock(a.mm, a.addr)
	if !pteSame(a.mm.ptes[a.addr], a.origPTE) && !k.mutated(MutSkipPTESame) {
		a.failed(k, FaultOK) // out_nomap
		return
	}
	if !f.test(PGuptodate) {
		a.failed(k, FaultSIGBUS)
		return
	}
	exclusive := a.origPTE.Exclusive() || a.swapcache == nil
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
	if k.hooks.FaultFailed != nil {
		a.pc = StepFaultFailed
		return
	}
	a.pc = StepOutRelease
}

// endFault leaves do_swap_page through `out`: clear the pin if held.
func (a *Access) endFault(k *Kernel) {
	a.LastRet = a.ret
	if a.needClearCache {
		a.pc = StepSwapcacheClear
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
	if !a.mm.ptes[a.addr].None() {
		a.pc = StepHandleFault
		return
	}
	f := k.folioAlloc()
	clear(f.data)
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
	if !p.Present() {
		a.pc = StepHandleFault
		return
	}
	f := k.folio(p.PFN())
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
