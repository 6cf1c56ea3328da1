package model_test

import (
	"strings"
	"testing"

	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/workloads"
)

func newKernel(t testing.TB, cfg model.Config) *model.Kernel {
	t.Helper()
	if cfg.SwapPages == 0 {
		cfg.SwapPages = 1 << 12
	}
	k, err := model.NewKernel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func content(t testing.TB, name string) model.Content {
	t.Helper()
	c, err := workloads.NewContent(name, 1)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// swapOut reclaims the page at addr and requires it to be freed.
func swapOut(t testing.TB, k *model.Kernel, mm *model.MM, addr uint64) *model.Reclaim {
	t.Helper()
	r := k.NewReclaim("reclaim", 0, mm, addr)
	if err := k.Run(r); err != nil {
		t.Fatal(err)
	}
	if r.Result != model.ReclaimFreed {
		t.Fatalf("reclaim of page %d: result %d, want freed", addr, r.Result)
	}
	return r
}

func run(t testing.TB, k *model.Kernel, actors ...model.Actor) {
	t.Helper()
	if err := k.Run(actors...); err != nil {
		t.Fatal(err)
	}
}

func runUntil(t testing.TB, k *model.Kernel, a model.Actor, s model.Step) {
	t.Helper()
	if err := k.RunUntil(a, s); err != nil {
		t.Fatal(err)
	}
}

func noViolations(t testing.TB, k *model.Kernel) {
	t.Helper()
	for _, v := range k.Violations() {
		t.Errorf("violation: %v", v)
	}
}

type config struct {
	kernel  model.KernelBase
	backend model.Backend
}

func allConfigs() []config {
	var cs []config
	for _, kb := range model.KernelBases() {
		for _, b := range model.Backends() {
			cs = append(cs, config{kb, b})
		}
	}
	return cs
}

// bypassBases are the bases with a bypass path (all before v7.0).
func bypassBases() []model.KernelBase {
	var bs []model.KernelBase
	for _, kb := range model.KernelBases() {
		if kb.HasBypass() {
			bs = append(bs, kb)
		}
	}
	return bs
}

// wantPath is how an unshared page comes in on kb: the bypass, or on
// v7.0 (no bypass) the swap cache.
func wantPath(kb model.KernelBase) model.Path {
	if kb.HasBypass() {
		return model.PathBypass
	}
	return model.PathSwapCache
}

func (c config) String() string {
	return "kernel=" + c.kernel.String() + "/backend=" + c.backend.String()
}

// TestRoundTrip swaps 100,000 pages of mixed content out and back in on
// every backend and kernel base and requires every byte back.
func TestRoundTrip(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	for _, c := range allConfigs() {
		t.Run(c.String(), func(t *testing.T) {
			k := newKernel(t, model.Config{Kernel: c.kernel, Backend: c.backend, SwapPages: n + 1024,
				Content: content(t, "anon-mix")})
			roundTrip(t, k, n)
		})
	}
}

// TestRegenerateContent: keeping content keys instead of compressed bytes
// changes nothing the model counts or accounts, and every page still comes
// back with the right bytes (the full oracle hashes the regenerated page).
func TestRegenerateContent(t *testing.T) {
	n := 20_000
	for _, c := range allConfigs() {
		t.Run(c.String(), func(t *testing.T) {
			var pool [2]int64
			var counts [2][model.NumOps]uint64
			for i, regen := range []bool{false, true} {
				k := newKernel(t, model.Config{Kernel: c.kernel, Backend: c.backend, SwapPages: n + 1024,
					Content: content(t, "anon-mix"), RegenerateContent: regen})
				pool[i] = roundTrip(t, k, n)
				counts[i] = k.Counts
			}
			if pool[0] != pool[1] {
				t.Errorf("pool bytes after swapout: %d stored, %d regenerated", pool[0], pool[1])
			}
			for op := range counts[0] {
				if counts[0][op] != counts[1][op] {
					t.Errorf("%v: counted %d with bytes stored, %d regenerated", model.Op(op), counts[0][op], counts[1][op])
				}
			}
		})
	}
}

// roundTrip swaps pages 0..n-1 out and back in, zapping each after its
// swapin, and requires every byte back and nothing held afterwards. It
// returns the zswap and zram pool bytes once everything was swapped out.
func roundTrip(t *testing.T, k *model.Kernel, n int) (poolBytes int64) {
	t.Helper()
	cfg := k.Config()
	mm, err := k.NewEmptyMM(n)
	if err != nil {
		t.Fatal(err)
	}
	r := k.NewReclaim("reclaim", 0, mm, 0)
	stored := 0
	for addr := range uint64(n) {
		k.Populate(mm, addr)
		r.Reset(mm, addr)
		run(t, k, r)
		if r.Result != model.ReclaimFreed {
			t.Fatalf("page %d: reclaim result %d", addr, r.Result)
		}
		if r.Stored {
			stored++
		}
	}
	if cfg.Backend == model.BackendZswapZram && stored < n/2 {
		t.Errorf("zswap stored %d of %d pages; want most", stored, n)
	}
	if cfg.Backend == model.BackendZram && stored != 0 {
		t.Errorf("zswap disabled but stored %d pages", stored)
	}
	poolBytes = k.ZswapPoolBytes() + k.ZramStoredBytes()
	a := k.NewAccess("fault", 1, mm, 0, false)
	z := k.NewZapper("zap", 0, mm, 0)
	hits := 0
	for addr := range uint64(n) {
		a.Reset(mm, addr, false)
		run(t, k, a)
		if want := wantPath(k.Config().Kernel); a.LastPath != want {
			t.Fatalf("page %d came in via %v, want %v", addr, a.LastPath, want)
		}
		if a.ZswapHit {
			hits++
		}
		*z = *k.NewZapper("zap", 0, mm, addr)
		run(t, k, z)
	}
	if hits != stored {
		t.Errorf("zswap served %d swapins, stored %d pages", hits, stored)
	}
	if lost := k.LostPages(); lost != 0 {
		t.Fatalf("%d pages lost; first: %v", lost, k.Violations()[0])
	}
	k.DrainSlotCaches()
	k.CheckQuiescent()
	noViolations(t, k)
	if k.SlotsInUse() != 0 || k.ZswapEntries() != 0 || k.ZswapPoolBytes() != 0 {
		t.Errorf("after zapping everything: %d slots, %d zswap entries, %d pool bytes in use",
			k.SlotsInUse(), k.ZswapEntries(), k.ZswapPoolBytes())
	}
	return poolBytes
}

// failure injects one way a fault fails after its read.
type failure struct {
	name   string
	inject func(t *testing.T, k *model.Kernel, mm *model.MM, fault *model.Access)
}

var failures = []failure{
	{"retry", func(t *testing.T, k *model.Kernel, mm *model.MM, fault *model.Access) {
		// Reclaim isolation locks the folio between swap_read_folio's
		// unlock and folio_lock_or_retry, once an lru_add_drain_all
		// work item has put it on the LRU.
		runUntil(t, k, fault, model.StepFolioLockOrRetry)
		run(t, k, k.NewLRUDrainer("lru_drain", fault.CPU()))
		h := k.NewLockHolder("isolate", 0)
		k.Step(h)
		if !h.Held() {
			t.Fatal("lock holder found no folio")
		}
		k.Step(fault) // folio_lock_or_retry: locked, wait
		if fault.Next() != model.StepFolioWaitLocked {
			t.Fatalf("fault at %v, want folio_wait_locked", fault.Next())
		}
		run(t, k, h)
	}},
	{"soft-dirty", func(t *testing.T, k *model.Kernel, mm *model.MM, fault *model.Access) {
		runUntil(t, k, fault, model.StepMap)
		c := k.NewPTEChanger("clear_refs", 0, model.ChangeClearSoftDirty, mm, 0, nil, 0)
		run(t, k, c)
		if !c.Changed {
			t.Fatal("soft-dirty clear did not change the swap PTE")
		}
	}},
}

func exclusiveAlways(*model.Kernel, *model.Folio) bool { return true }

// TestExclusiveBypassLosesData is the March 2024 bug: with exclusive zswap
// loads, a bypass fault that fails after the read throws the only copy
// away, and the refault reads zram's never-written slot: a zero page.
func TestExclusiveBypassLosesData(t *testing.T) {
	for _, kb := range bypassBases() {
		for _, fl := range failures {
			t.Run(kb.String()+"/"+fl.name, func(t *testing.T) {
				k := newKernel(t, model.Config{Kernel: kb, Backend: model.BackendZswapZram,
					Hooks: model.Hooks{Sync: model.SyncTick, ExclusiveLoad: exclusiveAlways}})
				mm, _ := k.NewMM(1)
				swapOut(t, k, mm, 0)
				fault := k.NewAccess("fault", 1, mm, 0, false)
				fl.inject(t, k, mm, fault)
				run(t, k, fault)
				if fault.Faults != 2 {
					t.Errorf("%d faults, want the failed one and the refault", fault.Faults)
				}
				vs := k.Violations()
				if len(vs) != 1 || vs[0].Kind != model.LostData || vs[0].Path != model.PathBypass ||
					!strings.Contains(vs[0].Detail, "zero page") {
					t.Fatalf("violations %v; want one zero page lost on the bypass path", vs)
				}
			})
		}
	}
}

// TestDefaultLoadsSurviveFailure: the same failures with each base's own
// zswap_load (v6.8 non-exclusive by default, v6.9+ the merged fix) lose
// nothing.
func TestDefaultLoadsSurviveFailure(t *testing.T) {
	for _, kb := range bypassBases() {
		for _, fl := range failures {
			t.Run(kb.String()+"/"+fl.name, func(t *testing.T) {
				k := newKernel(t, model.Config{Kernel: kb, Backend: model.BackendZswapZram,
					Hooks: model.Hooks{Sync: model.SyncTick}})
				mm, _ := k.NewMM(1)
				swapOut(t, k, mm, 0)
				fault := k.NewAccess("fault", 1, mm, 0, false)
				fl.inject(t, k, mm, fault)
				run(t, k, fault)
				noViolations(t, k)
				if !fault.ZswapHit {
					t.Error("the refault did not find the page in zswap")
				}
			})
		}
	}
}

// TestSwapCachePathSurvivesFailure: with exclusive loads, a fault that
// reads through the swap cache (count 2 after fork) and then fails loses
// nothing: the dirty folio stays in the swap cache for the refault.
func TestSwapCachePathSurvivesFailure(t *testing.T) {
	for _, kb := range bypassBases() {
		for _, fl := range failures {
			t.Run(kb.String()+"/"+fl.name, func(t *testing.T) {
				k := newKernel(t, model.Config{Kernel: kb, Backend: model.BackendZswapZram,
					Hooks: model.Hooks{Sync: model.SyncTick, ExclusiveLoad: exclusiveAlways}})
				mm, _ := k.NewMM(1)
				child, _ := k.NewEmptyMM(1)
				swapOut(t, k, mm, 0)
				run(t, k, k.NewPTEChanger("fork", 0, model.ChangeFork, mm, 0, child, 0))
				if n, _ := k.SwapMap(mm.PTE(0).Entry()); n != 2 {
					t.Fatalf("swap count %d after fork, want 2", n)
				}
				fault := k.NewAccess("fault", 1, mm, 0, false)
				fl.inject(t, k, mm, fault)
				run(t, k, fault)
				if fault.LastPath != model.PathSwapCache {
					t.Errorf("page came in via %v, want swapcache", fault.LastPath)
				}
				run(t, k, k.NewAccess("child", 0, child, 0, false))
				noViolations(t, k)
			})
		}
	}
}

// TestSlotReuse: a freed slot is the next one allocated, once its per-CPU
// free batch is returned.
func TestSlotReuse(t *testing.T) {
	k := newKernel(t, model.Config{Kernel: model.V6_9, Backend: model.BackendZswapZram})
	mm, _ := k.NewMM(3)
	swapOut(t, k, mm, 0)
	swapOut(t, k, mm, 1)
	e0 := mm.PTE(0).Entry()
	run(t, k, k.NewAccess("fault", 0, mm, 0, false), k.NewZapper("zap", 0, mm, 0))
	swapOut(t, k, mm, 2)
	if e2 := mm.PTE(2).Entry(); e2 == e0 {
		t.Fatalf("slot %d reused while still in the free batch", e0)
	}
	run(t, k, k.NewAccess("fault", 0, mm, 2, false))
	k.DrainSlotCaches()
	swapOut(t, k, mm, 2)
	if e2 := mm.PTE(2).Entry(); e2 != e0 {
		t.Fatalf("page 2 got slot %d, want the freed slot %d", e2, e0)
	}
	run(t, k, k.NewAccess("fault", 0, mm, 2, false), k.NewAccess("fault", 0, mm, 1, false))
	k.CheckQuiescent()
	noViolations(t, k)
}

// TestInvalidationTiming: a bypass swapin frees its slot as soon as it
// maps the page. v6.8 invalidates the zswap entry when the CPU's batch of
// 64 freed slots is returned; v6.9 at free_swap_slot. free_swap_slot
// returns a full batch before it adds the new entry, so the 64th free
// returns nothing and the 65th returns the first 64, not itself.
func TestInvalidationTiming(t *testing.T) {
	const n = model.SwapSlotsCacheSize
	for _, kb := range []model.KernelBase{model.V6_8, model.V6_9} {
		t.Run(kb.String(), func(t *testing.T) {
			k := newKernel(t, model.Config{Kernel: kb, Backend: model.BackendZswapZram, CPUs: 1})
			mm, _ := k.NewMM(n + 1)
			for addr := range uint64(n + 1) {
				swapOut(t, k, mm, addr)
			}
			if got := k.ZswapEntries(); got != n+1 {
				t.Fatalf("%d zswap entries after swapout, want %d", got, n+1)
			}
			for addr := range uint64(n) {
				run(t, k, k.NewAccess("fault", 0, mm, addr, false))
			}
			want := 1
			if kb == model.V6_8 {
				want = n + 1 // all 64 freed slots are still batched
			}
			if got := k.ZswapEntries(); got != want {
				t.Errorf("after %d swapins: %d zswap entries, want %d", n, got, want)
			}
			if got := k.SlotsInUse(); got != n+1 {
				t.Errorf("after %d swapins: %d slots in use, want %d (batched)", n, got, n+1)
			}
			run(t, k, k.NewAccess("fault", 0, mm, n, false))
			want = 0
			if kb == model.V6_8 {
				want = 1 // the 65th free waits in the next batch
			}
			if got := k.ZswapEntries(); got != want {
				t.Errorf("after %d swapins: %d zswap entries, want %d", n+1, got, want)
			}
			if got := k.SlotsInUse(); got != 1 {
				t.Errorf("after %d swapins: %d slots in use, want 1 (the newest, batched)", n+1, got)
			}
			k.CheckQuiescent()
			noViolations(t, k)
		})
	}
}

func TestBypassZeroPageAllocFree(t *testing.T) {
	for _, c := range allConfigs() {
		t.Run(c.String(), func(t *testing.T) {
			k := newKernel(t, model.Config{Kernel: c.kernel, Backend: c.backend, Content: content(t, "zero")})
			mm, _ := k.NewMM(1)
			r := k.NewReclaim("reclaim", 0, mm, 0)
			a := k.NewAccess("fault", 1, mm, 0, false)
			d := k.NewLRUDrainer("lru_drain", 1) // the fault's folio is in CPU 1's batch
			cycle := func() {
				d.Reset()
				k.Run(d)
				r.Reset(mm, 0)
				k.Run(r)
				a.Reset(mm, 0, false)
				k.Run(a)
			}
			for range 200 {
				cycle()
			}
			if allocs := testing.AllocsPerRun(1000, cycle); allocs != 0 {
				t.Errorf("%v allocs per swapout+swapin of a zero page, want 0", allocs)
			}
			if want := wantPath(c.kernel); a.LastPath != want {
				t.Errorf("path %v, want %v", a.LastPath, want)
			}
			noViolations(t, k)
		})
	}
}

// BenchmarkBypassSwapinZeroPage is one bypass swapin of a zero page; the
// swapout that prepares it is not timed.
func BenchmarkBypassSwapinZeroPage(b *testing.B) {
	k := newKernel(b, model.Config{Kernel: model.V6_9, Backend: model.BackendZswapZram, Content: content(b, "zero")})
	mm, _ := k.NewMM(1)
	r := k.NewReclaim("reclaim", 0, mm, 0)
	a := k.NewAccess("fault", 1, mm, 0, false)
	d := k.NewLRUDrainer("lru_drain", 1)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		d.Reset()
		k.Run(d)
		r.Reset(mm, 0)
		k.Run(r)
		a.Reset(mm, 0, false)
		b.StartTimer()
		k.Run(a)
	}
	if k.LostPages() != 0 {
		b.Fatal("lost pages")
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  model.Config
		want string
	}{
		{"zero-size device", model.Config{SwapPages: 0}, "swap device size 0 pages"},
		{"huge device", model.Config{SwapPages: model.MaxPages + 1}, "want 1 to"},
		{"unknown codec", model.Config{SwapPages: 8, ZswapCodec: "lzma"}, `"lzma"`},
		{"unknown zram codec", model.Config{SwapPages: 8, ZramCodec: "brotli"}, `"brotli"`},
		{"unknown kernel", model.Config{SwapPages: 8, Kernel: 42}, "kernel base"},
		{"unknown backend", model.Config{SwapPages: 8, Backend: 9}, "backend"},
		{"unknown sync", model.Config{SwapPages: 8, Hooks: model.Hooks{Sync: 9}}, "sync mode"},
		{"negative pool", model.Config{SwapPages: 8, ZswapPoolLimit: -1}, "pool limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := model.NewKernel(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line containing %q", err, tc.want)
			}
		})
	}
	if _, err := model.ParseKernelBase("v5.15"); err == nil || !strings.Contains(err.Error(), "v6.8, v6.9, v6.10") {
		t.Errorf("ParseKernelBase: %v", err)
	}
	for _, f := range []func(string) error{
		func(s string) error { _, err := model.ParseBackend(s); return err },
		func(s string) error { _, err := model.ParseSyncMode(s); return err },
		func(s string) error { _, err := model.ParsePTEChange(s); return err },
		func(s string) error { _, err := model.ParseFailPoint(s); return err },
	} {
		if err := f("nope"); err == nil || !strings.Contains(err.Error(), `"nope": unknown; want one of`) {
			t.Errorf("parse error %v", err)
		}
	}
	k := newKernel(t, model.Config{})
	if _, err := k.NewMM(0); err == nil {
		t.Error("NewMM(0) succeeded")
	}
	mm, _ := k.NewMM(1)
	if err := k.StorePage(mm, 0, make([]byte, 100)); err == nil || !strings.Contains(err.Error(), "100 bytes") {
		t.Errorf("StorePage of 100 bytes: %v", err)
	}
	if err := k.StorePage(mm, 5, make([]byte, model.PageSize)); err == nil {
		t.Error("StorePage beyond the address space succeeded")
	}
}

