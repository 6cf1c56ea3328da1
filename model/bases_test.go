package model_test

import (
	"strings"
	"testing"

	"github.com/swapbench/swapbench/model"
)

// TestZeromap: from v6.12 a zero page swapped out sets its zeromap bit and
// reaches neither zswap nor zram; the swapin fills it without asking
// either. Before v6.12 zswap (or zram) keeps it as a same-filled page.
func TestZeromap(t *testing.T) {
	for _, c := range allConfigs() {
		t.Run(c.String(), func(t *testing.T) {
			k := newKernel(t, model.Config{Kernel: c.kernel, Backend: c.backend, Content: content(t, "zero")})
			mm, _ := k.NewMM(1)
			r := swapOut(t, k, mm, 0)
			e := mm.PTE(0).Entry()
			zeromap := c.kernel >= model.V6_12
			if r.Zero != zeromap || k.ZeromapHas(e) != zeromap {
				t.Fatalf("reclaim Zero %v, zeromap bit %v; want %v", r.Zero, k.ZeromapHas(e), zeromap)
			}
			if zeromap && (k.ZswapEntries() != 0 || k.ZramStoredBytes() != 0 || k.Counts[model.OpDeviceWrite] != 0) {
				t.Fatalf("zero page reached zswap (%d entries) or zram (%d bytes, %d writes)",
					k.ZswapEntries(), k.ZramStoredBytes(), k.Counts[model.OpDeviceWrite])
			}
			a := k.NewAccess("fault", 1, mm, 0, false)
			run(t, k, a)
			if zeromap && (k.Counts[model.OpDeviceRead] != 0 || k.Counts[model.OpDecompress] != 0 || a.ZswapHit) {
				t.Errorf("zeromap swapin asked the device (%d reads) or zswap (hit %v)", k.Counts[model.OpDeviceRead], a.ZswapHit)
			}
			if a.LastPath != wantPath(c.kernel) {
				t.Errorf("path %v, want %v", a.LastPath, wantPath(c.kernel))
			}
			k.DrainSlotCaches()
			// On v7.0 the folio stays in the swap cache, holding the slot.
			if c.kernel.HasBypass() && k.ZeromapHas(e) {
				t.Error("zeromap bit still set after the slot was freed (swap_range_free clears it)")
			}
			noViolations(t, k)
		})
	}
}

// TestZeromapRewrite: a slot once written as a zero page and then reused
// for a non-zero one must not read as zeros (swap_zeromap_folio_clear).
func TestZeromapRewrite(t *testing.T) {
	for _, kb := range []model.KernelBase{model.V6_12, model.V6_18, model.V7_0} {
		for _, be := range model.Backends() {
			t.Run(kb.String()+"/"+be.String(), func(t *testing.T) {
				k := newKernel(t, model.Config{Kernel: kb, Backend: be})
				mm, _ := k.NewMM(1)
				if err := k.StorePage(mm, 0, make([]byte, model.PageSize)); err != nil {
					t.Fatal(err)
				}
				swapOut(t, k, mm, 0)
				e := mm.PTE(0).Entry()
				run(t, k, k.NewAccess("read", 0, mm, 0, false))
				k.DrainSlotCaches()
				run(t, k, k.NewAccess("write", 0, mm, 0, true)) // the next version: not zero
				swapOut(t, k, mm, 0)
				if got := mm.PTE(0).Entry(); got != e {
					t.Fatalf("second swapout took slot %d, want the reused %d", got, e)
				}
				if k.ZeromapHas(e) {
					t.Fatal("zeromap bit set for a non-zero page")
				}
				run(t, k, k.NewAccess("fault", 1, mm, 0, false))
				noViolations(t, k)
			})
		}
	}
}

// TestAllocBeforePin: from v6.12 a bypass fault allocates and charges its
// folio before swapcache_prepare, so the loser of a pin race allocates a
// folio it frees at out_page; before, it loses before allocating.
func TestAllocBeforePin(t *testing.T) {
	for _, kb := range bypassBases() {
		t.Run(kb.String(), func(t *testing.T) {
			k := newKernel(t, model.Config{Kernel: kb, Backend: model.BackendZswapZram,
				Hooks: model.Hooks{Sync: model.SyncWaitqueue}})
			mm, _ := k.NewMM(1)
			swapOut(t, k, mm, 0)
			allocs := k.Counts[model.OpFolioAlloc]
			winner := k.NewAccess("winner", 0, mm, 0, false)
			loser := k.NewAccess("loser", 1, mm, 0, false)
			runUntil(t, k, winner, model.StepFolioLockOrRetry)
			runUntil(t, k, loser, model.StepSleep)
			lost := k.Counts[model.OpFolioAlloc] - allocs
			want := uint64(1)
			if kb >= model.V6_12 {
				want = 2
			}
			if lost != want {
				t.Errorf("%d folios allocated when the loser sleeps, want %d", lost, want)
			}
			run(t, k, winner, loser)
			if winner.LastPath != model.PathBypass {
				t.Errorf("winner path %v, want bypass", winner.LastPath)
			}
			k.DrainSlotCaches()
			k.CheckQuiescent()
			noViolations(t, k)
		})
	}
}

// TestNoBypassExclusiveSafe: on v7.0 every swapin is a swap cache folio,
// so the March 2024 failure (an exclusive load, then a failed fault)
// loses nothing: the dirty folio stays in the swap cache for the refault.
func TestNoBypassExclusiveSafe(t *testing.T) {
	for _, fl := range failures {
		t.Run(fl.name, func(t *testing.T) {
			k := newKernel(t, model.Config{Kernel: model.V7_0, Backend: model.BackendZswapZram,
				Hooks: model.Hooks{ExclusiveLoad: exclusiveAlways}})
			mm, _ := k.NewMM(1)
			swapOut(t, k, mm, 0)
			fault := k.NewAccess("fault", 1, mm, 0, false)
			fl.inject(t, k, mm, fault)
			run(t, k, fault)
			if fault.LastPath != model.PathSwapCache {
				t.Errorf("path %v, want swapcache", fault.LastPath)
			}
			noViolations(t, k)
		})
	}
}

// TestBaseConfigErrors: a bypass sync mode or a slot cache on a base
// that has neither is refused in one line naming both.
func TestBaseConfigErrors(t *testing.T) {
	for _, cfg := range []model.Config{
		{Kernel: model.V7_0, SwapPages: 8, Hooks: model.Hooks{Sync: model.SyncTick}},
		{Kernel: model.V6_18, SwapPages: 8, SlotCacheSize: 64},
	} {
		_, err := model.NewKernel(cfg)
		if err == nil {
			t.Errorf("%+v: no error", cfg)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, cfg.Kernel.String()) || !strings.Contains(msg, "want") {
			t.Errorf("error %q does not name the kernel and what it wants", msg)
		}
	}
}
