package index

import (
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
)

// checkRB verifies every red-black and bookkeeping invariant of t: the root is
// black and has no parent, no red node has a red child, every root-to-nil path
// has the same number of black nodes, keys are in strict BST order, parent
// pointers match child pointers and Len matches the node count.
func checkRB[V any](t *RBTree[V]) error {
	if t.root == 0 {
		if t.n != 0 {
			return fmt.Errorf("empty tree with Len %d", t.n)
		}
		return nil
	}
	if t.parent(t.root) != 0 {
		return errors.New("root has a parent")
	}
	if t.isRed(t.root) {
		return errors.New("root is red")
	}
	count := 0
	var prev uint64
	var walk func(i uint32) (blackHeight int, err error)
	walk = func(i uint32) (int, error) {
		if i == 0 {
			return 1, nil
		}
		n := t.at(i)
		for _, c := range []uint32{n.left, n.right} {
			if c == 0 {
				continue
			}
			if p := t.parent(c); p != i {
				return 0, fmt.Errorf("node %d: child %d has parent pointer %d, want %d", n.key, t.at(c).key, p, i)
			}
			if t.isRed(i) && t.isRed(c) {
				return 0, fmt.Errorf("red node %d has red child %d", n.key, t.at(c).key)
			}
		}
		lh, err := walk(n.left)
		if err != nil {
			return 0, err
		}
		if count > 0 && n.key <= prev {
			return 0, fmt.Errorf("BST order: key %d follows %d", n.key, prev)
		}
		prev = n.key
		count++
		rh, err := walk(n.right)
		if err != nil {
			return 0, err
		}
		if lh != rh {
			return 0, fmt.Errorf("node %d: black height %d on the left, %d on the right", n.key, lh, rh)
		}
		if !t.isRed(i) {
			lh++
		}
		return lh, nil
	}
	if _, err := walk(t.root); err != nil {
		return err
	}
	if count != t.n {
		return fmt.Errorf("Len %d, but %d nodes reachable", t.n, count)
	}
	return nil
}

// checkRadix verifies the xarray invariants of r: every node's count matches
// its presence bitmap and is non-zero (no empty node survives an erase),
// children exist exactly where bits are set and at the right level, absent
// value slots are zero, Len matches, and the height is the smallest that
// holds the largest key (index 0 alone lives in the head).
func checkRadix[V any](r *Radix[V]) error {
	if r.height < 0 || r.height > radixMaxH {
		return fmt.Errorf("height %d out of range", r.height)
	}
	if r.height == 0 {
		if r.rootLeaf != nil || r.rootInner != nil {
			return errors.New("height 0 with a root node")
		}
		want := 0
		if r.headOK {
			want = 1
		} else if !reflect.ValueOf(&r.head).Elem().IsZero() {
			return errors.New("unused head not zero")
		}
		if r.n != want {
			return fmt.Errorf("height 0: Len %d, want %d", r.n, want)
		}
		return nil
	}
	if r.headOK {
		return fmt.Errorf("head in use at height %d", r.height)
	}
	count := 0
	var maxKey uint64
	checkLeaf := func(l *radixLeaf[V], base uint64) error {
		if l == nil {
			return fmt.Errorf("nil leaf at %#x", base)
		}
		if int(l.count) != bits.OnesCount64(l.present) {
			return fmt.Errorf("leaf %#x: count %d, %d slots present", base, l.count, bits.OnesCount64(l.present))
		}
		if l.count == 0 {
			return fmt.Errorf("leaf %#x is empty", base)
		}
		for i := range radixSize {
			if l.present&(1<<i) == 0 && !reflect.ValueOf(&l.slots[i]).Elem().IsZero() {
				return fmt.Errorf("leaf %#x: absent slot %d not zero", base, i)
			}
		}
		count += int(l.count)
		maxKey = base + uint64(63-bits.LeadingZeros64(l.present))
		return nil
	}
	var walk func(n *radixInner[V], shift uint, base uint64) error
	walk = func(n *radixInner[V], shift uint, base uint64) error {
		if n == nil {
			return fmt.Errorf("nil node at %#x shift %d", base, shift)
		}
		if int(n.count) != bits.OnesCount64(n.present) {
			return fmt.Errorf("node %#x shift %d: count %d, %d slots present", base, shift, n.count, bits.OnesCount64(n.present))
		}
		if n.count == 0 {
			return fmt.Errorf("node %#x shift %d is empty", base, shift)
		}
		for i := range uint64(radixSize) {
			set := n.present&(1<<i) != 0
			cbase := base + i<<shift
			if shift == radixShift {
				if n.nodes[i] != nil {
					return fmt.Errorf("node %#x: inner child at the leaf level", base)
				}
				if set != (n.leaves[i] != nil) {
					return fmt.Errorf("node %#x slot %d: present %v, leaf %p", base, i, set, n.leaves[i])
				}
				if set {
					if err := checkLeaf(n.leaves[i], cbase); err != nil {
						return err
					}
				}
				continue
			}
			if n.leaves[i] != nil {
				return fmt.Errorf("node %#x shift %d: leaf above the leaf level", base, shift)
			}
			if set != (n.nodes[i] != nil) {
				return fmt.Errorf("node %#x shift %d slot %d: present %v, child %p", base, shift, i, set, n.nodes[i])
			}
			if set {
				if err := walk(n.nodes[i], shift-radixShift, cbase); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var err error
	if r.height == 1 {
		if r.rootInner != nil {
			return errors.New("height 1 with an inner root")
		}
		err = checkLeaf(r.rootLeaf, 0)
	} else {
		if r.rootLeaf != nil {
			return fmt.Errorf("height %d with a leaf root", r.height)
		}
		err = walk(r.rootInner, uint(radixShift*(r.height-1)), 0)
	}
	if err != nil {
		return err
	}
	if count != r.n {
		return fmt.Errorf("Len %d, but %d values reachable", r.n, count)
	}
	if want := radixHeightFor(maxKey); r.height != want {
		return fmt.Errorf("height %d, but largest key %#x needs %d", r.height, maxKey, want)
	}
	return nil
}

// keySource draws keys from one of several distributions: tiny keys around 0,
// keys around 1<<14 (one swap-cache xarray per 64 MiB), sparse keys up to
// 1<<40, clusters like the swap allocator hands out, and keys at the top of
// the uint64 range.
type keySource struct {
	rng      *rand.Rand
	clusters []uint64
}

func newKeySource(seed uint64) *keySource {
	g := &keySource{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for range 8 {
		g.clusters = append(g.clusters, g.rng.Uint64N(1<<40))
	}
	return g
}

func (g *keySource) key(dist int) uint64 {
	r := g.rng
	switch dist {
	case 0:
		return r.Uint64N(80)
	case 1:
		return 1<<14 - 100 + r.Uint64N(200)
	case 2:
		return r.Uint64N(1 << 40)
	case 3:
		return g.clusters[r.IntN(len(g.clusters))] + r.Uint64N(512)
	case 4:
		return ^uint64(0) - r.Uint64N(300)
	default: // a mix of all of the above
		return g.key(r.IntN(5))
	}
}

const numDists = 6

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[V any](m map[uint64]V) []uint64 {
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
