package index

import "math/bits"

// Hand-written: no maintained Go library reproduces lib/xarray.c closely
// enough for the model to charge time per visited node (see the package doc).
//
// The shape follows the kernel's xarray: nodes of XA_CHUNK_SIZE = 64 slots,
// each node a count of used slots; the tree is exactly as tall as the largest
// index needs (xas_expand adds levels on top, xas_shrink removes them again),
// nodes left empty by an erase are freed at once (xas_delete_node), and index 0
// alone lives directly in the head with no node at all, as xa_head does.
//
// Concurrency: the kernel looks entries up under RCU without the xa_lock. The
// simulator runs each kernel instance on one goroutine, so that lock-free
// lookup is modelled by the caller simply not charging for the tree lock on
// Load; no atomics or RCU are needed here.

const (
	radixShift = 6                         // XA_CHUNK_SHIFT
	radixSize  = 1 << radixShift           // XA_CHUNK_SIZE
	radixMask  = radixSize - 1             // XA_CHUNK_MASK
	radixMaxH  = (64 + radixShift - 1) / 6 // levels needed for a full uint64 index
)

// radixLeaf is a node at shift 0: its slots hold values. With a pointer-sized
// V it takes 528 bytes for up to 64 entries.
type radixLeaf[V any] struct {
	slots   [radixSize]V
	present uint64 // bit i set when slots[i] holds a value
	count   uint8  // used slots, as xa_node.count
}

// radixInner is a node at shift >= 6: its slots hold child nodes. The lowest
// inner level points at leaves and the others at inner nodes, so only one of
// the two arrays is used in any node.
type radixInner[V any] struct {
	nodes   [radixSize]*radixInner[V]
	leaves  [radixSize]*radixLeaf[V]
	present uint64
	count   uint8
}

// Slab caps: how many nodes one allocation holds at most. With a
// pointer-sized V, 31 leaves (16368 bytes) and 15 inner nodes (15600 bytes)
// fill a 16 KiB size class with little waste.
const (
	radixLeafSlab  = 31
	radixInnerSlab = 15
)

// Radix is a 64-ary radix tree keyed by uint64, modelled on the kernel's
// struct xarray as zswap (v6.10 and later) and the swap cache use it. The
// zero value is an empty tree ready for use. A Radix is not safe for
// concurrent use.
//
// Nodes are carved from slabs and freed nodes go on free lists that later
// stores reuse, so a tree whose shape stays within its peak does not
// allocate. Memory is only given back when the whole tree becomes
// unreachable.
type Radix[V any] struct {
	// height is the number of node levels: 0 when the tree is empty or holds
	// only index 0 (in head), else 1 + xa_node.shift/6 of the root node.
	height    int
	rootLeaf  *radixLeaf[V]  // root when height == 1
	rootInner *radixInner[V] // root when height >= 2
	head      V              // index 0 when height == 0 and headOK
	headOK    bool
	n         int
	gen       uint64 // bumped whenever a key is added or removed

	freeLeaves []*radixLeaf[V]
	freeInners []*radixInner[V]
	leafSlab   []radixLeaf[V]
	innerSlab  []radixInner[V]
	leafNodes  int // leaves ever carved from slabs
	innerNodes int // inner nodes ever carved from slabs
}

// radixMaxKey returns the largest index a tree of height h >= 1 can hold.
func radixMaxKey(h int) uint64 {
	if h*radixShift >= 64 {
		return ^uint64(0)
	}
	return 1<<(h*radixShift) - 1
}

// radixHeightFor returns the smallest height that can hold index key.
func radixHeightFor(key uint64) int {
	return (bits.Len64(key) + radixShift - 1) / radixShift
}

// Len returns the number of keys in the tree.
func (r *Radix[V]) Len() int {
	if r == nil {
		return 0
	}
	return r.n
}

// Height returns the number of node levels between the head and the values:
// 0 for an empty tree or one holding only index 0, otherwise just enough
// levels of 6 bits each for the largest index held.
func (r *Radix[V]) Height() int {
	if r == nil {
		return 0
	}
	return r.height
}

// Load looks key up like xa_load. levels is the number of nodes walked; a
// key beyond the range of the current height, or index 0 held in the head,
// costs 0. Load never allocates.
func (r *Radix[V]) Load(key uint64) (v V, ok bool, levels int) {
	if r == nil {
		return v, false, 0
	}
	h := r.height
	if h == 0 {
		if key == 0 && r.headOK {
			return r.head, true, 0
		}
		return v, false, 0
	}
	if key > radixMaxKey(h) {
		return v, false, 0
	}
	leaf := r.rootLeaf
	if h > 1 {
		n := r.rootInner
		levels = 1
		for shift := uint(radixShift * (h - 1)); shift > radixShift; shift -= radixShift {
			n = n.nodes[(key>>shift)&radixMask]
			if n == nil {
				return v, false, levels
			}
			levels++
		}
		leaf = n.leaves[(key>>radixShift)&radixMask]
		if leaf == nil {
			return v, false, levels
		}
	}
	levels++
	i := key & radixMask
	if leaf.present&(1<<i) == 0 {
		return v, false, levels
	}
	return leaf.slots[i], true, levels
}

