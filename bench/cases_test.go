package bench

import (
	"regexp"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

func x86(t testing.TB) *cost.Profile {
	t.Helper()
	p, err := cost.Lookup("x86-2024")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func variant(t testing.TB, fix, sync, kernel string) fixes.Variant {
	t.Helper()
	vs, err := fixes.Matrix([]string{fix}, []string{sync}, []string{kernel})
	if err != nil || len(vs) != 1 {
		t.Fatalf("%s/%s/%s: %v", fix, sync, kernel, err)
	}
	return vs[0]
}

// TestNames: every name is Benchmark/key=value/..., unique, with every
// fix; bad axes are one-line errors naming what was expected.
func TestNames(t *testing.T) {
	kv := regexp.MustCompile(`^Benchmark[A-Za-z]+(/[a-z]+=[a-z0-9.+:_-]+)+$`)
	for _, short := range []bool{false, true} {
		cs, err := Cases(Matrix{Short: short})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		count := map[string]int{}
		for _, c := range append(cs, ExploreCases()...) {
			if !kv.MatchString(c.Name) {
				t.Errorf("%q is not Benchmark/key=value/...", c.Name)
			}
			if seen[c.Name] {
				t.Errorf("%q twice", c.Name)
			}
			seen[c.Name] = true
			count[strings.SplitN(c.Name, "/", 2)[0]]++
		}
		all := strings.Join(mapKeys(seen), "\n")
		for _, f := range fixes.Names() {
			for _, b := range []string{"BenchmarkSwapin/fix=", "BenchmarkFailedSwapin/fix=", "BenchmarkParallelSwapin/fix="} {
				if !strings.Contains(all, b+f+"/") {
					t.Errorf("short=%v: no %s%s", short, b, f)
				}
			}
		}
		t.Logf("short=%v: %d benchmarks: %v", short, len(cs), count)
	}
	for _, tc := range []struct {
		m    Matrix
		want string
	}{
		{Matrix{Fixes: []string{"nope"}}, `fix "nope": unknown`},
		{Matrix{Data: []string{"nope"}}, `content class "nope"`},
		{Matrix{Comps: []string{"brotli"}}, `codec "brotli": unknown; want one of deflate, lz4, lzo, lzo-rle, zstd`},
		{Matrix{Kernels: []string{"v5.0"}}, `kernel`},
		{Matrix{Backends: []string{"ssd"}}, `backend "ssd"`},
		{Matrix{CPUs: []int{1}}, "cpus 1: want 2 to 8"},
		{Matrix{Syncs: []string{"sometimes"}}, `sometimes`},
	} {
		_, err := Cases(tc.m)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Cases(%+v): %v, want one line with %q", tc.m, err, tc.want)
		}
	}
	cs, err := Cases(Matrix{Fixes: []string{"exclusive"}, Kernels: []string{"v6.9"}, Data: []string{"zero"}})
	if err != nil || len(cs) == 0 {
		t.Fatalf("a narrow matrix: %v", err)
	}
	if dataName("corpus:/tmp/x/pages.bin") != "corpus:pages.bin" {
		t.Errorf("corpus name %q", dataName("corpus:/tmp/x/pages.bin"))
	}
}

func mapKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestStoresOnFailure checks the property the store-fail event rests on
// (bench.Cases and ModelPathCosts read it, not the fix's name): a fix
// without it stores nothing back, so a failing store has nothing to fail
// (the benchmark says so); a fix with it compresses on the failed fault.
func TestStoresOnFailure(t *testing.T) {
	p := x86(t)
	for _, f := range fixes.All() {
		v := fixes.Variant{Fix: f, Sync: f.DefaultSync(), Kernel: model.V6_9}
		s := Swapin{Variant: v, Backend: model.BackendZswapZram, Comp: "lz4", Data: "text", Event: EventStoreFail, Profile: p, Seed: 1}
		_, err := runBatches(s, 1, true)
		stored := err == nil || !strings.Contains(err.Error(), "stored nothing back")
		if stored != f.StoresOnFailure {
			t.Errorf("%s: StoresOnFailure %v, but arming a zswap_store failure: %v", v, f.StoresOnFailure, err)
		}
	}
	// The store back and its device fallback are priced: a failed store
	// costs writeback-or-device a device write, which the pte-change
	// path (whose store succeeds) lacks.
	m, err := ModelPathCosts(variant(t, "writeback-or-device", "tick", "v6.9"), p, "lz4", "text", 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.StoreFail <= m.PTEChange || m.LossStoreFail != 0 {
		t.Errorf("writeback-or-device: store-fail %v ns (loss %v), pte-change %v ns; want the fallback's write on top, no loss", m.StoreFail, m.LossStoreFail, m.PTEChange)
	}
}

// TestSafety: the benchmark and the race explorer agree. A variant the
// explorer calls safe in an event's scenario loses no page under that
// event; one it finds losing data there (exclusive, the unpinned modes,
// writeback-on-failure when the store back fails) loses the page of every
// failed fault, so the lost-pages metric is live; nothing is lost without
// a failure.
func TestSafety(t *testing.T) {
	p := x86(t)
	for _, v := range mustVariants(t) {
		for _, ev := range []Event{EventNone, EventRetry, EventPTEChange, EventStoreFail} {
			if ev == EventStoreFail && !v.Fix.StoresOnFailure {
				continue
			}
			s := Swapin{Variant: v, Backend: model.BackendZswapZram, Comp: "lz4", Data: "text", Event: ev, Profile: p, Seed: 1}
			r, err := runBatches(s, 1, true)
			if err != nil {
				t.Fatalf("%s: %v", s.Name(), err)
			}
			wantLoss, err := lossExpected(v, ev.scenario())
			if err != nil {
				t.Fatal(err)
			}
			if wantLoss && r.lost != r.ops || !wantLoss && r.lost != 0 {
				t.Errorf("%s: %d of %d pages lost, want %v", s.Name(), r.lost, r.ops, map[bool]string{true: "all", false: "none"}[wantLoss])
			}
		}
	}
	// A safe variant that loses a page fails the benchmark.
	s := Swapin{Variant: variant(t, "exclusive", "tick", "v6.9"), Backend: model.BackendZswapZram, Comp: "lz4", Data: "text", Event: EventRetry, Profile: p, Seed: 1}
	r, err := newSwapinRun(s)
	if err != nil {
		t.Fatal(err)
	}
	r.s.Variant = variant(t, "merged", "tick", "v6.9") // the label, not the hooks
	if err := r.prepare(); err != nil {
		t.Fatal(err)
	}
	if err := r.op(); err != nil {
		t.Fatal(err)
	}
	if err := r.settle(); err == nil || !strings.Contains(err.Error(), "the race explorer calls safe") || !strings.Contains(err.Error(), "lost") {
		t.Errorf("a loss in a safe variant: %v", err)
	}
}

// ready warms r up and swaps a batch out.
func ready(t *testing.T, r interface {
	warm() error
	prepare() error
}) {
	t.Helper()
	if err := r.warm(); err != nil {
		t.Fatal(err)
	}
	if err := r.prepare(); err != nil {
		t.Fatal(err)
	}
}

// fullLatencies is a sample already at its cap, so that recording takes
// the replacement path.
func fullLatencies() *Latencies {
	l := NewLatencies()
	for range latencyCap {
		l.add(0)
	}
	return l
}

func mustVariants(t testing.TB) []fixes.Variant {
	m, err := Matrix{}.defaults()
	if err != nil {
		t.Fatal(err)
	}
	vs, err := m.variants()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// runBatches warms s up and runs n batches of swapins untimed; quiet
// leaves losses to the caller.
func runBatches(s Swapin, n int, quiet bool) (*swapinRun, error) {
	r, err := newSwapinRun(s)
	if err != nil {
		return nil, err
	}
	r.quiet = quiet
	if err := r.warm(); err != nil {
		return nil, err
	}
	for range n {
		if err := runBatch(r); err != nil {
			return nil, err
		}
	}
	return r, r.settle()
}

// TestAllocFree: once warm, swapins (plain, failed, parallel; recording
// their latencies; every codec family), swapouts and index operations
// allocate nothing.
func TestAllocFree(t *testing.T) {
	p := x86(t)
	for _, s := range []Swapin{
		{Variant: variant(t, "merged", "tick", "v6.9"), Backend: model.BackendZswapZram, Data: "text"},
		{Variant: variant(t, "merged", "tick", "v6.8"), Backend: model.BackendZram, Data: "zero"},
		{Variant: variant(t, "never-bypass", "folio-lock", "v6.10"), Backend: model.BackendZswapZram, Data: "anon-mix"},
		{Variant: variant(t, "always-swapcache", "tick", "v6.9"), Backend: model.BackendZswapZram, Data: "text", Event: EventRetry},
		{Variant: variant(t, "writeback-on-failure", "tick", "v6.9"), Backend: model.BackendZswapZram, Data: "text", Event: EventPTEChange},
		{Variant: variant(t, "merged", "tick", "v6.9"), Backend: model.BackendZswapZram, Data: "anon-mix", Comp: "lzo-rle"},
		{Variant: variant(t, "merged", "tick", "v6.10"), Backend: model.BackendZram, Data: "text", Comp: "lzo"},
	} {
		if s.Comp == "" {
			s.Comp = "lz4"
		}
		s.Profile, s.Seed, s.Latency = p, 1, fullLatencies()
		r, err := newSwapinRun(s)
		if err != nil {
			t.Fatal(err)
		}
		ready(t, r)
		if n := testing.AllocsPerRun(100, func() {
			if err := r.op(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: %v allocs per swapin", s.Name(), n)
		}
	}
	for _, shared := range []bool{false, true} {
		ps := ParallelSwapin{Variant: variant(t, "never-bypass", "folio-lock", "v6.9"), Comp: "lz4", Data: "text", CPUs: 2, Shared: shared, Profile: p, Seed: 1, Latency: fullLatencies()}
		r, err := newParallelRun(ps)
		if err != nil {
			t.Fatal(err)
		}
		ready(t, r)
		if n := testing.AllocsPerRun(100, func() {
			if err := r.op(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: %v allocs per page", ps.Name(), n)
		}
	}
	so := Swapout{Kernel: model.V6_9, Backend: model.BackendZswapZram, Comp: "zstd", Data: "binary", Profile: p, Seed: 1}
	r, err := newSwapoutRun(so)
	if err != nil {
		t.Fatal(err)
	}
	ready(t, r)
	if n := testing.AllocsPerRun(100, func() {
		if err := r.op(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%s: %v allocs per swapout", so.Name(), n)
	}
	for _, kb := range model.KernelBases() {
		z := newZindex(kb, 1<<15)
		g := lcg{x: 1, mask: 1<<15 - 1}
		if n := testing.AllocsPerRun(100, func() {
			e := g.next()
			z.lookup(e)
			z.erase(e)
			z.insert(e)
		}); n != 0 {
			t.Errorf("%s index: %v allocs per lookup, erase and insert", kb, n)
		}
	}
}

// The index benchmarks have no data axis: -data leaves them out, and
// without it they run on each kernel base selected.
func TestIndexOnlyWithoutData(t *testing.T) {
	for _, tc := range []struct {
		data []string
		want bool
	}{{nil, true}, {[]string{"text"}, false}} {
		cs, err := Cases(Matrix{Short: true, Kernels: []string{"v6.9"}, Data: tc.data})
		if err != nil {
			t.Fatal(err)
		}
		index, swapin := 0, 0
		for _, c := range cs {
			switch {
			case strings.HasPrefix(c.Name, "BenchmarkZswapIndex/"):
				index++
			case strings.HasPrefix(c.Name, "BenchmarkSwapin/"):
				swapin++
			}
		}
		if (index > 0) != tc.want || swapin == 0 {
			t.Errorf("data %v: %d ZswapIndex and %d Swapin benchmarks; want ZswapIndex %v", tc.data, index, swapin, tc.want)
		}
	}
}
