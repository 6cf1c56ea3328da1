package bench

import (
	"fmt"
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/workloads"
)

// ParallelSwapin is several threads of one process faulting on CPUs
// simulated CPUs at once, with zswap in front of zram. One op is one page
// brought in.
//
// With pages=distinct each CPU faults its own pages: in its own page table
// and its own 64 MiB of swap (a device of CPUs x 64 MiB, the rest filled
// with swapped-out zero pages), as per-CPU swap clusters on a large device
// place them. What they share is v6.8's single zswap tree; v6.9 splits it
// per 64 MiB and v6.10 looks up without a lock. With pages=shared the
// CPUs touch the pages of one 1 MiB range, so faults may race on one
// entry: the pin's one-tick sleep (sync=tick), the wait queue
// (sync=waitqueue), two reads (sync=none) or the folio lock (never-bypass).
//
// How often they race is the access pattern's doing (pattern=, package
// workloads): with sequential every CPU scans the range in the same order;
// with random and zipf each CPU makes as many independent draws (zipf: of
// the same hot pages), and an access to a page another CPU already
// brought in is a hit, no swapin. A batch is every CPU's accesses; the
// pages brought in are the distinct pages drawn. concurrent-faults/op is
// the share of them that two or more CPUs faulted on at once (a fault on
// a page already mapped does not happen): the concurrent-fault event of
// the expected-cost sweep, measured rather than assumed. With
// pages=distinct each CPU takes its own pages in order (pattern
// sequential only): which of its own pages a CPU touches would change the
// modelled cost only through the depth of its index lookups, and no
// other CPU's fault can meet it there.
//
// The CPUs are modelled inside one model.Kernel, which is not safe for
// concurrent use: a cost.Sched interleaves their actors in modelled-time
// order and charges lock waits, sleeps and blocked waits (see cost.Sched).
// Real goroutines would add nothing: the contention of interest is the
// modelled one. kernel-ns/op sums every CPU's modelled time, waits and
// sleeps included, per page; lock-wait-ns/op (zswap-lock-wait-ns/op for
// the zswap tree lock alone), sleep-ns/op and blocked-ns/op are the parts
// of it spent waiting; faults/op counts do_swap_page calls per page.
type ParallelSwapin struct {
	Variant    fixes.Variant
	Comp, Data string
	CPUs       int
	Shared     bool
	// Pattern is the access pattern on shared pages (default sequential).
	Pattern string
	Profile *cost.Profile
	Seed    uint64
	// Latency, if set, receives the latency of every timed access that
	// faulted: one thread's fault to mapped page, waits and sleeps
	// included (on shared pages, also the accesses whose fault found
	// another CPU bringing the page in).
	Latency *Latencies
}

// Name is the benchmark's key=value name.
func (p ParallelSwapin) Name() string {
	pages := "distinct"
	if p.Shared {
		pages = "shared"
	}
	return fmt.Sprintf("BenchmarkParallelSwapin/%s/backend=%s/comp=%s/data=%s/cpus=%d/pages=%s/pattern=%s",
		p.Variant, model.BackendZswapZram, p.Comp, dataName(p.Data), p.CPUs, pages, p.pattern())
}

func (p ParallelSwapin) pattern() string {
	if p.Pattern == "" {
		return "sequential"
	}
	return p.Pattern
}

// Run is the benchmark body.
func (p ParallelSwapin) Run(b *testing.B) {
	r, err := newParallelRun(p)
	if err != nil {
		b.Fatal(err)
	}
	timeRun(b, r, r.settle)
	n := float64(max(r.ops, 1))
	a := r.acct
	b.ReportMetric(a.Total()/n, "kernel-ns/op")
	b.ReportMetric(a.LockWaits()/n, "lock-wait-ns/op")
	b.ReportMetric(a.LockWaitNS[model.OpZswapTreeLock]/n, "zswap-lock-wait-ns/op")
	b.ReportMetric(a.SleepNS/n, "sleep-ns/op")
	b.ReportMetric(a.BlockedNS/n, "blocked-ns/op")
	b.ReportMetric(float64(r.faultsTotal)/n, "faults/op")
	b.ReportMetric(float64(r.concurrent)/n, "concurrent-faults/op")
	if r.concurrent > 0 {
		b.ReportMetric(r.racedNS/float64(r.concurrent), "raced-page-kernel-ns")
	}
	if r.solo > 0 {
		b.ReportMetric(r.soloNS/float64(r.solo), "solo-page-kernel-ns")
	}
	b.ReportMetric(float64(r.lost), "lost-pages")
}

