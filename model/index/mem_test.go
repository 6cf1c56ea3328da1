package index

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// zswapEntry stands in for the pointer type the model stores.
type zswapEntry struct{ handle, length uint64 }

// heapPerEntry returns the live heap bytes per entry that build leaves
// reachable through the value it returns.
func heapPerEntry(n int, build func() any) (perEntry float64, keep any) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	keep = build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n), keep
}

// TestMemoryPerEntry measures the index overhead for 2^24 entries whose
// values are pointers (all to one entry, so only the index is counted). The
// project must hold 2^24 entries within 2 GiB with all its other state.
func TestMemoryPerEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("builds trees of 2^24 entries")
	}
	const n = 1 << 24
	e := &zswapEntry{}
	cases := []struct {
		name  string
		limit float64 // bytes per entry allowed
		build func() any
	}{
		{"rbtree", 50, func() any {
			var tr RBTree[*zswapEntry]
			for k := range uint64(n) {
				tr.Insert(k, e)
			}
			return &tr
		}},
		// Dense offsets, as a swap device filled by the cluster allocator.
		{"radix/dense", 9, func() any {
			var r Radix[*zswapEntry]
			for k := range uint64(n) {
				r.Store(k, e)
			}
			return &r
		}},
		// Half the slots of a 2^25-slot device, chosen at random.
		{"radix/half", 18, func() any {
			var r Radix[*zswapEntry]
			rng := rand.New(rand.NewPCG(1, 1))
			for k := uint64(0); r.Len() < n; k++ {
				if rng.Uint64()&1 == 0 {
					r.Store(k, e)
				}
			}
			return &r
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			per, keep := heapPerEntry(n, c.build)
			t.Logf("%s: %.1f heap bytes per entry for 2^24 entries (%.0f MiB)", c.name, per, per*n/(1<<20))
			if per > c.limit {
				t.Errorf("%.1f bytes per entry, want at most %.1f", per, c.limit)
			}
			runtime.KeepAlive(keep)
		})
	}
}
