package bench

import (
	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

// PathCosts are one variant's modelled kernel time per swapin on each
// path, and the pages each failure loses. Fill them from ModelPathCosts,
// or from a results file: the kernel-ns/op and lost-pages/N of
// BenchmarkSwapin (OK) and BenchmarkFailedSwapin with event=retry,
// pte-change and store-fail, and raced-page-kernel-ns of
// BenchmarkParallelSwapin with cpus=2, pages=shared, pattern=sequential
// (Concurrent), for the same variant, backend, codec and data.
type PathCosts struct {
	Variant string // fix=F/sync=S/kernel=K
	// Kernel ns of a swapin that succeeds at once, and of one whose first
	// fault fails after its read (failure exits and refault included).
	OK, Retry, PTEChange float64
	// StoreFail is a pte-change swapin whose writeback-on-failure store
	// fails; for other fixes it equals PTEChange.
	StoreFail float64
	// Concurrent is the kernel time of a swapin that another task faults
	// on at the same moment: both faults, the loser's wait or sleep
	// included (each thread's own time, as kernel-ns/op counts it).
	Concurrent float64
	// Pages lost per event (0 or 1 for every fix in the model).
	LossRetry, LossPTEChange, LossStoreFail, LossConcurrent float64
}

// Rates are per-swapin probabilities of the failures after the read.
type Rates struct {
	Retry     float64 // folio_lock_or_retry returns VM_FAULT_RETRY
	PTEChange float64 // pte_same fails
	// StoreFail is the probability that the store back of a failed
	// fault's folio fails (writeback-on-failure: pool limit, allocation,
	// incompressible page), given a failure.
	StoreFail float64
	// Concurrent is the probability that another task faults the same
	// entry at once (ParallelSwapin's concurrent-faults/op measures it
	// for an access pattern).
	Concurrent float64
}

// ExpectedCost is the expected modelled kernel ns per swapin at rates r:
//
//	(1-r.Retry-r.PTEChange-r.Concurrent)·OK + r.Retry·Retry
//	  + r.PTEChange·PTEChange + r.Concurrent·Concurrent
//	  + (r.Retry+r.PTEChange)·r.StoreFail·(StoreFail-PTEChange)
//
// The last term charges a failed store on either failure as the measured
// difference between a failed and a successful store after a PTE change.
// Rates are taken as independent and small (their sum at most 1).
func ExpectedCost(c PathCosts, r Rates) float64 {
	fail := r.Retry + r.PTEChange
	return (1-fail-r.Concurrent)*c.OK + r.Retry*c.Retry + r.PTEChange*c.PTEChange +
		r.Concurrent*c.Concurrent + fail*r.StoreFail*(c.StoreFail-c.PTEChange)
}

// ExpectedLoss is the expected number of pages lost per swapin at rates
// r, on the same terms as ExpectedCost.
func ExpectedLoss(c PathCosts, r Rates) float64 {
	fail := r.Retry + r.PTEChange
	return (r.Retry*c.LossRetry + r.PTEChange*c.LossPTEChange + r.Concurrent*c.LossConcurrent) +
		fail*r.StoreFail*(c.LossStoreFail-c.LossPTEChange)
}

// Sweep returns ExpectedCost at each rate in xs of one failure (set puts
// it into a Rates, e.g. func(r *Rates, x float64) { r.Retry = x }), the
// others as in base: the curve the report draws per fix.
func Sweep(c PathCosts, base Rates, set func(*Rates, float64), xs []float64) []float64 {
	ys := make([]float64, len(xs))
	for i, x := range xs {
		r := base
		set(&r, x)
		ys[i] = ExpectedCost(c, r)
	}
	return ys
}

// ModelPathCosts computes PathCosts by running the model (no timing): a
// batch of swapins per path with zswap in front of zram, as the Swapin,
// FailedSwapin and (two CPUs scanning shared pages in the same order)
// ParallelSwapin benchmarks do. It is deterministic for a seed.
func ModelPathCosts(v fixes.Variant, p *cost.Profile, comp, data string, seed uint64) (PathCosts, error) {
	c := PathCosts{Variant: v.String()}
	for _, ev := range []Event{EventNone, EventRetry, EventPTEChange, EventStoreFail} {
		if ev == EventStoreFail && !v.Fix.StoresOnFailure {
			c.StoreFail, c.LossStoreFail = c.PTEChange, c.LossPTEChange
			continue
		}
		r, err := newSwapinRun(Swapin{Variant: v, Backend: model.BackendZswapZram, Comp: comp, Data: data, Event: ev, Profile: p, Seed: seed})
		if err != nil {
			return c, err
		}
		r.quiet = true // a loss is a result here; the benchmarks fail on it
		if err := r.warm(); err != nil {
			return c, err
		}
		if err := runBatch(r); err != nil {
			return c, err
		}
		if err := r.settle(); err != nil {
			return c, err
		}
		ns, lost := r.acct.Total()/float64(r.ops), float64(r.lost)/float64(r.ops)
		switch ev {
		case EventNone:
			c.OK = ns
		case EventRetry:
			c.Retry, c.LossRetry = ns, lost
		case EventPTEChange:
			c.PTEChange, c.LossPTEChange = ns, lost
		case EventStoreFail:
			c.StoreFail, c.LossStoreFail = ns, lost
		}
	}
	par := ParallelSwapin{Variant: v, Comp: comp, Data: data, CPUs: 2, Shared: true, Pattern: "sequential", Profile: p, Seed: seed}
	var err error
	if c.Concurrent, _, c.LossConcurrent, err = par.pageCosts(); err != nil {
		return c, err
	}
	return c, nil
}