// Store sets the value of key like xa_store, growing the tree first if key is
// beyond its range. It returns the value replaced, if any. levels is the
// number of nodes on the path from the root to key's slot, including nodes
// the store had to create.
func (r *Radix[V]) Store(key uint64, v V) (old V, replaced bool, levels int) {
	if r.height == 0 && key == 0 {
		if r.headOK {
			old, r.head = r.head, v
			return old, true, 0
		}
		r.head, r.headOK = v, true
		r.n++
		r.gen++
		return old, false, 0
	}
	need := radixHeightFor(key) // >= 1 here
	if r.n == 0 {
		r.height = max(r.height, need)
	}
	for r.height < need {
		r.grow()
	}
	var leaf *radixLeaf[V]
	if r.height == 1 {
		if r.rootLeaf == nil {
			r.rootLeaf = r.newLeaf()
		}
		leaf = r.rootLeaf
	} else {
		if r.rootInner == nil {
			r.rootInner = r.newInner()
		}
		n := r.rootInner
		levels = 1
		for shift := uint(radixShift * (r.height - 1)); shift > radixShift; shift -= radixShift {
			i := (key >> shift) & radixMask
			c := n.nodes[i]
			if c == nil {
				c = r.newInner()
				n.nodes[i] = c
				n.present |= 1 << i
				n.count++
			}
			n = c
			levels++
		}
		i := (key >> radixShift) & radixMask
		leaf = n.leaves[i]
		if leaf == nil {
			leaf = r.newLeaf()
			n.leaves[i] = leaf
			n.present |= 1 << i
			n.count++
		}
	}
	levels++
	i := key & radixMask
	if leaf.present&(1<<i) != 0 {
		old, leaf.slots[i] = leaf.slots[i], v
		return old, true, levels
	}
	leaf.slots[i] = v
	leaf.present |= 1 << i
	leaf.count++
	r.n++
	r.gen++
	return old, false, levels
}

// grow adds one level on top of a non-empty tree, like xas_expand: the old
// root becomes slot 0 of a new root.
func (r *Radix[V]) grow() {
	switch r.height {
	case 0: // the head entry moves into slot 0 of a new leaf
		l := r.newLeaf()
		l.slots[0], l.present, l.count = r.head, 1, 1
		var zero V
		r.head, r.headOK = zero, false
		r.rootLeaf = l
	case 1:
		n := r.newInner()
		n.leaves[0], n.present, n.count = r.rootLeaf, 1, 1
		r.rootLeaf, r.rootInner = nil, n
	default:
		n := r.newInner()
		n.nodes[0], n.present, n.count = r.rootInner, 1, 1
		r.rootInner = n
	}
	r.height++
}

// Erase removes key like xa_erase, returning the value it held. Nodes left
// empty are freed and the tree shrinks while its root uses only slot 0.
// levels is the number of nodes walked to reach key's slot.
func (r *Radix[V]) Erase(key uint64) (v V, ok bool, levels int) {
	if r == nil {
		return v, false, 0
	}
	h := r.height
	if h == 0 {
		if key == 0 && r.headOK {
			var zero V
			v, r.head, r.headOK = r.head, zero, false
			r.n--
			r.gen++
			return v, true, 0
		}
		return v, false, 0
	}
	if key > radixMaxKey(h) {
		return v, false, 0
	}
	var path [radixMaxH]*radixInner[V] // inner nodes from the root down
	depth := 0
	leaf := r.rootLeaf
	if h > 1 {
		n := r.rootInner
		path[0], depth, levels = n, 1, 1
		for shift := uint(radixShift * (h - 1)); shift > radixShift; shift -= radixShift {
			n = n.nodes[(key>>shift)&radixMask]
			if n == nil {
				return v, false, levels
			}
			path[depth] = n
			depth++
			levels++
		}
		leaf = n.leaves[(key>>radixShift)&radixMask]
		if leaf == nil {
			return v, false, levels
		}
	}
	levels++
	i := key & radixMask
	if leaf.present&(1<<i) == 0 {
		return v, false, levels
	}
	var zero V
	v, leaf.slots[i] = leaf.slots[i], zero
	leaf.present &^= 1 << i
	leaf.count--
	r.n--
	r.gen++

	if leaf.count == 0 { // xas_delete_node: free empty nodes bottom up
		r.freeLeaf(leaf)
		if depth == 0 {
			r.rootLeaf, r.height = nil, 0
			return v, true, levels
		}
		shift := uint(radixShift)
		p := path[depth-1]
		j := (key >> shift) & radixMask
		p.leaves[j] = nil
		p.present &^= 1 << j
		p.count--
		for d := depth - 1; p.count == 0; d-- {
			r.freeInner(p)
			if d == 0 {
				r.rootInner, r.height = nil, 0
				return v, true, levels
			}
			shift += radixShift
			p = path[d-1]
			j = (key >> shift) & radixMask
			p.nodes[j] = nil
			p.present &^= 1 << j
			p.count--
		}
	}
	r.shrink()
	return v, true, levels
}

