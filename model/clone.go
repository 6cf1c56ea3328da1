package model

import "slices"

// Clone returns a deep copy of the kernel and of the given actors (which
// must run on k), so that an explorer can branch without replaying from
// the start. Codec contexts, the content generator and the accounter are
// shared: they hold no state between steps.
func (k *Kernel) Clone(actors []Actor) (*Kernel, []Actor) {
	// Both sides get new epochs: neither owns the buffers they now
	// share (folio bytes, zsmalloc regions), so the first write copies.
	k.epoch = epochs.Add(1)
	c := *k
	c.epoch = epochs.Add(1)
	c.si.swapMap = slices.Clone(k.si.swapMap)
	c.si.inSlotCache = slices.Clone(k.si.inSlotCache)
	c.si.used.levels = make([][]uint64, len(k.si.used.levels))
	for i, lv := range k.si.used.levels {
		c.si.used.levels[i] = slices.Clone(lv)
	}
	c.swapCache = k.swapCache.clone()
	c.si.zeromap = slices.Clone(k.si.zeromap)
	c.zs = k.zs.clone()
	c.zram = k.zram
	c.zram.chunks = make([][]zramSlot, len(k.zram.chunks))
	for i, ch := range k.zram.chunks {
		c.zram.chunks[i] = slices.Clone(ch)
	}
	c.zram.pool = k.zram.pool.clone()

	c.mms = make([]*MM, len(k.mms))
	for i, mm := range k.mms {
		c.mms[i] = &MM{id: mm.id, ptes: slices.Clone(mm.ptes), pages: slices.Clone(mm.pages), ra: mm.ra}
	}
	mmOf := func(mm *MM) *MM {
		if mm == nil {
			return nil
		}
		return c.mms[mm.id]
	}
	// One allocation for the folios and one for their reverse maps, not
	// one each: the explorer clones at every branch.
	c.folios = make([]*Folio, len(k.folios))
	backing := make([]Folio, len(k.folios))
	nmaps := 0
	for _, f := range k.folios {
		if f != nil {
			nmaps += len(f.maps)
		}
	}
	maps := make([]rmap, nmaps)
	for i, f := range k.folios {
		if f == nil {
			continue
		}
		nf := &backing[i]
		*nf = *f
		if f.freed {
			nf.data = nil // a freed folio's bytes are garbage; folioAlloc remakes them
		}
		n := len(f.maps)
		nf.maps = maps[:n:n] // full: an append reallocates, never overwrites the next folio's
		maps = maps[n:]
		for j, m := range f.maps {
			nf.maps[j] = rmap{mmOf(m.mm), m.addr}
		}
		c.folios[i] = nf
	}
	folioOf := func(f *Folio) *Folio {
		if f == nil {
			return nil
		}
		return c.folios[f.pfn]
	}
	c.freeFolios = slices.Clone(k.freeFolios)
	c.cpus = slices.Clone(k.cpus)
	for i := range c.cpus {
		c.cpus[i].slotsRet = slices.Clone(k.cpus[i].slotsRet)
	}
	c.violations = slices.Clone(k.violations)
	c.running = nil

	out := make([]Actor, len(actors))
	for i, a := range actors {
		switch a := a.(type) {
		case *Access:
			n := *a
			n.mm, n.folio, n.swapcache = mmOf(a.mm), folioOf(a.folio), folioOf(a.swapcache)
			out[i] = &n
		case *Reclaim:
			n := *a
			n.mm, n.folio = mmOf(a.mm), folioOf(a.folio)
			out[i] = &n
		case *Shrinker:
			n := *a
			n.folio = folioOf(a.folio)
			out[i] = &n
		case *Zapper:
			n := *a
			n.mm = mmOf(a.mm)
			out[i] = &n
		case *PTEChanger:
			n := *a
			n.mm, n.other = mmOf(a.mm), mmOf(a.other)
			out[i] = &n
		case *LockHolder:
			n := *a
			n.folio = folioOf(a.folio)
			out[i] = &n
		case *SlotDrainer:
			n := *a
			out[i] = &n
		case *LRUDrainer:
			n := *a
			out[i] = &n
		}
	}
	return &c, out
}

func (z *zswap) clone() *zswap {
	c := *z
	c.entries = slices.Clone(z.entries)
	c.freeIDs = slices.Clone(z.freeIDs)
	c.index.trees = make([]zswapTree, len(z.index.trees))
	for i, t := range z.index.trees {
		c.index.trees[i].rb = t.rb.Clone()
		c.index.trees[i].xa = t.xa.Clone()
	}
	c.pool = z.pool.clone()
	return &c
}

// clone shares the regions' bytes with p: Kernel.Clone gives both
// kernels new epochs, so whichever writes a region first copies it
// (zsWrite).
func (p *zsPool) clone() zsPool {
	c := *p
	c.classes = slices.Clone(p.classes)
	for i := range p.classes {
		cl := &c.classes[i]
		cl.regions = slices.Clone(p.classes[i].regions)
		cl.owner = slices.Clone(p.classes[i].owner)
		cl.free = slices.Clone(p.classes[i].free)
	}
	return c
}
