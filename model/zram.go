package model

// zram is a zram-like SWP_SYNCHRONOUS_IO block device: one compressed
// object per slot, a per-slot lock, and swap_slot_free_notify.
//
// Model: the slot table (zram->table) is allocated in chunks of
// zramChunkSlots at the first write into each, so that a big device zram
// never stores to (every page in zswap) costs no memory: even reading an
// untouched table costs resident memory.
type zram struct {
	chunks [][]zramSlot // slot e is chunks[e/zramChunkSlots][e%zramChunkSlots]; nil: all empty
	pool   zsPool

	// Stats, as in /sys/block/zram0/mm_stat and debug_stat.
	MissFree, SameReads int
}

// zramSlot is struct zram_table_entry.
type zramSlot struct {
	handle zsHandle // the object, or the same-filled word with zramSame
	sum    uint64   // the oracle's checksum of the page, carried along
	size   uint16   // stored bytes (PageSize for ZRAM_HUGE)
	flags  uint8
}

const zramChunkSlots = SwapAddressSpacePages

func newZram(pages int) zram {
	return zram{chunks: make([][]zramSlot, (pages+zramChunkSlots-1)/zramChunkSlots)}
}

// peek returns slot e: an empty slot if its chunk was never written.
func (z *zram) peek(e SwpEntry) zramSlot {
	if c := z.chunks[e/zramChunkSlots]; c != nil {
		return c[e%zramChunkSlots]
	}
	return zramSlot{}
}

// slot returns slot e for writing, allocating its chunk.
func (z *zram) slot(e SwpEntry, pages int) *zramSlot {
	i := e / zramChunkSlots
	if z.chunks[i] == nil {
		z.chunks[i] = make([]zramSlot, min(zramChunkSlots, pages-int(i)*zramChunkSlots))
	}
	return &z.chunks[i][e%zramChunkSlots]
}

const (
	zramSame  = 1 << iota // ZRAM_SAME: handle holds the repeated word
	zramHuge              // ZRAM_HUGE: stored uncompressed
	zramAlloc             // slot holds an object
)

func (z *zram) slotLock(k *Kernel, e SwpEntry) { k.count(OpZramSlotLock, int(e)) }

// read is zram_read_page: a slot that was never written (or was freed)
// reads as a zero page, exactly like a ZRAM_SAME slot of value 0.
func (z *zram) read(k *Kernel, e SwpEntry, f *Folio) {
	z.slotLock(k, e)
	s := z.peek(e)
	dst := k.pageData(f)
	f.sum = s.sum
	f.src = contentKey{}
	switch {
	case s.flags&zramAlloc == 0:
		z.SameReads++
		k.count(OpDeviceRead, 0)
		k.count(OpFillPage, PageSize)
		var v uint64
		if s.flags&zramSame != 0 {
			v = uint64(s.handle)
		} else {
			f.sum = k.zeroHash
		}
		fillPage(dst, v)
	case s.flags&zramHuge != 0:
		k.count(OpDeviceRead, PageSize)
		k.zsRead(&z.pool, s.handle, PageSize, f, nil)
	default:
		k.count(OpDeviceRead, int(s.size))
		k.count(OpDecompress, int(s.size))
		if err := k.zsRead(&z.pool, s.handle, int(s.size), f, k.ctx().zramCodec); err != nil {
			k.bug(e, "zram_read_page: "+err.Error())
		}
	}
}

// write is zram_write_page: free the old object, then store the page as a
// same-filled word, compressed, or raw if it compresses too poorly.
func (z *zram) write(k *Kernel, e SwpEntry, f *Folio) {
	z.slotLock(k, e)
	z.freePage(k, e)
	s := z.slot(e, k.cfg.SwapPages)
	src := f.data
	s.sum = f.sum
	v, same, scanned := sameFilled(src)
	k.count(OpSameFilledCheck, scanned)
	if same {
		k.count(OpDeviceWrite, 0)
		s.handle, s.flags = zsHandle(v), zramSame
		return
	}
	c := k.ctx()
	out, err := c.zramCodec.Compress(c.buf[:0], src)
	k.count(OpCompress, len(out))
	huge := err != nil || len(out) >= zsHugeClassSize
	if huge {
		out = src
	}
	h := z.pool.malloc(len(out), k.epoch)
	k.count(OpZsMalloc, zsClassSize(len(out)))
	k.zsWrite(&z.pool, h, out, f)
	k.count(OpDeviceWrite, len(out))
	s.handle, s.size, s.flags = h, uint16(len(out)), zramAlloc
	if huge {
		s.flags |= zramHuge
	}
}

func (z *zram) freePage(k *Kernel, e SwpEntry) {
	c := z.chunks[e/zramChunkSlots]
	if c == nil {
		return // never written: nothing to free, and the chunk stays unallocated
	}
	s := &c[e%zramChunkSlots]
	if s.flags&zramAlloc != 0 {
		k.count(OpZsFree, z.pool.free(s.handle))
	}
	*s = zramSlot{}
}

// slotFreeNotify is zram_slot_free_notify: it only trylocks the slot and
// counts a miss when it cannot, leaving the old data in place until the
// slot is written again (FailZramMissFree injects the contention).
func (z *zram) slotFreeNotify(k *Kernel, e SwpEntry) {
	if k.fail(FailZramMissFree) {
		z.MissFree++
		return
	}
	z.slotLock(k, e)
	z.freePage(k, e)
}

// zramStoredBytes returns the bytes zram's pool holds (class sizes).
func (k *Kernel) zramStoredBytes() int64 { return k.zram.pool.totalBytes }
