package model

import (
	"fmt"
	"slices"
)

// CheckQuiescent checks the invariants that hold when no actor is in the
// middle of anything, records a violation for each one broken, and returns
// how many it found:
//   - every slot's swap_map count equals the swap PTEs referencing it, and
//     SWAP_HAS_CACHE is set exactly for slots with a swap cache folio or in
//     a per-CPU free batch; nothing else holds a slot (no leaks);
//   - every zswap entry is live, in its tree under its own offset, for a
//     slot in use; zswap's pool accounting equals the sum of its entries;
//   - every folio is mapped by the PTE it names, in the swap cache or in a
//     CPU's lru_add batch, with a reference for each, and unlocked.
func (k *Kernel) CheckQuiescent() int {
	before := len(k.violations)
	refs := make([]int, len(k.si.swapMap))
	for _, mm := range k.mms {
		for addr, p := range mm.ptes {
			switch {
			case p.isSwap():
				refs[p.Entry()]++
			case p.present():
				f := k.folio(p.pfn())
				if f == nil || f.freed || !slices.Contains(f.maps, rmap{mm, uint64(addr)}) {
					k.quiescentBug(Bug, 0, fmt.Sprintf("mm %d page %d maps pfn %d, which does not map it back", mm.id, addr, p.pfn()))
				}
			}
		}
	}
	for i, v := range k.si.swapMap {
		e := SwpEntry(i)
		cached := k.swapCacheLookupFree(e) != nil
		wantCache := cached || k.si.inSlotCache[e]
		count, has := int(v&swapCountMsk), v&swapHasCache != 0
		switch {
		case count != refs[e]:
			k.quiescentBug(Bug, e, fmt.Sprintf("swap_map count %d, but %d swap PTEs", count, refs[e]))
		case has && !wantCache:
			k.quiescentBug(Leak, e, "SWAP_HAS_CACHE set with no swap cache folio and not in a slot cache")
		case !has && cached:
			k.quiescentBug(Bug, e, "swap cache folio without SWAP_HAS_CACHE")
		}
		if (v != 0) != k.si.used.isSet(i) {
			k.quiescentBug(Bug, e, "slot bitmap disagrees with swap_map")
		}
	}
	k.checkZswap()
	for _, f := range k.folios[1:] {
		if f.freed {
			continue
		}
		want := f.mapcount()
		if f.test(PGswapcache) {
			want++
		}
		if k.inLRUBatch(f) {
			want++
		}
		switch {
		case f.test(PGlocked):
			k.quiescentBug(Bug, f.swap, fmt.Sprintf("pfn %d still locked", f.pfn))
		case want == 0:
			k.quiescentBug(Leak, f.swap, fmt.Sprintf("pfn %d neither mapped nor cached (ref %d)", f.pfn, f.ref))
		case int(f.ref) != want:
			k.quiescentBug(Bug, f.swap, fmt.Sprintf("pfn %d has ref %d, want %d", f.pfn, f.ref, want))
		}
	}
	return len(k.violations) - before
}

func (k *Kernel) checkZswap() {
	z := k.zs
	var pool int64
	live := 0
	for id := 1; id < len(z.entries); id++ {
		en := &z.entries[id]
		if !en.live {
			continue
		}
		live++
		if en.length != 0 {
			pool += int64(zsClassSize(int(en.length)))
		}
		t, _ := z.tree(k, en.swp())
		if got, _ := t.lookup(k, en.swp()); got != uint32(id) {
			k.quiescentBug(Leak, en.swp(), "zswap entry live but not in its tree")
		}
		if k.si.swapMap[en.swp()] == 0 {
			k.quiescentBug(Leak, en.swp(), "zswap entry for a free slot")
		}
		if k.cfg.Kernel == V6_8 && en.refcount != 1 {
			k.quiescentBug(Bug, en.swp(), fmt.Sprintf("zswap entry refcount %d at rest", en.refcount))
		}
	}
	if live != z.stored {
		k.quiescentBug(Bug, 0, fmt.Sprintf("zswap: %d live entries, %d in the trees", live, z.stored))
	}
	if pool != z.pool.totalBytes {
		k.quiescentBug(Bug, 0, fmt.Sprintf("zswap pool accounts %d bytes, entries hold %d", z.pool.totalBytes, pool))
	}
}

func (k *Kernel) quiescentBug(kind ViolationKind, e SwpEntry, detail string) {
	k.violations = append(k.violations, Violation{Kind: kind, Entry: e, Detail: detail})
}

// swapCacheLookupFree looks the swap cache up without counting an op.
func (k *Kernel) swapCacheLookupFree(e SwpEntry) *Folio {
	pfn, ok, _ := k.swapCache.load(e)
	if !ok {
		return nil
	}
	return k.folio(pfn)
}

func (b *slotBitmap) isSet(i int) bool { return b.levels[0][i/64]&(1<<(i%64)) != 0 }
