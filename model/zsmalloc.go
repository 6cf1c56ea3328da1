package model

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
}

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
	size    int
	regions [][]byte
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
func (p *zsPool) malloc(size int) zsHandle {
	ci := zsClassOf(size)
	if p.classIdx[ci] == 0 {
		p.classes = append(p.classes, zsClass{size: zsMinAlloc + ci*zsClassDelta})
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
		per := uint32(zsRegionBytes / c.size)
		if int(slot/per) >= len(c.regions) {
			c.regions = append(c.regions, make([]byte, zsRegionBytes))
		}
	}
	p.totalBytes += int64(c.size)
	p.objects++
	return zsHandle(uint64(ci)<<56 | uint64(slot))
}

// obj returns the object's storage (its class size).
func (p *zsPool) obj(h zsHandle) []byte {
	c := &p.classes[p.classIdx[h>>56]-1]
	slot := uint32(h)
	per := uint32(zsRegionBytes / c.size)
	off := int(slot%per) * c.size
	return c.regions[slot/per][off : off+c.size]
}

// free is zs_free.
func (p *zsPool) free(h zsHandle) int {
	c := &p.classes[p.classIdx[h>>56]-1]
	c.free = append(c.free, uint32(h))
	p.totalBytes -= int64(c.size)
	p.objects--
	return c.size
}