// shrink removes root levels that only use slot 0, like xas_shrink; a leaf
// root holding only index 0 gives that entry back to the head.
func (r *Radix[V]) shrink() {
	for r.height >= 2 {
		n := r.rootInner
		if n.count != 1 || n.present&1 == 0 {
			return
		}
		if r.height == 2 {
			r.rootLeaf, r.rootInner = n.leaves[0], nil
		} else {
			r.rootInner = n.nodes[0]
		}
		r.freeInner(n)
		r.height--
	}
	if r.height == 1 {
		l := r.rootLeaf
		if l.count != 1 || l.present&1 == 0 {
			return
		}
		r.head, r.headOK = l.slots[0], true
		r.freeLeaf(l)
		r.rootLeaf, r.height = nil, 0
	}
}

// Ascend calls fn for each key in increasing order, with its value, until fn
// returns false. fn may store or erase keys; iteration then carries on from
// the smallest key greater than the last one passed to fn.
func (r *Radix[V]) Ascend(fn func(key uint64, v V) bool) {
	if r == nil {
		return
	}
	if r.height == 0 {
		if r.headOK {
			fn(0, r.head)
		}
		return
	}
	from := uint64(0)
	for {
		leaf, base, ok := r.seekLeaf(from)
		if !ok {
			return
		}
		gen := r.gen
		present := leaf.present
		if from > base {
			present &^= 1<<(from-base) - 1
		}
		for present != 0 {
			i := uint64(bits.TrailingZeros64(present))
			present &= present - 1
			key := base + i
			if !fn(key, leaf.slots[i]) {
				return
			}
			if r.gen != gen {
				if key == ^uint64(0) {
					return
				}
				from = key + 1
				break
			}
		}
		if r.gen == gen {
			next := base + radixSize
			if next < base { // wrapped past the largest index
				return
			}
			from = next
		}
	}
}

// seekLeaf returns the first leaf, in index order, whose range ends above
// from, with the index of its slot 0.
func (r *Radix[V]) seekLeaf(from uint64) (*radixLeaf[V], uint64, bool) {
	h := r.height
	if h == 0 || from > radixMaxKey(h) {
		return nil, 0, false
	}
	if h == 1 {
		return r.rootLeaf, 0, true
	}
	return seekInner(r.rootInner, uint(radixShift*(h-1)), 0, from)
}

// seekInner does seekLeaf's work below n, which sits at shift and covers the
// indices from base on; from is below the end of that range.
func seekInner[V any](n *radixInner[V], shift uint, base, from uint64) (*radixLeaf[V], uint64, bool) {
	present := n.present
	if from > base {
		present &^= 1<<((from-base)>>shift) - 1
	}
	for present != 0 {
		i := uint64(bits.TrailingZeros64(present))
		present &= present - 1
		cbase := base + i<<shift
		if shift == radixShift {
			return n.leaves[i], cbase, true
		}
		if l, lbase, ok := seekInner(n.nodes[i], shift-radixShift, cbase, from); ok {
			return l, lbase, true
		}
	}
	return nil, 0, false
}

func (r *Radix[V]) newLeaf() *radixLeaf[V] {
	if k := len(r.freeLeaves); k > 0 {
		l := r.freeLeaves[k-1]
		r.freeLeaves = r.freeLeaves[:k-1]
		return l
	}
	if len(r.leafSlab) == 0 {
		size := min(max(r.leafNodes, 1), radixLeafSlab)
		r.leafSlab = make([]radixLeaf[V], size)
		r.leafNodes += size
	}
	l := &r.leafSlab[0]
	r.leafSlab = r.leafSlab[1:]
	return l
}

func (r *Radix[V]) freeLeaf(l *radixLeaf[V]) {
	*l = radixLeaf[V]{} // drop values so the GC can collect them
	r.freeLeaves = append(r.freeLeaves, l)
}

func (r *Radix[V]) newInner() *radixInner[V] {
	if k := len(r.freeInners); k > 0 {
		n := r.freeInners[k-1]
		r.freeInners = r.freeInners[:k-1]
		return n
	}
	if len(r.innerSlab) == 0 {
		size := min(max(r.innerNodes, 1), radixInnerSlab)
		r.innerSlab = make([]radixInner[V], size)
		r.innerNodes += size
	}
	n := &r.innerSlab[0]
	r.innerSlab = r.innerSlab[1:]
	return n
}

func (r *Radix[V]) freeInner(n *radixInner[V]) {
	*n = radixInner[V]{}
	r.freeInners = append(r.freeInners, n)
}
