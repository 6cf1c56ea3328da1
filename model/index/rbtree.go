package index

// Hand-written: no maintained Go library reproduces lib/rbtree.c closely
// enough for the model to charge time per visited node (see the package doc).
//
// The algorithm is the classic one (Cormen et al., "Introduction to
// Algorithms", chapter 13) with nil leaves instead of a sentinel, which is
// also how lib/rbtree.c is written: insertion is rb_link_node followed by
// rb_insert_color, erase is rb_erase followed by ____rb_erase_color. Unlike
// the kernel, which embeds struct rb_node in the object it indexes and keeps
// the colour in the low bit of __rb_parent_color, a node here owns its key and
// value and keeps the colour in a separate byte.

// rbNode is one node of an RBTree. With a pointer-sized V it takes 48 bytes:
// three links, the key, the value and the colour.
type rbNode[V any] struct {
	left, right, parent *rbNode[V] // rb_left, rb_right, rb_parent; right also links the free list
	key                 uint64     // the swap offset (pgoff_t) in zswap
	val                 V
	red                 bool // RB_RED when true, RB_BLACK when false
}

// rbMaxSlab caps how many nodes one slab allocation holds.
const rbMaxSlab = 1024

// RBTree is a red-black tree keyed by uint64, modelled on the kernel's
// struct rb_root as zswap uses it in v6.8 and v6.9 (zswap_rb_search,
// zswap_rb_insert, zswap_rb_erase). The zero value is an empty tree ready for
// use. An RBTree is not safe for concurrent use.
//
// Nodes are carved from slabs and erased nodes go on a free list that Insert
// reuses, so a tree whose size stays within its peak does not allocate.
// Memory is only given back when the whole tree becomes unreachable.
type RBTree[V any] struct {
	root  *rbNode[V]
	n     int
	gen   uint64      // bumped whenever a node is linked or unlinked
	free  *rbNode[V]  // erased nodes, linked through right
	slab  []rbNode[V] // nodes never used yet
	nodes int         // nodes ever carved from slabs
}

// Len returns the number of keys in the tree.
func (t *RBTree[V]) Len() int {
	if t == nil {
		return 0
	}
	return t.n
}

// Height returns the number of nodes on the longest path from the root to a
// leaf, 0 for an empty tree. It walks the whole tree and is meant for tests
// and diagnostics.
func (t *RBTree[V]) Height() int {
	if t == nil {
		return 0
	}
	return rbHeight(t.root)
}

func rbHeight[V any](n *rbNode[V]) int {
	if n == nil {
		return 0
	}
	return 1 + max(rbHeight(n.left), rbHeight(n.right))
}

// Search looks key up like zswap_rb_search. depth is the number of nodes
// compared against key, including the matching one; the kernel's cost is per
// level, so callers charge modelled time per visited node. Search never
// allocates.
func (t *RBTree[V]) Search(key uint64) (v V, ok bool, depth int) {
	if t == nil {
		return v, false, 0
	}
	n := t.root
	for n != nil {
		depth++
		switch {
		case key < n.key:
			n = n.left
		case key > n.key:
			n = n.right
		default:
			return n.val, true, depth
		}
	}
	return v, false, depth
}

// Insert adds key with value v like zswap_rb_insert. If key is already
// present the tree is left unchanged and Insert returns the value already
// stored with exists set; the caller decides what to do, as zswap_store
// erases the duplicate and tries again. depth is the number of nodes compared
// on the way down (the rebalancing in rb_insert_color is not counted).
func (t *RBTree[V]) Insert(key uint64, v V) (existing V, exists bool, depth int) {
	link := &t.root
	var parent *rbNode[V]
	for *link != nil {
		parent = *link
		depth++
		switch {
		case key < parent.key:
			link = &parent.left
		case key > parent.key:
			link = &parent.right
		default:
			return parent.val, true, depth
		}
	}
	z := t.newNode()
	z.key, z.val, z.parent, z.red = key, v, parent, true // rb_link_node
	*link = z
	t.n++
	t.gen++
	t.insertColor(z)
	return existing, false, depth
}

// Erase removes key like zswap_rb_erase, returning the value it held. depth
// is the number of nodes compared while finding key; the successor walk and
// the rebalancing of rb_erase are not counted, matching callers that already
// hold the entry and only pay for the lookup.
func (t *RBTree[V]) Erase(key uint64) (v V, ok bool, depth int) {
	if t == nil {
		return v, false, 0
	}
	z := t.root
	for z != nil {
		depth++
		switch {
		case key < z.key:
			z = z.left
		case key > z.key:
			z = z.right
		default:
			v = z.val
			t.erase(z)
			t.n--
			t.gen++
			t.freeNode(z)
			return v, true, depth
		}
	}
	return v, false, depth
}

// Ascend calls fn for each key in increasing order, with its value, until fn
// returns false. fn may insert or erase keys; iteration then carries on from
// the smallest key greater than the last one passed to fn.
func (t *RBTree[V]) Ascend(fn func(key uint64, v V) bool) {
	if t == nil || t.root == nil {
		return
	}
	n := t.root
	for n.left != nil {
		n = n.left
	}
	for n != nil {
		gen, key := t.gen, n.key
		if !fn(key, n.val) {
			return
		}
		if t.gen != gen {
			if key == ^uint64(0) {
				return
			}
			n = t.ceil(key + 1)
			continue
		}
		n = rbNext(n)
	}
}

// ceil returns the node with the smallest key >= key, or nil.
func (t *RBTree[V]) ceil(key uint64) *rbNode[V] {
	var best *rbNode[V]
	for n := t.root; n != nil; {
		switch {
		case key < n.key:
			best = n
			n = n.left
		case key > n.key:
			n = n.right
		default:
			return n
		}
	}
	return best
}

