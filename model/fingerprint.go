package model

import (
	"encoding/binary"
	"hash/maphash"
)

// Fingerprint hashes the kernel's state and the given actors' states into
// h, so that an explorer can recognise a state it has seen before. Two
// states with the same fingerprint behave the same from then on, up to
// hash collisions; PFNs and zswap entry ids are hashed as they are, so
// states that differ only in their naming are not merged (which costs
// pruning, never soundness).
func (k *Kernel) Fingerprint(h *maphash.Hash, actors []Actor) {
	w := &fpWriter{h: h}
	defer w.flush()
	u := w.u
	h.Write(k.si.swapMap)
	for i, in := range k.si.inSlotCache {
		if in {
			u(uint64(i))
		}
	}
	for cpu := range k.cpus {
		c := &k.cpus[cpu]
		u(uint64(len(c.slotsRet)))
		for _, e := range c.slotsRet {
			u(uint64(e))
		}
		u(uint64(c.nLRUAdd))
		for _, pfn := range c.lruAdd[:c.nLRUAdd] {
			u(uint64(pfn))
		}
	}
	k.swapCache.ascend(func(e SwpEntry, pfn PFN) {
		u(uint64(e))
		u(uint64(pfn))
	})
	for _, w := range k.si.zeromap {
		u(w)
	}
	z := k.zs
	for id := range z.entries {
		en := &z.entries[id]
		if en.live {
			u(uint64(id))
			u(uint64(en.swp()))
			u(en.sum)
			u(uint64(en.length)<<32 | uint64(uint32(en.refcount)))
			u(uint64(en.gen))
		}
	}
	// The whole LRU order, not just its ends: each shrinker rotation
	// makes the next-oldest entry the tail.
	for id := z.lruHead; id != 0; id = z.entries[id].lruNext {
		u(uint64(id))
	}
	u(0)
	u(uint64(z.stored))
	for ci, ch := range k.zram.chunks {
		for i := range ch {
			s := &ch[i]
			if s.flags == 0 {
				continue
			}
			u(uint64(ci*zramChunkSlots + i))
			u(s.sum)
			u(uint64(s.flags))
		}
	}
	for _, f := range k.folios[1:] {
		if f.freed {
			u(0)
			continue
		}
		u(uint64(f.flags) | uint64(uint32(f.ref))<<16 | uint64(len(f.maps))<<48)
		u(f.sum)
		u(uint64(f.swap))
		u(uint64(int64(f.lockOwner)))
		if f.test(PGlru) {
			u(lruRank(k, f))
		}
		for _, m := range f.maps {
			u(uint64(m.mm.id)<<40 | m.addr)
		}
	}
	for _, mm := range k.mms {
		u(mm.ra.addr<<20 | uint64(mm.ra.win)<<8 | uint64(mm.ra.hits)<<1 | uint64(boolBit(mm.ra.set, 0)))
		for i, p := range mm.ptes {
			u(uint64(p))
			u(mm.pages[i].hash)
		}
	}
	u(k.jiffies)
	u(k.wqGen)
	u(uint64(len(k.violations)))
	for i := range k.failNext {
		u(uint64(k.failNext[i]))
	}
	for _, a := range actors {
		a.fingerprint(w)
	}
}

// lruRank is f's place among the folios on the LRU, oldest 0: what a
// LockHolder's choice of the newest depends on, without the absolute
// lruSeq, which differs between schedules that reach the same state.
func lruRank(k *Kernel, f *Folio) uint64 {
	var r uint64
	for _, g := range k.folios[1:] {
		if !g.freed && g.test(PGlru) && g.lruSeq < f.lruSeq {
			r++
		}
	}
	return r
}

func pfnOf(f *Folio) uint64 {
	if f == nil {
		return 0
	}
	return uint64(f.pfn)
}

func boolBit(b bool, bit uint) uint64 {
	if b {
		return 1 << bit
	}
	return 0
}

func (a *Access) fingerprint(w *fpWriter) {
	u := w.u
	u(uint64(a.pc))
	u(uint64(a.origPTE))
	u(pfnOf(a.folio)<<32 | pfnOf(a.swapcache))
	u(boolBit(a.tried, 0) | boolBit(a.needClearCache, 1) | boolBit(a.zsExcl, 2) | boolBit(a.zsHit, 3) |
		boolBit(a.wrote, 4) | boolBit(a.onWQ, 5) | uint64(a.path)<<8 | uint64(a.ret)<<16)
	u(uint64(a.zsRef.id)<<32 | uint64(a.zsRef.gen))
	u(a.wakeAt)
	u(a.wqGen)
	u(a.ra.next<<32 | a.ra.end<<1 | boolBit(a.ra.active, 0) | boolBit(a.raDone, 63))
	u(uint64(a.ra.entry))
	// Inside the readahead loop a.entry is a neighbour's entry, read from
	// its PTE when the loop moved on; that PTE may have changed since.
	u(uint64(a.entry))
}

func (r *Reclaim) fingerprint(w *fpWriter) {
	u := w.u
	u(uint64(r.pc) | uint64(r.Result)<<8 | boolBit(r.Stored, 16) | boolBit(r.Zero, 17))
	u(pfnOf(r.folio))
}

func (s *Shrinker) fingerprint(w *fpWriter) {
	u := w.u
	u(uint64(s.pc) | boolBit(s.writtenBack, 8))
	u(uint64(s.swp))
	u(uint64(s.ref.id)<<32 | uint64(s.ref.gen))
	u(pfnOf(s.folio))
}

func (z *Zapper) fingerprint(w *fpWriter)      { w.u(uint64(z.pc)) }
func (c *PTEChanger) fingerprint(w *fpWriter)  { w.u(uint64(c.pc)) }
func (d *SlotDrainer) fingerprint(w *fpWriter) { w.u(uint64(d.pc)) }
func (d *LRUDrainer) fingerprint(w *fpWriter)  { w.u(uint64(d.pc)) }
func (h *LockHolder) fingerprint(w *fpWriter) {
	u := w.u
	u(uint64(h.pc))
	u(pfnOf(h.folio))
}

// fpWriter feeds a fingerprint's words to the hash a buffer at a time:
// the same bytes, in the same order, as writing each word (maphash does
// not depend on how its input is split), for fewer calls.
type fpWriter struct {
	h   *maphash.Hash
	n   int
	buf [256]byte
}

func (w *fpWriter) u(v uint64) {
	if w.n == len(w.buf) {
		w.flush()
	}
	binary.LittleEndian.PutUint64(w.buf[w.n:], v)
	w.n += 8
}

func (w *fpWriter) flush() {
	w.h.Write(w.buf[:w.n])
	w.n = 0
}
