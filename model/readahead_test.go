package model_test

import (
	"testing"

	"github.com/swapbench/swapbench/model"
)

// TestSwapReadahead: after fork (swap count 2) a fault at page 10 of a
// 16-page region, the first in the VMA, reads a window of 8 centred on
// it (swap_vma_ra_win: hits start at 4, so __swapin_nr_pages gives 8;
// left = 10 - (8-1)/2 = 7): pages 7..14 come into the swap cache, the 7
// neighbours marked readahead; on v6.9 their zswap entries are freed
// (swap cache folios load exclusively) and they are dirty. A fault on a
// neighbour then hits the swap cache. With a window of 1 only page 10 is
// read.
func TestSwapReadahead(t *testing.T) {
	for _, tc := range []struct {
		window   int
		from, to uint64 // the pages read, [from, to)
	}{{8, 7, 15}, {1, 10, 11}} {
		k := newKernel(t, model.Config{Kernel: model.V6_9, Backend: model.BackendZswapZram, SwapReadahead: tc.window,
			Hooks: model.Hooks{Sync: model.SyncTick}})
		mm, _ := k.NewMM(16)
		child, _ := k.NewEmptyMM(16)
		entries := make([]model.SwpEntry, 16)
		for addr := range uint64(16) {
			swapOut(t, k, mm, addr)
			entries[addr] = mm.PTE(addr).Entry()
			run(t, k, k.NewPTEChanger("fork", 0, model.ChangeFork, mm, addr, child, addr))
		}
		fault := k.NewAccess("fault", 0, mm, 10, false)
		run(t, k, fault)
		if fault.LastPath != model.PathSwapCache {
			t.Fatalf("window %d: the fault took %v, want the swap cache path", tc.window, fault.LastPath)
		}
		for addr := range uint64(16) {
			f := k.SwapCacheFolio(entries[addr])
			read := addr >= tc.from && addr < tc.to
			switch {
			case read != (f != nil):
				t.Errorf("window %d: page %d in the swap cache: %v, want %v", tc.window, addr, f != nil, read)
			case !read:
			case addr == 10:
				if f.Test(model.PGreadahead) {
					t.Errorf("window %d: the faulting page is marked readahead", tc.window)
				}
			case !f.Test(model.PGlru):
				t.Errorf("window %d: neighbour %d is not on the LRU after the loop's lru_add_drain", tc.window, addr)
			case !f.Test(model.PGreadahead) || !f.Test(model.PGdirty) || k.ZswapHas(entries[addr]):
				t.Errorf("window %d: neighbour %d: readahead %v, dirty %v, zswap still holds it %v; want read ahead, dirty, freed from zswap",
					tc.window, addr, f.Test(model.PGreadahead), f.Test(model.PGdirty), k.ZswapHas(entries[addr]))
			}
		}
		if tc.window > 1 {
			next := k.NewAccess("next", 0, mm, 11, false)
			run(t, k, next)
			if next.LastPath != model.PathSwapCache || next.ZswapHit {
				t.Errorf("a fault on a read-ahead neighbour: path %v, zswap hit %v; want a swap cache hit", next.LastPath, next.ZswapHit)
			}
		}
		noViolations(t, k)
	}
}
