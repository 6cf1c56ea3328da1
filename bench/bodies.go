package bench

import (
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

// swapin times one swapin (fault to mapped page) per op; with fail, the
// fault first fails after its read (clear_refs changes the swap PTE's
// soft-dirty bit before pte_same) and the timed op includes the refault.
type swapin struct {
	v       fixes.Variant
	backend model.Backend
	comp    string
	data    string
	profile *cost.Profile
	seed    uint64
	fail    bool
}

func (s swapin) run(b *testing.B) {
	cfg, err := s.v.Config(model.Config{Backend: s.backend})
	if err != nil {
		b.Fatal(err)
	}
	k, acct := newKernel(b, cfg, s.profile, s.comp, s.data, s.seed)
	mm, err := k.NewEmptyMM(batch)
	if err != nil {
		b.Fatal(err)
	}
	r := k.NewReclaim("reclaim", 0, mm, 0)
	a := k.NewAccess("fault", 1, mm, 0, false)
	ch := k.NewPTEChanger("clear_refs", 0, model.ChangeClearSoftDirty, mm, 0, nil, 0)
	prepare := func() {
		acct.Off = true
		compressed := acct.CompressedBytes
		for addr := range uint64(batch) {
			// A fresh write of each page: new content, soft-dirty PTE
			// (so that clear_refs has a bit to clear).
			if err := k.Run(k.NewZapper("zap", 0, mm, addr)); err != nil {
				b.Fatal(err)
			}
			k.Populate(mm, addr)
			r.Reset(mm, addr)
			if err := k.Run(r); err != nil || r.Result != model.ReclaimFreed {
				b.Fatalf("swapout of page %d: %v (result %d)", addr, err, r.Result)
			}
		}
		acct.CompressedBytes = compressed
		acct.Off = false
	}
	// Op counts of the timed swapins only: what accumulated since the
	// last batch was prepared.
	// Warm up untimed: one batch out and back in grows the folio pool
	// and the allocator's slabs to their steady size.
	acct.Off = true
	prepare()
	for addr := range uint64(batch) {
		a.Reset(mm, addr, false)
		if err := k.Run(a); err != nil {
			b.Fatal(err)
		}
	}
	acct.Reset()
	base := k.Counts
	var (
		counted  [model.NumOps]uint64
		dup      int
		i        int
		compress int
	)
	settle := func() {
		for op := range counted {
			counted[op] += k.Counts[op] - base[op]
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		addr := uint64(i % batch)
		if addr == 0 {
			b.StopTimer()
			settle()
			prepare()
			base = k.Counts
			b.StartTimer()
		}
		e, _ := mm.Entry(addr)
		a.Reset(mm, addr, false)
		if s.fail {
			if err := k.RunUntil(a, model.StepMap); err != nil {
				b.Fatal(err)
			}
			ch.Reset(mm, addr)
			k.Step(ch)
			if !ch.Changed {
				b.Fatalf("clear_refs did not change page %d's swap PTE", addr)
			}
		}
		if err := k.Run(a); err != nil {
			b.Fatal(err)
		}
		dup += k.ZswapEntryBytes(e)
		i++
	}
	settle()
	compress = acct.CompressedBytes
	n := float64(i)
	b.ReportMetric(acct.Total()/n, "kernel-ns/op")
	b.ReportMetric(float64(counted[model.OpZswapIndexLookup])/n, "zswap-lookups/op")
	b.ReportMetric(float64(counted[model.OpSwapCacheAdd]+counted[model.OpSwapCacheDelete])/n, "swapcache-ops/op")
	b.ReportMetric(float64(dup)/n, "dup-B/op")
	if s.fail {
		b.ReportMetric(float64(compress)/n, "recompress-B/op")
	}
	lost := k.LostPages()
	b.ReportMetric(float64(lost), "lost-pages")
	if lost > 0 && safe(s.v) {
		b.Fatalf("%s lost %d pages, but the race explorer calls it safe: %v", s.v, lost, k.Violations()[0])
	}
}

// swapout times one reclaim of a freshly written page per op: the zswap
// store (or zram write) with the codec and data class.
type swapout struct {
	comp, data string
	profile    *cost.Profile
	seed       uint64
}

func (s swapout) run(b *testing.B) {
	merged, _ := fixes.Lookup("merged")
	cfg, err := fixes.Variant{Fix: merged, Sync: merged.DefaultSync(), Kernel: model.V6_9}.Config(model.Config{Backend: model.BackendZswapZram})
	if err != nil {
		b.Fatal(err)
	}
	k, acct := newKernel(b, cfg, s.profile, s.comp, s.data, s.seed)
	mm, err := k.NewEmptyMM(batch)
	if err != nil {
		b.Fatal(err)
	}
	r := k.NewReclaim("reclaim", 0, mm, 0)
	z := k.NewZapper("zap", 0, mm, 0)
	prepare := func() {
		acct.Off = true
		for addr := range uint64(batch) {
			*z = *k.NewZapper("zap", 0, mm, addr)
			k.Run(z)
			k.Populate(mm, addr)
		}
		acct.Off = false
	}
	stored, i := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		addr := uint64(i % batch)
		if addr == 0 {
			b.StopTimer()
			prepare()
			b.StartTimer()
		}
		r.Reset(mm, addr)
		if err := k.Run(r); err != nil {
			b.Fatal(err)
		}
		if r.Stored {
			stored++
		}
		i++
	}
	n := float64(i)
	b.ReportMetric(acct.Total()/n, "kernel-ns/op")
	b.ReportMetric(float64(acct.CompressedBytes)/n, "compressed-B/op")
	b.ReportMetric(float64(stored)/n, "zswap-stored/op")
}

// index times a zswap lookup (the lookup always-swapcache adds to the
// bypass path) in an index holding `entries` entries.
type index struct {
	kernel  model.KernelBase
	entries int
	profile *cost.Profile
}

func (x index) run(b *testing.B) {
	merged, _ := fixes.Lookup("merged")
	cfg, err := fixes.Variant{Fix: merged, Sync: merged.DefaultSync(), Kernel: x.kernel}.Config(
		model.Config{Backend: model.BackendZswapZram, SwapPages: x.entries})
	if err != nil {
		b.Fatal(err)
	}
	k, acct := newKernel(b, cfg, x.profile, "lz4", "zero", 1)
	mm, err := k.NewEmptyMM(x.entries)
	if err != nil {
		b.Fatal(err)
	}
	acct.Off = true
	r := k.NewReclaim("reclaim", 0, mm, 0)
	for addr := range uint64(x.entries) {
		k.Populate(mm, addr)
		r.Reset(mm, addr)
		k.Run(r)
	}
	if k.ZswapEntries() != x.entries {
		b.Fatalf("built %d entries, want %d", k.ZswapEntries(), x.entries)
	}
	acct.Off = false
	levels0 := k.Counts[model.OpZswapIndexLookup]
	// A multiplicative walk visits every slot in a scattered order.
	e, i := uint64(0), 0
	for b.Loop() {
		e = (e*2654435761 + 1) % uint64(x.entries)
		if !k.ZswapFind(model.SwpEntry(e)) {
			b.Fatalf("entry %d missing", e)
		}
		i++
	}
	b.ReportMetric(acct.Total()/float64(i), "kernel-ns/op")
	_ = levels0
}
