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

// rbNode is one node of an RBTree. With a 4-byte V (the model's zswap
// entry id) it takes 24 bytes: the key, the value and three 32-bit node
// numbers, the colour kept in the low bit of the parent's number as the
// kernel keeps it in the low bit of __rb_parent_color. Node numbers instead
// of pointers keep the tree small (2^24 entries in 384 MiB) and give the
// garbage collector nothing to scan.
type rbNode[V any] struct {
	key         uint64 // the swap offset (pgoff_t) in zswap
	val         V
	left, right uint32 // rb_left, rb_right; 0 is none; right also links the free list
	parentColor uint32 // __rb_parent_color: parent<<1 | rbBlack
}

const rbBlack = 1 // RB_BLACK, as in the kernel; red is 0

// rbChunk is how many nodes one allocation holds (the first chunk grows
// geometrically to it, so that small trees stay small).
const (
	rbChunkShift = 10
	rbChunk      = 1 << rbChunkShift
)

// rbMaxNodes bounds a tree: node numbers are 31 bits (the low bit of
// parentColor is the colour).
const rbMaxNodes = 1<<31 - 1

// RBTree is a red-black tree keyed by uint64, modelled on the kernel's
// struct rb_root as zswap uses it in v6.8 and v6.9 (zswap_rb_search,
// zswap_rb_insert, zswap_rb_erase). The zero value is an empty tree ready for
// use. An RBTree is not safe for concurrent use.
//
// Nodes live in chunks and are named by number (0 is none); erased nodes go
// on a free list that Insert reuses, so a tree whose size stays within its
// peak does not allocate. Memory is only given back when the whole tree
// becomes unreachable.
type RBTree[V any] struct {
	chunks [][]rbNode[V] // node i is chunks[i>>rbChunkShift][i&(rbChunk-1)]; node 0 is unused
	root   uint32
	n      int
	gen    uint64 // bumped whenever a node is linked or unlinked
	free   uint32 // erased nodes, linked through right
}

// at returns node i (i != 0).
func (t *RBTree[V]) at(i uint32) *rbNode[V] {
	return &t.chunks[i>>rbChunkShift][i&(rbChunk-1)]
}

func (t *RBTree[V]) parent(i uint32) uint32 { return t.at(i).parentColor >> 1 }
func (t *RBTree[V]) isRed(i uint32) bool    { return i != 0 && t.at(i).parentColor&rbBlack == 0 }

func (t *RBTree[V]) setParent(i, p uint32) {
	n := t.at(i)
	n.parentColor = p<<1 | n.parentColor&rbBlack
}

func (t *RBTree[V]) setRed(i uint32, red bool) {
	n := t.at(i)
	n.parentColor |= rbBlack
	if red {
		n.parentColor &^= rbBlack
	}
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
	return t.height(t.root)
}

func (t *RBTree[V]) height(i uint32) int {
	if i == 0 {
		return 0
	}
	n := t.at(i)
	return 1 + max(t.height(n.left), t.height(n.right))
}

