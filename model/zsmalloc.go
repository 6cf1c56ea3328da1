package model

import (
	"encoding/binary"

	"github.com/swapbench/swapbench/model/codec"
)

// zsPool stores compressed objects in size classes, like zsmalloc, so that
// pool accounting rounds each object up to its class as the kernel's does.
//
// Model: no zspages, fragmentation or compaction; each class is a slab of
// fixed-size chunks carved from 8 KiB regions with a free list, so the
// steady state allocates nothing.
type zsPool struct {
	// classes holds the size classes in use; classIdx maps a class number
	// to its position in classes plus one (0: not in use yet). Sparse, so
	// that the explorer's many small kernels clone cheaply.
	classIdx   [zsNumClasses]uint8
	classes    []zsClass
	totalBytes int64 // sum of the class sizes of live objects
	objects    int
	// regenerate stores each object's content key instead of its bytes
	// (Config.RegenerateContent); the class sizes are still accounted.
	regenerate bool
}

// zsKeyBytes is an object's storage under Config.RegenerateContent: its
// contentKey instead of its compressed bytes.
const zsKeyBytes = 16

const (
	zsMinAlloc    = 32
	zsClassDelta  = PageSize >> 8 // ZS_SIZE_CLASS_DELTA: 16
	zsNumClasses  = (PageSize-zsMinAlloc)/zsClassDelta + 2
	zsRegionBytes = 8 << 10
	// zsHugeClassSize approximates zs_huge_class_size() for 4 KiB pages:
	// zram stores objects at least this big uncompressed (ZRAM_HUGE).
	zsHugeClassSize = 3264
)

type zsClass struct {
	size    int // the class size: what the object costs the pool
	stride  int // the bytes stored per object: size, or zsKeyBytes
	regions [][]byte
	owner   []uint64 // the epoch of the kernel that owns each region (copy on write, as folio bytes)
	free    []uint32
	next    uint32
}

// zsHandle names an object: class in the top byte, slot below.
type zsHandle uint64

func zsClassOf(size int) int {
	if size <= zsMinAlloc {
		return 0
	}
	return (size - zsMinAlloc + zsClassDelta - 1) / zsClassDelta
}

// classSize is the bytes an object of size occupies.
func zsClassSize(size int) int { return zsMinAlloc + zsClassOf(size)*zsClassDelta }

// malloc is zs_malloc: room for size bytes (1..PageSize).
func (p *zsPool) malloc(size int, epoch uint64) zsHandle {
	ci := zsClassOf(size)
	if p.classIdx[ci] == 0 {
		size := zsMinAlloc + ci*zsClassDelta
		stride := size
		if p.regenerate {
			stride = zsKeyBytes
		}
		p.classes = append(p.classes, zsClass{size: size, stride: stride})
		p.classIdx[ci] = uint8(len(p.classes))
	}
	c := &p.classes[p.classIdx[ci]-1]
	var slot uint32
	if n := len(c.free); n > 0 {
		slot = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		slot = c.next
		c.next++
		per := uint32(zsRegionBytes / c.stride)
		if int(slot/per) >= len(c.regions) {
			c.regions = append(c.regions, make([]byte, zsRegionBytes))
			c.owner = append(c.owner, epoch)
		}
	}
	p.totalBytes += int64(c.size)
	p.objects++
	return zsHandle(uint64(ci)<<56 | uint64(slot))
}

// own makes the region holding h the kernel's own (epoch) before a write.
func (p *zsPool) own(h zsHandle, epoch uint64) {
	c := &p.classes[p.classIdx[h>>56]-1]
	r := uint32(h) / uint32(zsRegionBytes/c.stride)
	if c.owner[r] != epoch {
		c.regions[r] = append(make([]byte, 0, zsRegionBytes), c.regions[r]...)
		c.owner[r] = epoch
	}
}

// obj returns the object's storage (its class size, or zsKeyBytes).
func (p *zsPool) obj(h zsHandle) []byte {
	c := &p.classes[p.classIdx[h>>56]-1]
	slot := uint32(h)
	per := uint32(zsRegionBytes / c.stride)
	off := int(slot%per) * c.stride
	return c.regions[slot/per][off : off+c.stride]
}

// zsWrite fills object h with out, the compressed (or raw) bytes of f.
func (k *Kernel) zsWrite(p *zsPool, h zsHandle, out []byte, f *Folio) {
	p.own(h, k.epoch)
	obj := p.obj(h)
	if !p.regenerate {
		copy(obj, out)
		return
	}
	if f.src.version == 0 {
		k.bug(f.swap, "RegenerateContent: storing a page that was not generated")
	}
	binary.LittleEndian.PutUint64(obj, f.src.page)
	binary.LittleEndian.PutUint64(obj[8:], f.src.version)
}

// zsRead fills f from object h of n stored bytes: decompressed with c,
// or copied when c is nil (a ZRAM_HUGE object), or regenerated from its
// content key under Config.RegenerateContent.
func (k *Kernel) zsRead(p *zsPool, h zsHandle, n int, f *Folio, c codec.Codec) error {
	obj := p.obj(h)
	switch {
	case p.regenerate:
		f.src = contentKey{binary.LittleEndian.Uint64(obj), binary.LittleEndian.Uint64(obj[8:])}
		k.content.Fill(k.pageData(f), f.src.page, f.src.version)
		return nil
	case c == nil:
		copy(k.pageData(f), obj[:n])
		return nil
	}
	return c.Decompress(k.pageData(f), obj[:n])
}

// free is zs_free.
func (p *zsPool) free(h zsHandle) int {
	c := &p.classes[p.classIdx[h>>56]-1]
	c.free = append(c.free, uint32(h))
	p.totalBytes -= int64(c.size)
	p.objects--
	return c.size
}
