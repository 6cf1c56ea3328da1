package model_test

import (
	"testing"

	"github.com/swapbench/swapbench/model"
)

// lruWorld is page 0 of mm swapped out (into zswap) and a bypass fault of
// it on CPU 1, stopped at folio_lock_or_retry: its folio has been through
// folio_add_lru and swap_read_folio.
func lruWorld(t *testing.T, kb model.KernelBase, prefill func(k *model.Kernel)) (*model.Kernel, *model.MM, *model.Access) {
	t.Helper()
	k := newKernel(t, model.Config{Kernel: kb, Backend: model.BackendZswapZram})
	mm, err := k.NewMM(1)
	if err != nil {
		t.Fatal(err)
	}
	r := k.NewReclaim("reclaim", 0, mm, 0)
	run(t, k, r)
	if r.Result != model.ReclaimFreed {
		t.Fatalf("setup swapout: reclaim result %d", r.Result)
	}
	if prefill != nil {
		prefill(k)
	}
	a := k.NewAccess("fault", 1, mm, 0, false)
	runUntil(t, k, a, model.StepFolioLockOrRetry)
	if a.Folio() == nil || a.Folio().Test(model.PGswapcache) {
		t.Fatal("the fault holds no private (bypass) folio")
	}
	return k, mm, a
}

// anonFaults queues n fresh folios in cpu's lru_add batch: read faults of
// none PTEs (do_anonymous_page), each a folio_add_lru.
func anonFaults(t *testing.T, k *model.Kernel, cpu, n int) {
	t.Helper()
	mm, err := k.NewEmptyMM(n)
	if err != nil {
		t.Fatal(err)
	}
	a := k.NewAccess("anon", cpu, mm, 0, false)
	for addr := range uint64(n) {
		a.Reset(mm, addr, false)
		run(t, k, a)
	}
}

// finish runs the fault to the end and checks the page came back whole,
// after retries VM_FAULT_RETRY returns.
func finish(t *testing.T, k *model.Kernel, mm *model.MM, a *model.Access, retries int) {
	t.Helper()
	run(t, k, a)
	if a.Retries != retries {
		t.Errorf("%d retries, want %d", a.Retries, retries)
	}
	if k.MappedFolio(mm, 0) == nil {
		t.Fatal("page 0 not mapped after the fault")
	}
	k.DrainSlotCaches()
	k.CheckQuiescent()
	noViolations(t, k)
}

// A bypass folio queued in an empty batch is on no LRU list: no isolation
// can find it, so nothing can hold its lock before folio_lock_or_retry.
func TestBatchedFolioInvisibleToIsolation(t *testing.T) {
	for _, kb := range bypassBases() {
		t.Run(kb.String(), func(t *testing.T) {
			k, mm, a := lruWorld(t, kb, nil)
			if a.Folio().Test(model.PGlru) {
				t.Error("PG_lru set on a folio still in the lru_add batch")
			}
			if got := k.LRUBatchLen(1); got != 1 {
				t.Errorf("CPU 1's lru_add batch holds %d folios, want 1", got)
			}
			h := k.NewLockHolder("isolate", 0)
			k.Step(h)
			if h.Held() {
				t.Fatal("the lock holder locked a folio no LRU list holds")
			}
			finish(t, k, mm, a, 0)
		})
	}
}

// The add that fills the batch moves it all to the LRU at once, this folio
// included: then a lock holder can take it and the fault retries.
func TestFullBatchExposesFolio(t *testing.T) {
	for _, kb := range bypassBases() {
		t.Run(kb.String(), func(t *testing.T) {
			n := model.PagevecSize(kb) - 1
			k, mm, a := lruWorld(t, kb, func(k *model.Kernel) { anonFaults(t, k, 1, n) })
			if !a.Folio().Test(model.PGlru) {
				t.Fatalf("the %dth folio_add_lru left PG_lru clear", n+1)
			}
			if got := k.LRUBatchLen(1); got != 0 {
				t.Errorf("CPU 1's batch holds %d folios after it filled, want 0", got)
			}
			h := k.NewLockHolder("isolate", 0)
			k.Step(h)
			if !h.Held() || h.Folio() != a.Folio() {
				t.Fatal("the lock holder did not lock the fault's folio, the newest on the LRU")
			}
			k.Step(a)
			if a.Next() != model.StepFolioWaitLocked {
				t.Fatalf("fault at %v, want folio_wait_locked", a.Next())
			}
			run(t, k, h)
			finish(t, k, mm, a, 1)
		})
	}
}

// PAGEVEC_SIZE is 15 in v6.8 and 31 from v6.9 (9cecde80aae0).
func TestLRUBatchSize(t *testing.T) {
	for _, kb := range bypassBases() {
		t.Run(kb.String(), func(t *testing.T) {
			want := 31
			if kb == model.V6_8 {
				want = 15
			}
			k := newKernel(t, model.Config{Kernel: kb})
			anonFaults(t, k, 1, 15)
			drains := k.Counts[model.OpLRUDrain]
			switch {
			case want == 15 && (drains != 1 || k.LRUBatchLen(1) != 0):
				t.Fatalf("after 15 adds: %d drains, %d batched; want 1 drain, none batched", drains, k.LRUBatchLen(1))
			case want == 31 && (drains != 0 || k.LRUBatchLen(1) != 15):
				t.Fatalf("after 15 adds: %d drains, %d batched; want none drained, 15 batched", drains, k.LRUBatchLen(1))
			}
			anonFaults(t, k, 1, 16)
			if got, wantDrains := k.Counts[model.OpLRUDrain], uint64(31/want); got != wantDrains {
				t.Errorf("after 31 adds: %d drains, want %d", got, wantDrains)
			}
			if got, wantLeft := k.LRUBatchLen(1), 31%want; got != wantLeft {
				t.Errorf("after 31 adds: %d batched, want %d", got, wantLeft)
			}
		})
	}
}

// An lru_add_drain_all work item on another CPU moves that CPU's batch,
// not the faulting CPU's: the holder finds the other folio, not the fault's.
func TestOtherCPUDrainKeepsFolioHidden(t *testing.T) {
	for _, kb := range bypassBases() {
		t.Run(kb.String(), func(t *testing.T) {
			k, mm, a := lruWorld(t, kb, func(k *model.Kernel) { anonFaults(t, k, 0, 1) })
			run(t, k, k.NewLRUDrainer("lru_drain", 0))
			if a.Folio().Test(model.PGlru) {
				t.Fatal("draining CPU 0 put CPU 1's folio on the LRU")
			}
			h := k.NewLockHolder("isolate", 0)
			k.Step(h)
			if !h.Held() || h.Folio() == a.Folio() {
				t.Fatal("the lock holder should hold CPU 0's drained folio, not the fault's")
			}
			run(t, k, h)
			finish(t, k, mm, a, 0)
			run(t, k, k.NewLRUDrainer("lru_drain", 1))
			if !k.MappedFolio(mm, 0).Test(model.PGlru) {
				t.Error("draining CPU 1 left the fault's folio off the LRU")
			}
		})
	}
}