// rbNext returns the in-order successor of n, like rb_next.
func rbNext[V any](n *rbNode[V]) *rbNode[V] {
	if n.right != nil {
		n = n.right
		for n.left != nil {
			n = n.left
		}
		return n
	}
	for n.parent != nil && n == n.parent.right {
		n = n.parent
	}
	return n.parent
}

func (t *RBTree[V]) newNode() *rbNode[V] {
	if z := t.free; z != nil {
		t.free = z.right
		z.right = nil
		return z
	}
	if len(t.slab) == 0 {
		// Grow slabs geometrically so that small trees (zswap keeps one per
		// 64 MiB of swap) stay small and big ones make few allocations.
		size := min(max(t.nodes, 8), rbMaxSlab)
		t.slab = make([]rbNode[V], size)
		t.nodes += size
	}
	z := &t.slab[0]
	t.slab = t.slab[1:]
	return z
}

func (t *RBTree[V]) freeNode(z *rbNode[V]) {
	*z = rbNode[V]{right: t.free} // drop the value so the GC can collect it
	t.free = z
}

// rotateLeft turns x's right child y into x's parent (__rb_rotate_set_parents
// in the kernel's vocabulary).
func (t *RBTree[V]) rotateLeft(x *rbNode[V]) {
	y := x.right
	x.right = y.left
	if y.left != nil {
		y.left.parent = x
	}
	t.changeChild(x, y)
	y.left = x
	x.parent = y
}

// rotateRight is the mirror image of rotateLeft.
func (t *RBTree[V]) rotateRight(x *rbNode[V]) {
	y := x.left
	x.left = y.right
	if y.right != nil {
		y.right.parent = x
	}
	t.changeChild(x, y)
	y.right = x
	x.parent = y
}

// changeChild puts v where u hangs from u's parent (or the root) and gives v
// u's parent, like __rb_change_child. v may be nil.
func (t *RBTree[V]) changeChild(u, v *rbNode[V]) {
	p := u.parent
	switch {
	case p == nil:
		t.root = v
	case u == p.left:
		p.left = v
	default:
		p.right = v
	}
	if v != nil {
		v.parent = p
	}
}

func isRed[V any](n *rbNode[V]) bool { return n != nil && n.red }

// insertColor restores the red-black properties after z was linked in red,
// like rb_insert_color.
func (t *RBTree[V]) insertColor(z *rbNode[V]) {
	for {
		p := z.parent
		if p == nil || !p.red {
			break
		}
		g := p.parent // p is red, so it is not the root and g exists
		if p == g.left {
			if u := g.right; isRed(u) { // case 1: recolour and go up
				p.red, u.red, g.red = false, false, true
				z = g
				continue
			}
			if z == p.right { // case 2: rotate into case 3
				t.rotateLeft(p)
				z, p = p, z
			}
			p.red, g.red = false, true // case 3
			t.rotateRight(g)
			break
		}
		if u := g.left; isRed(u) {
			p.red, u.red, g.red = false, false, true
			z = g
			continue
		}
		if z == p.left {
			t.rotateRight(p)
			z, p = p, z
		}
		p.red, g.red = false, true
		t.rotateLeft(g)
		break
	}
	t.root.red = false
}

// erase unlinks z and rebalances, like rb_erase. The successor is relinked in
// z's place rather than copied, as in the kernel.
func (t *RBTree[V]) erase(z *rbNode[V]) {
	var x, xp *rbNode[V] // x replaces the removed black node; xp is its parent
	removedRed := z.red
	switch {
	case z.left == nil:
		x, xp = z.right, z.parent
		t.changeChild(z, z.right)
	case z.right == nil:
		x, xp = z.left, z.parent
		t.changeChild(z, z.left)
	default:
		y := z.right
		for y.left != nil {
			y = y.left
		}
		removedRed = y.red
		x = y.right
		if y.parent == z {
			xp = y
		} else {
			xp = y.parent
			t.changeChild(y, y.right)
			y.right = z.right
			y.right.parent = y
		}
		t.changeChild(z, y)
		y.left = z.left
		y.left.parent = y
		y.red = z.red
	}
	if !removedRed {
		t.eraseColor(x, xp)
	}
}

// eraseColor removes the extra black carried by x (possibly nil) below xp,
// like ____rb_erase_color.
func (t *RBTree[V]) eraseColor(x, xp *rbNode[V]) {
	for x != t.root && !isRed(x) {
		if x == xp.left {
			w := xp.right // non-nil: the black heights guarantee it
			if w.red {
				w.red, xp.red = false, true
				t.rotateLeft(xp)
				w = xp.right
			}
			if !isRed(w.left) && !isRed(w.right) {
				w.red = true
				x, xp = xp, xp.parent
				continue
			}
			if !isRed(w.right) {
				w.left.red, w.red = false, true
				t.rotateRight(w)
				w = xp.right
			}
			w.red, xp.red = xp.red, false
			w.right.red = false
			t.rotateLeft(xp)
			x = t.root
			break
		}
		w := xp.left
		if w.red {
			w.red, xp.red = false, true
			t.rotateRight(xp)
			w = xp.left
		}
		if !isRed(w.left) && !isRed(w.right) {
			w.red = true
			x, xp = xp, xp.parent
			continue
		}
		if !isRed(w.left) {
			w.right.red, w.red = false, true
			t.rotateLeft(w)
			w = xp.left
		}
		w.red, xp.red = xp.red, false
		w.left.red = false
		t.rotateRight(xp)
		x = t.root
		break
	}
	if x != nil {
		x.red = false
	}
}
