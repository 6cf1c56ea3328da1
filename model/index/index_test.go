package index

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

var subjects = []struct {
	name string
	make func() subject
}{
	{"rbtree", func() subject { return rbSubject{new(RBTree[uint64])} }},
	{"radix", func() subject { return radixSubject{new(Radix[uint64])} }},
}

// randomOps draws n ops over keys of distribution dist. The mix of inserts
// and erases drifts so that trees repeatedly grow to a few thousand keys and
// shrink back to empty, which exercises freeing and shrinking.
func randomOps(seed uint64, dist, n int) []op {
	g := newKeySource(seed)
	ops := make([]op, 0, n)
	live := map[uint64]bool{}
	var recent []uint64
	for i := range n {
		phase := (i / 2000) % 2 // grow, then drain
		var o op
		switch x := g.rng.IntN(100); {
		case x < 2:
			o.kind = opAscend
		case x < 30:
			o.kind = opLookup
		case (phase == 0 && x < 75) || (phase == 1 && x < 40):
			o.kind = opInsert
		default:
			o.kind = opErase
		}
		// Lookups and erases mostly hit live keys.
		if o.kind != opInsert && len(recent) > 0 && g.rng.IntN(4) != 0 {
			j := g.rng.IntN(len(recent))
			o.key = recent[j]
			if o.kind == opErase {
				recent[j] = recent[len(recent)-1]
				recent = recent[:len(recent)-1]
				delete(live, o.key)
			}
		} else {
			o.key = g.key(dist)
		}
		if o.kind == opInsert && !live[o.key] {
			live[o.key] = true
			recent = append(recent, o.key)
		}
		o.val = g.rng.Uint64()
		ops = append(ops, o)
	}
	return ops
}

func TestOpsAgainstMap(t *testing.T) {
	n := 12000
	if testing.Short() {
		n = 3000
	}
	for _, sub := range subjects {
		for dist := range numDists {
			for seed := range uint64(2) {
				t.Run(fmt.Sprintf("%s/dist=%d/seed=%d", sub.name, dist, seed), func(t *testing.T) {
					ops := randomOps(seed*31+uint64(dist), dist, n)
					if err := runOps(sub.make(), ops, 97); err != nil {
						t.Fatal(err)
					}
				})
			}
		}
	}
}

