package bench

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/model"
)

// IndexOp is the zswap index operation a ZswapIndex benchmark times.
type IndexOp string

// The index operations.
const (
	IndexLookup IndexOp = "lookup" // zswap_rb_search / xa_load of a present entry
	IndexInsert IndexOp = "insert" // zswap_rb_insert / xa_store of an absent one
	IndexErase  IndexOp = "erase"  // zswap_rb_erase / xa_erase of a present one
)

// ZswapIndex times one operation on the zswap index of a kernel base
// holding Entries entries, at random offsets: the cost shape of v6.8's
// single rbtree, v6.9's rbtree per 64 MiB of swap and v6.10's xarray per
// 64 MiB.
//
// It drives the model's own zswap index (model.ZswapIndex, one tree per
// device or per SwapAddressSpacePages slots, keyed by swap offset),
// filled in slot order as reclaim fills it (TestIndexLayout checks the
// node counts against the model's zswap filled by swapping out), rather
// than swapping Entries pages out through the model: that would take
// about a minute and more than 2 GiB at 2^24 entries. The index is built once and shared by the three
// operations' benchmarks that follow each other; insert and erase keep
// its size by undoing, untimed, batches of 256 ops.
//
// kernel-ns/op charges the tree lock (none for v6.10's RCU xa_load) and
// the nodes visited; nodes/op is the mean number of nodes visited.
type ZswapIndex struct {
	Kernel  model.KernelBase
	Entries int
	Op      IndexOp
	Profile *cost.Profile
}

// Name is the benchmark's key=value name.
func (x ZswapIndex) Name() string {
	return fmt.Sprintf("BenchmarkZswapIndex/kernel=%s/entries=%d/op=%s", x.Kernel, x.Entries, x.Op)
}

// zindex is the model's zswap index of one kernel base (model.ZswapIndex,
// so that its layout is the model's), filled with Entries offsets.
type zindex struct {
	kernel  model.KernelBase
	entries int
	x       *model.ZswapIndex
}

func (z *zindex) tree(e uint64) int { return z.x.Tree(model.SwpEntry(e)) }

func (z *zindex) lookup(e uint64) (bool, int) {
	_, ok, n := z.x.Lookup(model.SwpEntry(e))
	return ok, n
}

func (z *zindex) insert(e uint64) (bool, int) {
	_, existed, n := z.x.Insert(model.SwpEntry(e), uint32(e)+1)
	return !existed, n
}

func (z *zindex) erase(e uint64) (bool, int) {
	_, ok, n := z.x.Erase(model.SwpEntry(e))
	return ok, n
}

// newZindex fills an index with offsets 0..entries-1 in order.
func newZindex(kernel model.KernelBase, entries int) *zindex {
	z := &zindex{kernel: kernel, entries: entries, x: model.NewZswapIndex(kernel, entries)}
	for e := range uint64(entries) {
		z.insert(e)
	}
	return z
}

// built is the last index built: the benchmarks of one (kernel, entries)
// run one after the other and share it; only one is kept, to bound memory.
var built *zindex

func sharedIndex(kernel model.KernelBase, entries int) *zindex {
	if built != nil && built.kernel == kernel && built.entries == entries {
		return built
	}
	built = nil
	runtime.GC()
	built = newZindex(kernel, entries)
	return built
}

// lcg walks 0..n-1 (n a power of two) in a scattered order with full
// period (Knuth's MMIX multiplier; a = 1 mod 4, c odd).
type lcg struct{ x, mask uint64 }

func (g *lcg) next() uint64 {
	g.x = (g.x*6364136223846793005 + 1442695040888963407) & g.mask
	return g.x
}

// Run is the benchmark body.
func (x ZswapIndex) Run(b *testing.B) {
	if x.Entries < 256 || x.Entries&(x.Entries-1) != 0 {
		b.Fatalf("%s: entries %d: want a power of two of at least 256", x.Name(), x.Entries)
	}
	acct, err := cost.NewAccounter(x.Profile, "lz4", "", 1)
	if err != nil {
		b.Fatal(err)
	}
	z := sharedIndex(x.Kernel, x.Entries)
	g := lcg{x: 12345, mask: uint64(x.Entries - 1)}
	var keys [256]uint64
	nk, erased := 0, 0 // keys of the current chunk; how many are out of the index
	refill := func() {
		// Put back what the last chunk erased, then pick the next one.
		for _, e := range keys[:erased] {
			z.insert(e)
		}
		erased = 0
		for i := range keys {
			keys[i] = g.next()
		}
		nk = 0
		if x.Op == IndexInsert {
			for _, e := range keys {
				z.erase(e)
			}
			erased = len(keys)
		}
	}
	lock := func(e uint64) {
		if x.Kernel < model.V6_10 || x.Op != IndexLookup {
			acct.Account(0, model.OpZswapTreeLock, z.tree(e))
		}
	}
	refill()
	acct.Reset()
	nodes, ops := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		if nk == len(keys) {
			b.StopTimer()
			refill()
			b.StartTimer()
		}
		e := keys[nk]
		nk++
		var ok bool
		var n int
		switch x.Op {
		case IndexLookup:
			ok, n = z.lookup(e)
			lock(e)
			acct.Account(0, model.OpZswapIndexLookup, n)
		case IndexInsert:
			ok, n = z.insert(e)
			erased--
			lock(e)
			acct.Account(0, model.OpZswapIndexInsert, n)
		case IndexErase:
			ok, n = z.erase(e)
			erased++
			lock(e)
			acct.Account(0, model.OpZswapIndexErase, n)
		}
		if !ok {
			b.Fatalf("%s: offset %d: %s failed", x.Name(), e, x.Op)
		}
		nodes += n
		ops++
	}
	b.StopTimer()
	// Leave the index whole for the next benchmark.
	if x.Op == IndexInsert {
		for _, e := range keys[nk:] {
			z.insert(e)
		}
	} else if x.Op == IndexErase {
		for _, e := range keys[:nk] {
			z.insert(e)
		}
	}
	n := float64(max(ops, 1))
	b.ReportMetric(acct.Total()/n, "kernel-ns/op")
	b.ReportMetric(float64(nodes)/n, "nodes/op")
}
