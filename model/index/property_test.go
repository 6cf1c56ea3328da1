package index

import (
	"math/rand/v2"
	"testing"
)

// ops drives an index and a plain map with the same random operations
// and requires the same answers; check verifies the structure.
type mapIndex interface {
	get(k uint64) (uint32, bool)
	put(k uint64, v uint32) (uint32, bool) // existing value, existed
	del(k uint64) (uint32, bool)
	len() int
	check(t *testing.T)
	ascend(fn func(uint64, uint32) bool)
}

type rbIndex struct{ t RBTree[uint32] }

func (r *rbIndex) get(k uint64) (uint32, bool) { v, ok, _ := r.t.Search(k); return v, ok }
func (r *rbIndex) put(k uint64, v uint32) (uint32, bool) {
	// zswap_store's loop: on -EEXIST erase the old entry and insert again.
	old, exists, _ := r.t.Insert(k, v)
	if exists {
		r.t.Erase(k)
		if _, again, _ := r.t.Insert(k, v); again {
			panic("insert after erase found the key")
		}
	}
	return old, exists
}
func (r *rbIndex) del(k uint64) (uint32, bool)         { v, ok, _ := r.t.Erase(k); return v, ok }
func (r *rbIndex) len() int                            { return r.t.Len() }
func (r *rbIndex) ascend(fn func(uint64, uint32) bool) { r.t.Ascend(fn) }
func (r *rbIndex) check(t *testing.T) {
	t.Helper()
	if err := checkRB(&r.t); err != nil {
		t.Fatal(err)
	}
}

type radixIndex struct{ r Radix[uint32] }

func (x *radixIndex) get(k uint64) (uint32, bool) { v, ok, _ := x.r.Load(k); return v, ok }
func (x *radixIndex) put(k uint64, v uint32) (uint32, bool) {
	old, replaced, _ := x.r.Store(k, v)
	return old, replaced
}
func (x *radixIndex) del(k uint64) (uint32, bool)         { v, ok, _ := x.r.Erase(k); return v, ok }
func (x *radixIndex) len() int                            { return x.r.Len() }
func (x *radixIndex) ascend(fn func(uint64, uint32) bool) { x.r.Ascend(fn) }
func (x *radixIndex) check(t *testing.T) {
	t.Helper()
	if err := checkRadix(&x.r); err != nil {
		t.Fatal(err)
	}
	// The height is the smallest that holds the largest key.
	var maxKey uint64
	n := 0
	x.r.Ascend(func(k uint64, _ uint32) bool { maxKey = max(maxKey, k); n++; return true })
	if n != x.r.Len() {
		t.Fatalf("Ascend saw %d keys, Len says %d", n, x.r.Len())
	}
	if n > 0 && x.r.Height() != radixHeightFor(maxKey) && !(maxKey == 0 && x.r.Height() == 0) {
		t.Fatalf("height %d for largest key %d, want %d", x.r.Height(), maxKey, radixHeightFor(maxKey))
	}
}

func keyGen(rng *rand.Rand) uint64 {
	switch rng.IntN(4) {
	case 0:
		return uint64(rng.IntN(64)) // near 0
	case 1:
		return 1<<14 + uint64(rng.IntN(128)) - 64 // around a 64 MiB boundary
	case 2:
		return uint64(rng.IntN(1 << 20))
	default:
		return rng.Uint64N(1 << 40)
	}
}

func TestAgainstMap(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	for name, mk := range map[string]func() mapIndex{
		"rbtree": func() mapIndex { return &rbIndex{} },
		"radix":  func() mapIndex { return &radixIndex{} },
	} {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			idx, ref := mk(), map[uint64]uint32{}
			for i := range n {
				k := keyGen(rng)
				switch op := rng.IntN(10); {
				case op < 5:
					v := uint32(i)
					old, existed := idx.put(k, v)
					want, had := ref[k]
					if existed != had || (had && old != want) {
						t.Fatalf("op %d put(%d): got (%d,%v), map (%d,%v)", i, k, old, existed, want, had)
					}
					ref[k] = v
				case op < 8:
					got, ok := idx.del(k)
					want, had := ref[k]
					if ok != had || (had && got != want) {
						t.Fatalf("op %d del(%d): got (%d,%v), map (%d,%v)", i, k, got, ok, want, had)
					}
					delete(ref, k)
				default:
					got, ok := idx.get(k)
					want, had := ref[k]
					if ok != had || (had && got != want) {
						t.Fatalf("op %d get(%d): got (%d,%v), map (%d,%v)", i, k, got, ok, want, had)
					}
				}
				if idx.len() != len(ref) {
					t.Fatalf("op %d: len %d, map %d", i, idx.len(), len(ref))
				}
				if i%5000 == 0 {
					idx.check(t)
				}
			}
			idx.check(t)
			var prev uint64
			first := true
			idx.ascend(func(k uint64, v uint32) bool {
				if !first && k <= prev {
					t.Fatalf("Ascend out of order: %d after %d", k, prev)
				}
				if ref[k] != v {
					t.Fatalf("Ascend: %d=%d, map %d", k, v, ref[k])
				}
				prev, first = k, false
				return true
			})
		})
	}
}

// TestCheckerCatchesCorruption: the invariant checker is not vacuous.
func TestCheckerCatchesCorruption(t *testing.T) {
	r := &rbIndex{}
	for k := range uint64(100) {
		r.put(k, uint32(k))
	}
	r.t.setRed(r.t.root, true) // a red root
	ft := &testing.T{}
	done := make(chan bool)
	go func() {
		defer func() { done <- ft.Failed() }()
		r.check(ft)
	}()
	if !<-done {
		t.Fatal("the rbtree checker accepted a red root")
	}
}

func TestCloneKeepsShape(t *testing.T) {
	var rb RBTree[uint32]
	var xa Radix[uint32]
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 5000 {
		k := keyGen(rng)
		rb.Insert(k, uint32(i))
		xa.Store(k, uint32(i))
	}
	rc, xc := rb.Clone(), xa.Clone()
	rng = rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		k := keyGen(rng)
		_, _, d1 := rb.Search(k)
		_, _, d2 := rc.Search(k)
		_, _, l1 := xa.Load(k)
		_, _, l2 := xc.Load(k)
		if d1 != d2 || l1 != l2 {
			t.Fatalf("key %d: depth %d vs clone %d, levels %d vs clone %d", k, d1, d2, l1, l2)
		}
	}
	gone := rc.at(rc.root).key
	rc.Erase(gone)
	if rb.Len() == rc.Len() {
		t.Fatal("erasing from the clone changed the original")
	}
	// Len is copied by value; the nodes must be too.
	if _, ok, _ := rb.Search(gone); !ok {
		t.Fatalf("key %d erased from the clone is gone from the original", gone)
	}
	if err := checkRB(&rb); err != nil {
		t.Fatalf("original after erasing from the clone: %v", err)
	}
	var first uint64
	xc.Ascend(func(k uint64, _ uint32) bool { first = k; return false })
	xc.Erase(first)
	if _, ok, _ := xa.Load(first); !ok {
		t.Fatalf("key %d erased from the radix clone is gone from the original", first)
	}
	if err := checkRadix(&xa); err != nil {
		t.Fatalf("original radix after erasing from the clone: %v", err)
	}
}