type parallelRun struct {
	p       ParallelSwapin
	k       *model.Kernel
	acct    *cost.Accounter
	mm      *model.MM
	rec     *model.Reclaim
	zap     *model.Zapper
	sched   *cost.Sched
	faults  []*model.Access
	stream  [][]uint64          // each CPU's pages, in order
	swapped [][]uint64          // the pages each batch swaps out: the streams', or the whole shared range
	pats    []workloads.Pattern // each CPU's access pattern (shared pages)
	pos     []int               // each CPU's place in its stream
	passes  []uint8             // faulting accesses done per page
	pageNS  []float64           // modelled time of the faulting accesses per page
	in      []bool              // the page was brought in this batch
	pages   int                 // pages per batch: distinct pages in the streams
	done    int                 // pages of the batch done
	start   []float64           // each CPU's modelled time when its access began
	lat     *Latencies          // nil while warming up

	ops, lost   int
	faultsTotal int // do_swap_page calls
	concurrent  int // pages faulted on by two or more CPUs at once
	solo        int // pages faulted on by one CPU
	// The modelled time of every fault on the raced pages and on the solo
	// pages (waits and sleeps included): the expected-cost sweep's cost
	// of a concurrent fault (PathCosts.Concurrent) is racedNS/concurrent.
	racedNS, soloNS float64
}

func newParallelRun(p ParallelSwapin) (*parallelRun, error) {
	if p.CPUs < 2 {
		return nil, fmt.Errorf("%s: cpus %d: want at least 2", p.Name(), p.CPUs)
	}
	if !p.Shared && p.pattern() != "sequential" {
		return nil, fmt.Errorf("%s: pattern %s: pages=distinct takes each CPU's own pages in order; want pattern=sequential", p.Name(), p.pattern())
	}
	per, pages, slots := batch/p.CPUs, batch, 4*batch
	stride := (per + model.PTEsPerTable - 1) / model.PTEsPerTable * model.PTEsPerTable
	mmPages := p.CPUs * stride
	if p.Shared {
		per, mmPages = batch, batch
	} else {
		pages = per * p.CPUs
		slots = p.CPUs * model.SwapAddressSpacePages
	}
	cfg, err := p.Variant.Config(model.Config{Backend: model.BackendZswapZram, SwapPages: slots, CPUs: p.CPUs})
	if err != nil {
		return nil, err
	}
	k, acct, err := kernel(cfg, p.Profile, p.Comp, p.Data, p.Seed)
	if err != nil {
		return nil, err
	}
	mm, err := k.NewEmptyMM(mmPages)
	if err != nil {
		return nil, err
	}
	r := &parallelRun{p: p, k: k, acct: acct, mm: mm, pages: pages, done: pages,
		rec: k.NewReclaim("reclaim", 0, mm, 0), zap: k.NewZapper("zap", 0, mm, 0),
		pos: make([]int, p.CPUs), passes: make([]uint8, mmPages), pageNS: make([]float64, mmPages), in: make([]bool, mmPages), start: make([]float64, p.CPUs), lat: p.Latency}
	actors := make([]model.Actor, p.CPUs)
	for cpu := range p.CPUs {
		s := make([]uint64, per)
		for j := range s {
			s[j] = uint64(j)
			if !p.Shared {
				s[j] += uint64(cpu * stride)
			}
		}
		r.stream = append(r.stream, s)
		if p.Shared {
			pat, err := workloads.NewPatternStream(p.pattern(), uint64(mmPages), p.Seed, uint64(cpu))
			if err != nil {
				return nil, err
			}
			r.pats = append(r.pats, pat)
		}
		a := k.NewAccess(fmt.Sprintf("fault%d", cpu), cpu, mm, s[0], false)
		r.faults = append(r.faults, a)
		actors[cpu] = a
	}
	if r.sched, err = cost.NewSched(k, acct, actors); err != nil {
		return nil, err
	}
	r.swapped = r.stream
	if p.Shared {
		all := make([]uint64, mmPages)
		for i := range all {
			all[i] = uint64(i)
		}
		r.swapped = [][]uint64{all}
	} else if err := r.fill(); err != nil {
		return nil, err
	}
	return r, nil
}

