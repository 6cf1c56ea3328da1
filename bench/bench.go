// Package bench holds swapbench's benchmark bodies. The same bodies run
// under `go test -bench` (bench_test.go) and in the swapbench binary
// (`swapbench run`, through package runner), with the same key=value
// names, so `benchstat -col /fix` works on either.
//
// The benchmarks:
//
//	BenchmarkSwapin/fix=F/sync=S/kernel=K/backend=B/comp=C/data=D
//	BenchmarkFailedSwapin/fix=F/sync=S/kernel=K/backend=zswap+zram/comp=C/data=text/event=E
//	BenchmarkParallelSwapin/fix=F/sync=S/kernel=K/backend=zswap+zram/comp=C/data=text/cpus=N/pages=P/pattern=A
//	BenchmarkSwapout/kernel=K/backend=B/comp=C/data=D
//	BenchmarkZswapIndex/kernel=K/entries=N/op=O
//	BenchmarkExplore/fix=F/scenario=X
//
// Besides ns/op (the simulator's own time, which only ranks the paths),
// B/op and allocs/op, Swapin and FailedSwapin report (ParallelSwapin,
// Swapout, ZswapIndex and Explore document their own):
//
//	kernel-ns/op      modelled kernel time from the cost profile (package cost)
//	zswap-lookups/op  zswap index lookups (zswap_load, always-swapcache's zswap_find,
//	                  zswap_invalidate)
//	swapcache-ops/op  swap cache adds and deletes
//	recompress-B/op   bytes compressed during the swapin (writeback-on-failure)
//	dup-B/op          zswap pool bytes still held for the page right after the
//	                  swapin: the compressed copy held twice while it is resident
//	slot-held-ns/op   modelled time from the end of a swapin to the return of its
//	                  slot to the device (the per-CPU free_swap_slot batch), over
//	                  the slots returned during the run
//	slot-kept/op      share of swapins after which a swap cache folio keeps the
//	                  slot for as long as the page is resident
//	lost-pages        pages the integrity oracle saw lost, in the whole run
//
// Swapin, FailedSwapin and ParallelSwapin also record each swapin's
// latency in modelled kernel ns (see Latencies: not measured time) into a
// bounded sample that `swapbench run` writes after each result as
// "# latency-ns NAME: ..." lines (package runner), the input of the
// report's percentile table and latency CDF; under go test they are
// printed only with -latency (bench_test.go).
//
// A benchmark that sees a page lost asks the race explorer whether the
// variant loses data in the scenario that stages the benchmark's race
// (lossExpected: explored once per variant and scenario, cached); if the
// explorer calls the variant safe there, the benchmark fails. The
// data=zero class cannot show a loss (a lost page reads back as the zero
// page it was), so the failure benchmarks use data=text.
//
// The model runs with FastOracle: the oracle compares the checksum carried
// with the data instead of hashing every mapped page, which would cost
// more simulator time per swapin than some of the paths measured.
//
// Every swapin benchmark reports 0 allocs/op once warm (TestAllocFree),
// except that recording a lost page allocates its description. Like
// -benchmem, that rounds down: the model's free lists and folio pool still
// grow by a few allocations per batch of 256 ops now and then.
package bench

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/model/codec"
	"github.com/swapbench/swapbench/runner"
	"github.com/swapbench/swapbench/workloads"
)

// DefaultBenchtime is the -benchtime of the default `swapbench run`: a
// fixed count keeps every configuration's modelled numbers identical from
// round to round and the run's length predictable. Most of a round goes
// to building the ZswapIndex benchmarks' 2^22 and 2^24 entry indexes and
// laying out ParallelSwapin's CPUs x 64 MiB of swap; README says how long
// the default run took, and on what.
const DefaultBenchtime = "2000x"

// batch is how many pages a swapin benchmark swaps out, untimed, before it
// times swapping them back in one per op. b.StopTimer and b.StartTimer read
// the memory statistics (runtime.ReadMemStats stops the world, tens of
// microseconds here), more than a swapin costs, so they are paid once per
// batch, never per op.
const batch = 256

// Matrix selects benchmarks. Empty lists mean the defaults (see Cases).
type Matrix struct {
	Fixes, Syncs, Kernels, Backends, Comps, Data []string
	// CPUs are the simulated CPU counts of the parallel benchmark.
	CPUs []int
	// Patterns are the access patterns of the parallel benchmark on
	// shared pages (workloads.PatternNames; default all).
	Patterns []string
	// Profile prices the model's operations (default x86-2024).
	Profile *cost.Profile
	// Seed seeds the page contents (default 1).
	Seed uint64
	// Short is the small matrix of go test -short.
	Short bool
}

