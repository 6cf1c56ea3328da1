package index

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var benchSizes = []int{1 << 10, 1 << 16, 1 << 20}

// benchKeys returns n distinct keys: random offsets in a swap device twice
// as large, so trees are about half full as a busy zswap pool is.
func benchKeys(n int) []uint64 {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	keys := make([]uint64, 0, n)
	for k := uint64(0); len(keys) < n; k++ {
		if rng.Uint64()&1 == 0 {
			keys = append(keys, k)
		}
	}
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return keys
}

// Built trees are cached: the benchmark function runs more than once per
// size and building 2^20 entries dominates otherwise.
var (
	benchRB    = map[int]*RBTree[*zswapEntry]{}
	benchRadix = map[int]*Radix[*zswapEntry]{}
	benchKeyOf = map[int][]uint64{}
)

// lookupOrder returns keys in a fresh random order: searching in insertion
// order would favour the early keys, which sit near the root.
func lookupOrder(keys []uint64) []uint64 {
	out := append([]uint64(nil), keys...)
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func benchSetup(n int) ([]uint64, *RBTree[*zswapEntry], *Radix[*zswapEntry]) {
	if _, ok := benchKeyOf[n]; !ok {
		keys := benchKeys(n)
		tr, r, e := new(RBTree[*zswapEntry]), new(Radix[*zswapEntry]), &zswapEntry{}
		for _, k := range keys {
			tr.Insert(k, e)
			r.Store(k, e)
		}
		benchKeyOf[n], benchRB[n], benchRadix[n] = keys, tr, r
	}
	return benchKeyOf[n], benchRB[n], benchRadix[n]
}

func BenchmarkRBTree(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("op=search/entries=%d", n), func(b *testing.B) {
			keys, tr, _ := benchSetup(n)
			keys = lookupOrder(keys)
			nodes, i := 0, 0
			for b.Loop() {
				_, _, d := tr.Search(keys[i%len(keys)])
				nodes += d
				i++
			}
			b.ReportMetric(float64(nodes)/float64(i), "nodes/op")
		})
		b.Run(fmt.Sprintf("op=erase-insert/entries=%d", n), func(b *testing.B) {
			keys, tr, _ := benchSetup(n)
			keys = lookupOrder(keys)
			e, i := &zswapEntry{}, 0
			for b.Loop() {
				k := keys[i%len(keys)]
				tr.Erase(k)
				tr.Insert(k, e)
				i++
			}
		})
	}
}

func BenchmarkRadix(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("op=load/entries=%d", n), func(b *testing.B) {
			keys, _, r := benchSetup(n)
			keys = lookupOrder(keys)
			nodes, i := 0, 0
			for b.Loop() {
				_, _, l := r.Load(keys[i%len(keys)])
				nodes += l
				i++
			}
			b.ReportMetric(float64(nodes)/float64(i), "nodes/op")
		})
		b.Run(fmt.Sprintf("op=erase-store/entries=%d", n), func(b *testing.B) {
			keys, _, r := benchSetup(n)
			keys = lookupOrder(keys)
			e, i := &zswapEntry{}, 0
			for b.Loop() {
				k := keys[i%len(keys)]
				r.Erase(k)
				r.Store(k, e)
				i++
			}
		})
	}
}