// fill lays swap out: CPU i's pages, then zero pages up to the end of
// its 64 MiB, for each CPU in turn, so that slots are allocated (lowest
// free first) in CPU i's 64 MiB for CPU i's pages from then on.
func (r *parallelRun) fill() error {
	k := r.k
	per := len(r.stream[0])
	fill, err := k.NewEmptyMM(r.p.CPUs * (model.SwapAddressSpacePages - per))
	if err != nil {
		return err
	}
	zero := make([]byte, model.PageSize)
	next := uint64(0)
	for _, s := range r.stream {
		for _, addr := range s {
			k.Populate(r.mm, addr)
			if err := swapOutPage(r.p.Name(), k, r.rec, r.mm, addr); err != nil {
				return err
			}
		}
		for range model.SwapAddressSpacePages - per {
			k.Populate(fill, next)
			if err := k.StorePage(fill, next, zero); err != nil {
				return err
			}
			if err := swapOutPage(r.p.Name(), k, r.rec, fill, next); err != nil {
				return err
			}
			next++
		}
	}
	return r.check()
}

// check verifies that each CPU's pages sit in its own 64 MiB of swap.
func (r *parallelRun) check() error {
	if r.p.Shared {
		return nil
	}
	for cpu, s := range r.stream {
		for _, addr := range s {
			e, ok := r.mm.Entry(addr)
			if !ok || int(e/model.SwapAddressSpacePages) != cpu {
				return fmt.Errorf("%s: cpu %d's page %d is in swap slot %d, want its own 64 MiB", r.p.Name(), cpu, addr, e)
			}
		}
	}
	return nil
}

// warm runs one batch untimed, then forgets it.
func (r *parallelRun) warm() error {
	if err := warmUp(r, &r.lat, r.settle, r.acct); err != nil {
		return err
	}
	r.ops, r.lost, r.faultsTotal, r.concurrent, r.solo = 0, 0, 0, 0, 0
	r.racedNS, r.soloNS = 0, 0
	return nil
}

// prepare swaps the batch out again, untimed and uncharged, and starts
// every CPU on its first page at the same modelled time.
func (r *parallelRun) prepare() error {
	if err := r.settle(); err != nil {
		return err
	}
	k := r.k
	r.acct.Off = true
	// The swapped-in folios leave the lru_add batches here, so that the
	// zaps free them untimed, not a timed drain in the next round.
	k.DrainLRUBatches()
	for _, s := range r.swapped {
		for _, addr := range s {
			if err := zapPage(k, r.zap, r.mm, addr); err != nil {
				return err
			}
		}
	}
	// Return the freed slots, so that the allocator hands the same ones
	// out again.
	k.DrainSlotCaches()
	for _, s := range r.swapped {
		for _, addr := range s {
			k.Populate(r.mm, addr)
			if err := swapOutPage(r.p.Name(), k, r.rec, r.mm, addr); err != nil {
				return err
			}
		}
	}
	if err := r.check(); err != nil {
		return err
	}
	if r.p.Shared {
		// The streams proper: each CPU's draws from its pattern.
		for cpu, s := range r.stream {
			for j := range s {
				s[j] = r.pats[cpu].Next()
			}
		}
	}
	clear(r.passes)
	clear(r.pageNS)
	clear(r.in)
	r.pages = 0
	for _, s := range r.stream {
		for _, addr := range s {
			if !r.in[addr] {
				r.in[addr] = true
				r.pages++
			}
		}
	}
	clear(r.in)
	for cpu, a := range r.faults {
		r.pos[cpu] = 0
		a.Reset(r.mm, r.stream[cpu][0], false)
		r.start[cpu] = r.acct.NS[a.CPU()]
	}
	r.done = 0
	r.acct.Barrier()
	r.acct.Off = false
	return nil
}