// Cases returns the benchmark bodies the matrix selects, named as go test
// names sub-benchmarks (without the -GOMAXPROCS suffix), in the order they
// should run.
//
// The defaults: every fix under the sync mode it was proposed with, on
// v6.8, v6.9 and v6.10, backends zswap+zram and zram, codec lz4, data
// zero, text and anon-mix (Swapin); the failures retry and pte-change,
// plus store-fail for writeback-on-failure (FailedSwapin, data=text); 2
// and 4 CPUs on distinct pages and on shared pages under every access
// pattern (random and zipf on v6.9 only unless Kernels or Patterns is
// given), plus merged under the other sync modes (ParallelSwapin,
// data=text); every codec on zero, text,
// binary, random and anon-mix pages (Swapout, v6.9 unless Kernels is
// given); 2^10 to 2^24 entries (ZswapIndex). Short keeps v6.9, data=text,
// 2 CPUs, lz4 and up to 2^14 entries.
//
// ZswapIndex has a kernel axis and no data axis (the index stores no
// page): it runs only when Data is not given, so that selecting data
// classes does not spend most of a round building indexes.
func Cases(mx Matrix) ([]runner.Case, error) {
	m, err := mx.defaults()
	if err != nil {
		return nil, err
	}
	vs, err := m.variants()
	if err != nil {
		return nil, err
	}
	var cases []runner.Case
	add := func(name string, f func(*testing.B)) { cases = append(cases, runner.Case{Name: name, F: f}) }
	// addLat adds a case that records per-swapin latencies.
	addLat := func(name string, f func(*testing.B), lat *Latencies) {
		cases = append(cases, runner.Case{Name: name, F: f, Latency: lat.Drain})
	}
	backends := make([]model.Backend, len(m.Backends))
	for i, be := range m.Backends {
		if backends[i], err = model.ParseBackend(be); err != nil {
			return nil, err
		}
	}
	swapinComps := m.Comps
	if len(swapinComps) == 0 {
		swapinComps = []string{"lz4"}
	}
	for _, v := range vs {
		for _, be := range backends {
			for _, comp := range swapinComps {
				for _, data := range m.Data {
					s := Swapin{Variant: v, Backend: be, Comp: comp, Data: data, Profile: m.Profile, Seed: m.Seed, Latency: NewLatencies()}
					addLat(s.Name(), s.Run, s.Latency)
				}
			}
		}
	}
	for _, v := range vs {
		for _, comp := range swapinComps {
			events := []Event{EventRetry, EventPTEChange}
			if v.Fix.StoresOnFailure {
				events = append(events, EventStoreFail)
			}
			for _, ev := range events {
				s := Swapin{Variant: v, Backend: model.BackendZswapZram, Comp: comp, Data: "text", Event: ev, Profile: m.Profile, Seed: m.Seed, Latency: NewLatencies()}
				addLat(s.Name(), s.Run, s.Latency)
			}
		}
	}
	pvs := vs
	if base := fixes.Baseline().Name; len(m.Syncs) == 0 && (len(m.Fixes) == 0 || slices.Contains(m.Fixes, base)) {
		// The sync modes are what the parallel benchmark tells apart.
		more, err := fixes.Matrix([]string{base}, []string{"waitqueue", "none"}, m.Kernels)
		if err != nil {
			return nil, err
		}
		pvs = slices.Clone(vs)
		for _, v := range more {
			if !slices.Contains(pvs, v) { // from v6.12 the wait queue is the default
				pvs = append(pvs, v)
			}
		}
	}
	for _, v := range pvs {
		for _, comp := range swapinComps {
			for _, cpus := range m.CPUs {
				p := ParallelSwapin{Variant: v, Comp: comp, Data: "text", CPUs: cpus, Profile: m.Profile, Seed: m.Seed, Latency: NewLatencies()}
				addLat(p.Name(), p.Run, p.Latency)
				for _, pat := range m.Patterns {
					if pat != "sequential" && !m.kernelsGiven && !m.patternsGiven && v.Kernel != model.V6_9 {
						// Races on one entry do not depend on the zswap
						// index; v6.9 keeps the default run short.
						continue
					}
					p := p
					p.Shared, p.Pattern, p.Latency = true, pat, NewLatencies()
					addLat(p.Name(), p.Run, p.Latency)
				}
			}
		}
	}
	outComps, outData, outKernels := m.Comps, m.Data, m.Kernels
	if len(outComps) == 0 {
		outComps = codec.Names()
		if m.Short {
			outComps = []string{"lz4"}
		}
	}
	if !m.dataGiven {
		outData = []string{"zero", "text", "binary", "random", "anon-mix"}
		if m.Short {
			outData = []string{"text", "random"}
		}
	}
	if !m.kernelsGiven {
		outKernels = []string{"v6.9"}
	}
	for _, kn := range outKernels {
		kb, _ := model.ParseKernelBase(kn)
		for _, be := range backends {
			for _, comp := range outComps {
				for _, data := range outData {
					s := Swapout{Kernel: kb, Backend: be, Comp: comp, Data: data, Profile: m.Profile, Seed: m.Seed}
					add(s.Name(), s.Run)
				}
			}
		}
	}
	sizes := []int{1 << 10, 1 << 14, 1 << 18, 1 << 20, 1 << 22, 1 << 24}
	if m.Short {
		sizes = sizes[:2]
	}
	if m.dataGiven {
		return cases, nil
	}
	for _, kn := range m.Kernels {
		kb, _ := model.ParseKernelBase(kn)
		for _, n := range sizes {
			for _, op := range []IndexOp{IndexLookup, IndexInsert, IndexErase} {
				x := ZswapIndex{Kernel: kb, Entries: n, Op: op, Profile: m.Profile}
				add(x.Name(), x.Run)
			}
		}
	}
	return cases, nil
}