// TestSequential inserts ascending and descending runs (the order a swap
// allocator hands out slots) and erases them again in the other order.
func TestSequential(t *testing.T) {
	for _, sub := range subjects {
		for _, base := range []uint64{0, 1<<14 - 500, 1 << 40, ^uint64(0) - 1999} {
			t.Run(fmt.Sprintf("%s/base=%#x", sub.name, base), func(t *testing.T) {
				var ops []op
				for i := range uint64(2000) {
					ops = append(ops, op{kind: opInsert, key: base + i, val: i})
				}
				ops = append(ops, op{kind: opAscend})
				for i := range uint64(2000) {
					ops = append(ops, op{kind: opErase, key: base + 1999 - i})
				}
				for i := range uint64(2000) {
					ops = append(ops, op{kind: opInsert, key: base + 1999 - i, val: i})
				}
				for i := range uint64(2000) {
					ops = append(ops, op{kind: opErase, key: base + i})
				}
				if err := runOps(sub.make(), ops, 101); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestRadixHeight pins the xarray's height rule: index 0 alone lives in the
// head, then one level per 6 bits of the largest index, shrinking back when
// the large indices go.
func TestRadixHeight(t *testing.T) {
	var r Radix[uint64]
	steps := []struct {
		store  bool
		key    uint64
		height int
		levels int
	}{
		{true, 0, 0, 0},
		{true, 63, 1, 1},
		{true, 64, 2, 2},
		{true, 1<<14 - 1, 3, 3},
		{true, 1 << 40, 7, 7},
		{true, ^uint64(0), 11, 11},
		{false, ^uint64(0), 7, 11},
		{false, 1 << 40, 3, 7},
		{false, 1<<14 - 1, 2, 3},
		{false, 64, 1, 2},
		{false, 63, 0, 1},
		{false, 0, 0, 0},
	}
	for _, s := range steps {
		var levels int
		if s.store {
			_, _, levels = r.Store(s.key, s.key)
		} else {
			_, _, levels = r.Erase(s.key)
		}
		if r.Height() != s.height || levels != s.levels {
			t.Fatalf("store=%v key %#x: height %d levels %d, want %d and %d", s.store, s.key, r.Height(), levels, s.height, s.levels)
		}
		if err := checkRadix(&r); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, levels := r.Load(1 << 20); ok || levels != 0 {
		t.Fatalf("load beyond range of an empty tree: ok %v levels %d", ok, levels)
	}
}

// TestRBTreeInsertExisting checks the zswap_rb_insert contract: a duplicate
// is reported, not stored.
func TestRBTreeInsertExisting(t *testing.T) {
	var tr RBTree[string]
	tr.Insert(7, "first")
	old, exists, depth := tr.Insert(7, "second")
	if !exists || old != "first" || depth != 1 {
		t.Fatalf("duplicate insert: got (%q, %v, %d)", old, exists, depth)
	}
	if v, _, _ := tr.Search(7); v != "first" {
		t.Fatalf("duplicate insert replaced the value: %q", v)
	}
}

// TestAscendMutating erases and inserts keys from inside Ascend and checks
// that iteration goes on from the smallest key above the last one visited.
func TestAscendMutating(t *testing.T) {
	for _, sub := range subjects {
		for dist := range numDists {
			t.Run(fmt.Sprintf("%s/dist=%d", sub.name, dist), func(t *testing.T) {
				g := newKeySource(uint64(dist) + 100)
				s := sub.make()
				m := map[uint64]uint64{}
				for range 300 {
					k := g.key(dist)
					s.insert(k, k)
					m[k] = k
				}
				last, started := uint64(0), false
				s.ascend(func(k, v uint64) bool {
					// The reference: the smallest key in m above last.
					want, found := uint64(0), false
					for mk := range m {
						if (!started || mk > last) && (!found || mk < want) {
							want, found = mk, true
						}
					}
					if !found || k != want || v != m[k] {
						t.Fatalf("visited (%#x, %d), want %#x (found %v)", k, v, want, found)
					}
					last, started = k, true
					switch g.rng.IntN(4) {
					case 0:
						s.erase(k)
						delete(m, k)
					case 1:
						k2 := g.key(dist)
						if _, had := m[k2]; !had {
							s.insert(k2, k2)
							m[k2] = k2
						}
					case 2:
						if k2 := k + 1 + g.rng.Uint64N(3); k2 > k {
							s.erase(k2)
							delete(m, k2)
						}
					}
					return true
				})
				for mk := range m {
					if mk > last {
						t.Fatalf("ascend stopped at %#x, but %#x is still there", last, mk)
					}
				}
				if err := s.check(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestZeroAllocs checks that lookups never allocate and that a tree in steady
// state reuses freed nodes rather than allocating.
func TestZeroAllocs(t *testing.T) {
	type entry struct{ n int }
	e := &entry{}
	g := newKeySource(7)
	keys := make([]uint64, 4096)
	for i := range keys {
		keys[i] = g.key(5)
	}
	var tr RBTree[*entry]
	var r Radix[*entry]
	for _, k := range keys {
		tr.Insert(k, e)
		r.Store(k, e)
	}
	i := 0
	next := func() uint64 { i++; return keys[i%len(keys)] }
	check := func(name string, f func()) {
		t.Helper()
		if a := testing.AllocsPerRun(2000, f); a != 0 {
			t.Errorf("%s: %v allocs per run, want 0", name, a)
		}
	}
	check("RBTree.Search", func() { tr.Search(next()) })
	check("RBTree.Search miss", func() { tr.Search(next() + 1<<50) })
	check("Radix.Load", func() { r.Load(next()) })
	check("Radix.Load miss", func() { r.Load(next() ^ 1<<50) })
	check("RBTree.Erase+Insert", func() {
		k := next()
		tr.Erase(k)
		tr.Insert(k, e)
	})
	check("Radix.Erase+Store", func() {
		k := next()
		r.Erase(k)
		r.Store(k, e)
	})
	// Erasing the only key far out frees a path of nodes and shrinks the
	// tree by several levels; storing it again must reuse them.
	check("Radix.Erase+Store shrink and grow", func() {
		r.Erase(^uint64(0))
		r.Store(^uint64(0), e)
	})
	// Replace a key with a different one: the freed node comes back.
	check("RBTree.Erase+Insert other key", func() {
		k := next()
		tr.Erase(k)
		tr.Insert(k^1<<45, e)
		tr.Erase(k ^ 1<<45)
		tr.Insert(k, e)
	})
}

// TestZeroValues checks that the zero values are usable and that nil trees
// answer read-only calls.
func TestZeroValues(t *testing.T) {
	var tr RBTree[int]
	var r Radix[int]
	if _, ok, d := tr.Search(1); ok || d != 0 || tr.Len() != 0 || tr.Height() != 0 {
		t.Fatal("zero RBTree not empty")
	}
	if _, ok, d := r.Load(0); ok || d != 0 || r.Len() != 0 || r.Height() != 0 {
		t.Fatal("zero Radix not empty")
	}
	tr.Ascend(func(uint64, int) bool { t.Fatal("ascend on empty tree"); return false })
	r.Ascend(func(uint64, int) bool { t.Fatal("ascend on empty tree"); return false })
	var ntr *RBTree[int]
	var nr *Radix[int]
	ntr.Search(1)
	ntr.Erase(1)
	ntr.Ascend(nil)
	nr.Load(1)
	nr.Erase(1)
	nr.Ascend(nil)
	if ntr.Len()+ntr.Height()+nr.Len()+nr.Height() != 0 {
		t.Fatal("nil trees not empty")
	}
}

// TestCheckersCatchCorruption corrupts valid trees by hand and requires the
// invariant checkers to notice, so that the property tests can fail.
func TestCheckersCatchCorruption(t *testing.T) {
	buildRB := func() *RBTree[uint64] {
		tr := new(RBTree[uint64])
		g := newKeySource(3)
		for range 200 {
			k := g.key(2)
			tr.Insert(k, k)
		}
		if err := checkRB(tr); err != nil {
			t.Fatalf("valid tree rejected: %v", err)
		}
		return tr
	}
	// nodes returns the nodes of tr in order.
	nodes := func(tr *RBTree[uint64]) []uint32 {
		var out []uint32
		for n := tr.ceil(0); n != 0; n = tr.next(n) {
			out = append(out, n)
		}
		return out
	}
	rbCases := []struct {
		name, want string
		corrupt    func(*RBTree[uint64])
	}{
		{"red root", "root is red", func(tr *RBTree[uint64]) { tr.setRed(tr.root, true) }},
		{"swapped colour", "black height", func(tr *RBTree[uint64]) {
			for _, n := range nodes(tr) {
				if tr.isRed(n) {
					tr.setRed(n, false)
					return
				}
			}
		}},
		{"red-red", "red child", func(tr *RBTree[uint64]) {
			for _, n := range nodes(tr) {
				if tr.isRed(n) && tr.at(n).left == 0 && tr.at(n).right == 0 {
					tr.setRed(tr.parent(n), true)
					return
				}
			}
		}},
		{"swapped keys", "BST order", func(tr *RBTree[uint64]) {
			ns := nodes(tr)
			a, b := tr.at(ns[10]), tr.at(ns[11])
			a.key, b.key = b.key, a.key
		}},
		{"bad parent", "parent pointer", func(tr *RBTree[uint64]) {
			ns := nodes(tr)
			for _, n := range ns {
				if l := tr.at(n).left; l != 0 {
					tr.setParent(l, ns[0])
					if l == ns[0] {
						tr.setParent(l, ns[len(ns)-1])
					}
					return
				}
			}
		}},
		{"bad len", "Len", func(tr *RBTree[uint64]) { tr.n++ }},
	}
	for _, c := range rbCases {
		tr := buildRB()
		c.corrupt(tr)
		if err := checkRB(tr); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("rbtree %s: checker said %v, want an error about %q", c.name, err, c.want)
		}
	}

	buildRadix := func() *Radix[uint64] {
		r := new(Radix[uint64])
		for _, k := range []uint64{1, 2, 100, 1 << 14, 1<<14 + 5, 1 << 20} {
			r.Store(k, k)
		}
		if err := checkRadix(r); err != nil {
			t.Fatalf("valid tree rejected: %v", err)
		}
		return r
	}
	radixCases := []struct {
		name, want string
		corrupt    func(*Radix[uint64])
	}{
		{"bad count", "count", func(r *Radix[uint64]) { r.rootInner.count++ }},
		{"empty leaf left behind", "empty", func(r *Radix[uint64]) {
			// Clear a leaf's only value without freeing the leaf.
			l := leafOf(r, 1<<20)
			l.slots[0], l.present, l.count = 0, 0, 0
			r.n--
		}},
		{"not shrunk", "needs", func(r *Radix[uint64]) { r.grow() }},
		{"stale value", "not zero", func(r *Radix[uint64]) {
			leafOf(r, 0).slots[3] = 42
		}},
		{"bad len", "Len", func(r *Radix[uint64]) { r.n-- }},
	}
	for _, c := range radixCases {
		r := buildRadix()
		c.corrupt(r)
		if err := checkRadix(r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("radix %s: checker said %v, want an error about %q", c.name, err, c.want)
		}
	}
}

// TestRBTreeBalanced checks that ascending inserts, the worst case for an
// unbalanced tree, keep the height within the red-black bound.
func TestRBTreeBalanced(t *testing.T) {
	var tr RBTree[struct{}]
	for k := range uint64(1 << 14) {
		tr.Insert(k, struct{}{})
	}
	if h := tr.Height(); h > 2*15 || h < 15 {
		t.Fatalf("height %d for 2^14 ascending keys", h)
	}
	_, ok, depth := tr.Search(1<<14 - 1)
	if !ok || depth > tr.Height() {
		t.Fatalf("search depth %d, height %d", depth, tr.Height())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range rng.Perm(1 << 14) {
		if _, ok, _ := tr.Erase(uint64(k)); !ok {
			t.Fatalf("erase %d missing", k)
		}
	}
	if tr.Len() != 0 || tr.root != 0 {
		t.Fatal("tree not empty after erasing every key")
	}
}

// leafOf returns the leaf holding key in a tree of height >= 2.
func leafOf(r *Radix[uint64], key uint64) *radixLeaf[uint64] {
	n := r.rootInner
	for shift := uint(6 * (r.height - 1)); shift > 6; shift -= 6 {
		n = n.nodes[(key>>shift)&63]
	}
	return n.leaves[(key>>6)&63]
}