// Search looks key up like zswap_rb_search. depth is the number of nodes
// compared against key, including the matching one; the kernel's cost is per
// level, so callers charge modelled time per visited node. Search never
// allocates.
func (t *RBTree[V]) Search(key uint64) (v V, ok bool, depth int) {
	if t == nil {
		return v, false, 0
	}
	for i := t.root; i != 0; {
		n := t.at(i)
		depth++
		switch {
		case key < n.key:
			i = n.left
		case key > n.key:
			i = n.right
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
// Insert panics if the tree already holds rbMaxNodes nodes.
func (t *RBTree[V]) Insert(key uint64, v V) (existing V, exists bool, depth int) {
	var parent uint32
	left := false
	for i := t.root; i != 0; {
		n := t.at(i)
		parent = i
		depth++
		switch {
		case key < n.key:
			i, left = n.left, true
		case key > n.key:
			i, left = n.right, false
		default:
			return n.val, true, depth
		}
	}
	z := t.newNode()
	*t.at(z) = rbNode[V]{key: key, val: v, parentColor: parent << 1} // rb_link_node, red
	switch {
	case parent == 0:
		t.root = z
	case left:
		t.at(parent).left = z
	default:
		t.at(parent).right = z
	}
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
	for z := t.root; z != 0; {
		n := t.at(z)
		depth++
		switch {
		case key < n.key:
			z = n.left
		case key > n.key:
			z = n.right
		default:
			v = n.val
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
	if t == nil || t.root == 0 {
		return
	}
	i := t.root
	for t.at(i).left != 0 {
		i = t.at(i).left
	}
	for i != 0 {
		gen, n := t.gen, t.at(i)
		key := n.key
		if !fn(key, n.val) {
			return
		}
		if t.gen != gen {
			if key == ^uint64(0) {
				return
			}
			i = t.ceil(key + 1)
			continue
		}
		i = t.next(i)
	}
}

// ceil returns the node with the smallest key >= key, or 0.
func (t *RBTree[V]) ceil(key uint64) uint32 {
	var best uint32
	for i := t.root; i != 0; {
		n := t.at(i)
		switch {
		case key < n.key:
			best = i
			i = n.left
		case key > n.key:
			i = n.right
		default:
			return i
		}
	}
	return best
}

// next returns the in-order successor of node i, like rb_next.
func (t *RBTree[V]) next(i uint32) uint32 {
	if r := t.at(i).right; r != 0 {
		i = r
		for t.at(i).left != 0 {
			i = t.at(i).left
		}
		return i
	}
	for p := t.parent(i); p != 0; p = t.parent(i) {
		if i != t.at(p).right {
			return p
		}
		i = p
	}
	return 0
}

func (t *RBTree[V]) newNode() uint32 {
	if z := t.free; z != 0 {
		t.free = t.at(z).right
		return z
	}
	if len(t.chunks) == 0 {
		// The first chunk starts small and grows geometrically so that
		// small trees (zswap keeps one per 64 MiB of swap) stay small.
		t.chunks = [][]rbNode[V]{make([]rbNode[V], 1, 8)} // node 0 is none
	}
	c := len(t.chunks) - 1
	if len(t.chunks[c]) == rbChunk {
		if c+1 > rbMaxNodes>>rbChunkShift {
			panic("index: RBTree holds the maximum number of nodes")
		}
		t.chunks = append(t.chunks, make([]rbNode[V], 0, rbChunk))
		c++
	}
	i := uint32(c)<<rbChunkShift | uint32(len(t.chunks[c]))
	t.chunks[c] = append(t.chunks[c], rbNode[V]{})
	return i
}

func (t *RBTree[V]) freeNode(z uint32) {
	*t.at(z) = rbNode[V]{right: t.free}
	t.free = z
}

// rotateLeft turns x's right child y into x's parent (__rb_rotate_set_parents
// in the kernel's vocabulary).
func (t *RBTree[V]) rotateLeft(x uint32) {
	y := t.at(x).right
	yl := t.at(y).left
	t.at(x).right = yl
	if yl != 0 {
		t.setParent(yl, x)
	}
	t.changeChild(x, y)
	t.at(y).left = x
	t.setParent(x, y)
}

// rotateRight is the mirror image of rotateLeft.
func (t *RBTree[V]) rotateRight(x uint32) {
	y := t.at(x).left
	yr := t.at(y).right
	t.at(x).left = yr
	if yr != 0 {
		t.setParent(yr, x)
	}
	t.changeChild(x, y)
	t.at(y).right = x
	t.setParent(x, y)
}

// changeChild puts v where u hangs from u's parent (or the root) and gives v
// u's parent, like __rb_change_child. v may be 0.
func (t *RBTree[V]) changeChild(u, v uint32) {
	p := t.parent(u)
	switch {
	case p == 0:
		t.root = v
	case u == t.at(p).left:
		t.at(p).left = v
	default:
		t.at(p).right = v
	}
	if v != 0 {
		t.setParent(v, p)
	}
}

// insertColor restores the red-black properties after z was linked in red,
// like rb_insert_color.
func (t *RBTree[V]) insertColor(z uint32) {
	for {
		p := t.parent(z)
		if p == 0 || !t.isRed(p) {
			break
		}
		g := t.parent(p) // p is red, so it is not the root and g exists
		if p == t.at(g).left {
			if u := t.at(g).right; t.isRed(u) { // case 1: recolour and go up
				t.setRed(p, false)
				t.setRed(u, false)
				t.setRed(g, true)
				z = g
				continue
			}
			if z == t.at(p).right { // case 2: rotate into case 3
				t.rotateLeft(p)
				z, p = p, z
			}
			t.setRed(p, false) // case 3
			t.setRed(g, true)
			t.rotateRight(g)
			break
		}
		if u := t.at(g).left; t.isRed(u) {
			t.setRed(p, false)
			t.setRed(u, false)
			t.setRed(g, true)
			z = g
			continue
		}
		if z == t.at(p).left {
			t.rotateRight(p)
			z, p = p, z
		}
		t.setRed(p, false)
		t.setRed(g, true)
		t.rotateLeft(g)
		break
	}
	t.setRed(t.root, false)
}

// erase unlinks z and rebalances, like rb_erase. The successor is relinked in
// z's place rather than copied, as in the kernel.
func (t *RBTree[V]) erase(z uint32) {
	var x, xp uint32 // x replaces the removed black node; xp is its parent
	removedRed := t.isRed(z)
	zn := t.at(z)
	switch {
	case zn.left == 0:
		x, xp = zn.right, t.parent(z)
		t.changeChild(z, zn.right)
	case zn.right == 0:
		x, xp = zn.left, t.parent(z)
		t.changeChild(z, zn.left)
	default:
		y := zn.right
		for t.at(y).left != 0 {
			y = t.at(y).left
		}
		removedRed = t.isRed(y)
		x = t.at(y).right
		if t.parent(y) == z {
			xp = y
		} else {
			xp = t.parent(y)
			t.changeChild(y, t.at(y).right)
			t.at(y).right = zn.right
			t.setParent(zn.right, y)
		}
		t.changeChild(z, y)
		t.at(y).left = zn.left
		t.setParent(zn.left, y)
		t.setRed(y, t.isRed(z))
	}
	if !removedRed {
		t.eraseColor(x, xp)
	}
}

// eraseColor removes the extra black carried by x (possibly 0) below xp,
// like ____rb_erase_color.
func (t *RBTree[V]) eraseColor(x, xp uint32) {
	for x != t.root && !t.isRed(x) {
		if x == t.at(xp).left {
			w := t.at(xp).right // non-zero: the black heights guarantee it
			if t.isRed(w) {
				t.setRed(w, false)
				t.setRed(xp, true)
				t.rotateLeft(xp)
				w = t.at(xp).right
			}
			if !t.isRed(t.at(w).left) && !t.isRed(t.at(w).right) {
				t.setRed(w, true)
				x, xp = xp, t.parent(xp)
				continue
			}
			if !t.isRed(t.at(w).right) {
				t.setRed(t.at(w).left, false)
				t.setRed(w, true)
				t.rotateRight(w)
				w = t.at(xp).right
			}
			t.setRed(w, t.isRed(xp))
			t.setRed(xp, false)
			t.setRed(t.at(w).right, false)
			t.rotateLeft(xp)
			x = t.root
			break
		}
		w := t.at(xp).left
		if t.isRed(w) {
			t.setRed(w, false)
			t.setRed(xp, true)
			t.rotateRight(xp)
			w = t.at(xp).left
		}
		if !t.isRed(t.at(w).left) && !t.isRed(t.at(w).right) {
			t.setRed(w, true)
			x, xp = xp, t.parent(xp)
			continue
		}
		if !t.isRed(t.at(w).left) {
			t.setRed(t.at(w).right, false)
			t.setRed(w, true)
			t.rotateLeft(w)
			w = t.at(xp).left
		}
		t.setRed(w, t.isRed(xp))
		t.setRed(xp, false)
		t.setRed(t.at(w).left, false)
		t.rotateRight(xp)
		x = t.root
		break
	}
	if x != 0 {
		t.setRed(x, false)
	}
}