type matrix struct {
	Matrix
	dataGiven, kernelsGiven, patternsGiven bool
}

func (m Matrix) defaults() (matrix, error) {
	d := matrix{Matrix: m, dataGiven: len(m.Data) > 0, kernelsGiven: len(m.Kernels) > 0, patternsGiven: len(m.Patterns) > 0}
	if len(d.Kernels) == 0 {
		for _, kb := range model.KernelBases() {
			d.Kernels = append(d.Kernels, kb.String())
		}
		if m.Short {
			d.Kernels = []string{"v6.9"}
		}
	}
	for _, k := range d.Kernels {
		if _, err := model.ParseKernelBase(k); err != nil {
			return d, err
		}
	}
	if len(d.Backends) == 0 {
		d.Backends = []string{"zswap+zram", "zram"}
	}
	if len(d.Data) == 0 {
		d.Data = []string{"zero", "text", "anon-mix"}
		if m.Short {
			d.Data = []string{"text"}
		}
	}
	if len(d.CPUs) == 0 {
		d.CPUs = []int{2, 4}
		if m.Short {
			d.CPUs = []int{2}
		}
	}
	if len(d.Patterns) == 0 {
		d.Patterns = workloads.PatternNames()
	}
	for _, pat := range d.Patterns {
		if _, err := workloads.NewPattern(pat, 1, 1); err != nil {
			return d, err
		}
	}
	for _, n := range d.CPUs {
		if n < 2 || n > 8 {
			// Each CPU of pages=distinct lays out its own 64 MiB of swap.
			return d, fmt.Errorf("cpus %d: want 2 to 8", n)
		}
	}
	if d.Profile == nil {
		d.Profile, _ = cost.Lookup("x86-2024")
	}
	if d.Seed == 0 {
		d.Seed = 1
	}
	for _, c := range d.Comps {
		if _, err := codec.New(c); err != nil {
			return d, fmt.Errorf("codec %q: unknown; want one of %s", c, strings.Join(codec.Names(), ", "))
		}
		if _, ok := d.Profile.Codec(c, ""); !ok {
			return d, fmt.Errorf("codec %q: cost profile %s has no costs for it", c, d.Profile.Name)
		}
	}
	for _, data := range d.Data {
		if _, err := workloads.NewContent(data, d.Seed); err != nil {
			return d, err
		}
	}
	return d, nil
}

// variants are the fixes under their own sync mode, or under the sync
// modes given.
func (m matrix) variants() ([]fixes.Variant, error) {
	all, err := fixes.Matrix(m.Fixes, m.Syncs, m.Kernels)
	if err != nil {
		return nil, err
	}
	if len(m.Syncs) > 0 {
		return all, nil
	}
	var vs []fixes.Variant
	for _, v := range all {
		if v.Sync == v.Fix.DefaultSyncOn(v.Kernel) {
			vs = append(vs, v)
		}
	}
	return vs, nil
}

// dataName is a data class as a name component: a corpus by its file's
// base name, since / separates sub-benchmarks.
func dataName(data string) string {
	if path, ok := strings.CutPrefix(data, "corpus:"); ok {
		return "corpus:" + filepath.Base(path)
	}
	return data
}