// TestBadActors: actors made from bad input carry an error that Run
// returns; nothing panics.
func TestBadActors(t *testing.T) {
	k := newKernel(t, model.Config{})
	mm, _ := k.NewMM(2)
	for _, tc := range []struct {
		a    model.Actor
		want string
	}{
		{k.NewAccess("fault", 0, mm, 7, false), "access page 7: address space has 2 pages"},
		{k.NewAccess("fault", 9, mm, 0, false), "cpu 9: want 0 to 1"},
		{k.NewAccess("fault", 0, nil, 0, false), "no address space"},
		{k.NewReclaim("reclaim", 0, mm, 2), "reclaim page 2"},
		{k.NewReclaimEntry("reclaim", 0, 1<<20), "entry 1048576: device has 4096 slots"},
		{k.NewZapper("zap", 0, mm, 3), "zap page 3"},
		{k.NewPTEChanger("fork", 0, model.ChangeFork, mm, 0, nil, 0), "fork needs a target"},
		{k.NewPTEChanger("x", 0, model.PTEChange(9), mm, 0, nil, 0), "PTE change 9: unknown"},
	} {
		err := k.Run(tc.a)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Run returned %v, want %q", tc.a.Name(), err, tc.want)
		}
		if err := k.RunUntil(tc.a, model.StepMap); err == nil {
			t.Errorf("%s: RunUntil accepted a bad actor", tc.a.Name())
		}
	}
}