// settle counts the pages lost and fails if a safe variant lost data.
func (r *parallelRun) settle() error {
	k := r.k
	r.lost += k.LostPages()
	if vs := k.Violations(); len(vs) > 0 {
		if err := checkLoss(r.p.Name(), r.p.Variant, parallelScenario, len(vs), k.LostPages(), vs[0]); err != nil {
			return err
		}
	}
	k.ResetViolations()
	return nil
}

// op runs the CPUs until one more page is in. The batch's last op runs
// them to the end of their streams: the accesses left are hits on pages
// another CPU brought in, and faults that lost a race to one.
func (r *parallelRun) op() error {
	target := r.done + 1
	for r.done < target {
		if err := r.step(); err != nil {
			return err
		}
	}
	if r.done < r.pages {
		return nil
	}
	for r.busy() {
		if err := r.step(); err != nil {
			return err
		}
	}
	for addr, n := range r.passes {
		switch {
		case n >= 2:
			r.concurrent++
			r.racedNS += r.pageNS[addr]
		case n == 1:
			r.solo++
			r.soloNS += r.pageNS[addr]
		}
	}
	return nil
}

// busy reports whether a CPU has an access to finish.
func (r *parallelRun) busy() bool {
	for _, a := range r.faults {
		if a.Next() != model.StepDone {
			return true
		}
	}
	return false
}

// step runs one step of the earliest CPU and, if that finished its
// access, accounts for it and starts the CPU's next one.
func (r *parallelRun) step() error {
	i, err := r.sched.Step()
	if err != nil {
		return fmt.Errorf("%s: %v", r.p.Name(), err)
	}
	if i < 0 {
		return fmt.Errorf("%s: every CPU finished with %d of %d pages in", r.p.Name(), r.done, r.pages)
	}
	a := r.faults[i]
	if a.Next() != model.StepDone {
		return nil
	}
	addr := r.stream[i][r.pos[i]]
	if r.k.MappedFolio(r.mm, addr) == nil {
		return fmt.Errorf("%s: cpu %d: page %d is not mapped after its access (fault result %d)", r.p.Name(), i, addr, a.LastRet)
	}
	r.faultsTotal += a.Faults
	if a.Faults > 0 {
		ns := r.acct.NS[a.CPU()] - r.start[i]
		r.lat.add(ns)
		r.passes[addr]++
		r.pageNS[addr] += ns
	}
	if !r.in[addr] {
		r.in[addr] = true
		r.done++
		r.ops++
	}
	if r.pos[i]++; r.pos[i] < len(r.stream[i]) {
		a.Reset(r.mm, r.stream[i][r.pos[i]], false)
		r.start[i] = r.acct.NS[a.CPU()]
	}
	return nil
}

// pageCosts runs one batch untimed after the warm-up and returns the
// modelled time of all the faults on a page two or more CPUs faulted on
// at once (raced) and on a page one CPU faulted on (solo, 0 if every page
// was raced for), with the pages lost per raced page. It fails if no page
// was raced for.
func (p ParallelSwapin) pageCosts() (raced, solo, loss float64, err error) {
	r, err := newParallelRun(p)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := r.warm(); err != nil {
		return 0, 0, 0, err
	}
	if err := runBatch(r); err != nil {
		return 0, 0, 0, err
	}
	r.lost += r.k.LostPages()
	if r.concurrent == 0 {
		return 0, 0, 0, fmt.Errorf("%s: no page of a batch was raced for", p.Name())
	}
	if r.solo > 0 {
		solo = r.soloNS / float64(r.solo)
	}
	return r.racedNS / float64(r.concurrent), solo, float64(r.lost) / float64(r.concurrent), nil
}