// kernel builds a benchmark's machine: the variant's hooks, FastOracle,
// the profile's HZ, and an accounter for the codec and data class.
func kernel(cfg model.Config, p *cost.Profile, comp, data string, seed uint64) (*model.Kernel, *cost.Accounter, error) {
	c, err := workloads.NewContent(data, seed)
	if err != nil {
		return nil, nil, err
	}
	cfg.Content = c
	cfg.ZswapCodec, cfg.ZramCodec = comp, comp
	cfg.FastOracle = true
	cfg.HZ = p.HZ
	if cfg.CPUs == 0 {
		cfg.CPUs = 2
	}
	acct, err := cost.NewAccounter(p, comp, data, cfg.CPUs)
	if err != nil {
		return nil, nil, err
	}
	acct.Off = true
	cfg.Accounter = acct
	k, err := model.NewKernel(cfg)
	if err != nil {
		return nil, nil, err
	}
	return k, acct, nil
}

// A batchedRun prepares pages in batches, untimed, and times one op at a
// time; exhausted says the current batch is used up.
type batchedRun interface {
	exhausted() bool
	prepare() error
	op() error
}

// runBatch prepares a batch and runs all of its ops, untimed (warm-ups,
// ModelPathCosts).
func runBatch(r batchedRun) error {
	if err := r.prepare(); err != nil {
		return err
	}
	for !r.exhausted() {
		if err := r.op(); err != nil {
			return err
		}
	}
	return nil
}

// swappingRun is a batched run with a warm-up: what timeRun drives.
type swappingRun interface {
	batchedRun
	warm() error
}

// timeRun is the body every swapping benchmark shares: warm up, time the
// batches, then settle the last one (settle may be nil).
func timeRun(b *testing.B, r swappingRun, settle func() error) {
	if err := r.warm(); err != nil {
		b.Fatal(err)
	}
	timeBatches(b, r)
	if settle == nil {
		return
	}
	if err := settle(); err != nil {
		b.Fatal(err)
	}
}

// newMachine builds a swapping benchmark's kernel: variant v over backend
// be with swap for four batches, priced by p for comp and data, and an
// empty MM of one batch of pages.
func newMachine(v fixes.Variant, be model.Backend, p *cost.Profile, comp, data string, seed uint64) (*model.Kernel, *cost.Accounter, *model.MM, error) {
	cfg, err := v.Config(model.Config{Backend: be, SwapPages: 4 * batch})
	if err != nil {
		return nil, nil, nil, err
	}
	k, acct, err := kernel(cfg, p, comp, data, seed)
	if err != nil {
		return nil, nil, nil, err
	}
	mm, err := k.NewEmptyMM(batch)
	if err != nil {
		return nil, nil, nil, err
	}
	return k, acct, mm, nil
}

// warmUp is every swapping benchmark's warm-up: one untimed batch with
// no latency recorded (*lat is restored after), settled (settle may be
// nil), and the accounting zeroed. The caller zeroes its own counters.
func warmUp(r batchedRun, lat **Latencies, settle func() error, acct *cost.Accounter) error {
	saved := *lat
	*lat = nil
	defer func() { *lat = saved }()
	if err := runBatch(r); err != nil {
		return err
	}
	if settle != nil {
		if err := settle(); err != nil {
			return err
		}
	}
	acct.Reset()
	acct.Off = true
	return nil
}

// zapPage unmaps page addr of mm with z (MADV_DONTNEED), freeing its swap
// slot or folio: a batch's untimed refill starts so.
func zapPage(k *model.Kernel, z *model.Zapper, mm *model.MM, addr uint64) error {
	*z = *k.NewZapper("zap", 0, mm, addr)
	return k.Run(z)
}

// swapOutPage reclaims page addr of mm with rec, which must free it;
// name is the benchmark's, for the error.
func swapOutPage(name string, k *model.Kernel, rec *model.Reclaim, mm *model.MM, addr uint64) error {
	rec.Reset(mm, addr)
	if err := k.Run(rec); err != nil {
		return err
	}
	if rec.Result != model.ReclaimFreed {
		return fmt.Errorf("%s: swapout of page %d: reclaim result %d, want freed", name, addr, rec.Result)
	}
	return nil
}

// timeBatches is the loop every swapping benchmark shares: the timer is
// stopped only to prepare the next batch, so its cost (it reads memory
// statistics) is paid once per batch, not per op.
func timeBatches(b *testing.B, r batchedRun) {
	b.ReportAllocs()
	for b.Loop() {
		if r.exhausted() {
			b.StopTimer()
			err := r.prepare()
			b.StartTimer()
			if err != nil {
				b.Fatal(err)
			}
		}
		if err := r.op(); err != nil {
			b.Fatal(err)
		}
	}
}

func (r *swapinRun) exhausted() bool   { return r.next == batch }
func (r *swapoutRun) exhausted() bool  { return r.next == batch }
func (r *parallelRun) exhausted() bool { return r.done == r.pages }
