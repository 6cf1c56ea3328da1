package bench

import (
	"fmt"
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

// Event is what makes a FailedSwapin's first fault fail after its read.
type Event string

// The events.
const (
	// EventNone: the swapin succeeds (BenchmarkSwapin).
	EventNone Event = ""
	// EventRetry: another CPU holds the folio lock when the fault calls
	// folio_lock_or_retry (a model LockHolder), which returns
	// VM_FAULT_RETRY. The holder can isolate the fault's folio only once
	// it is on the LRU: an lru_add_drain_all work item (a model
	// LRUDrainer) first drains the fault CPU's lru_add batch, on that CPU
	// and in the op's time.
	EventRetry Event = "retry"
	// EventPTEChange: clear_refs clears the swap PTE's soft-dirty bit
	// before the fault's pte_same check (a model PTEChanger).
	EventPTEChange Event = "pte-change"
	// EventStoreFail: as EventPTEChange, and writeback-on-failure's
	// zswap_store of the failed fault's folio fails (FailZswapStore).
	EventStoreFail Event = "store-fail"
)

// Swapin is one swapin per op, fault to mapped page, of a page swapped out
// (untimed) just before: into zswap with backend zswap+zram, to zram
// otherwise. With an Event, the first fault fails after its read and the
// op includes the failure exits (writeback-on-failure's recompression) and
// the refault.
type Swapin struct {
	Variant    fixes.Variant
	Backend    model.Backend
	Comp, Data string
	Event      Event
	Profile    *cost.Profile
	Seed       uint64
	// Latency, if set, receives every timed swapin's latency.
	Latency *Latencies
}

// Name is the benchmark's key=value name.
func (s Swapin) Name() string {
	if s.Event == EventNone {
		return fmt.Sprintf("BenchmarkSwapin/%s/backend=%s/comp=%s/data=%s", s.Variant, s.Backend, s.Comp, dataName(s.Data))
	}
	return fmt.Sprintf("BenchmarkFailedSwapin/%s/backend=%s/comp=%s/data=%s/event=%s", s.Variant, s.Backend, s.Comp, dataName(s.Data), s.Event)
}

// Run is the benchmark body.
func (s Swapin) Run(b *testing.B) {
	r, err := newSwapinRun(s)
	if err != nil {
		b.Fatal(err)
	}
	timeRun(b, r, r.settle)
	r.report(b)
}

// swapinRun is a Swapin's machine and what it has measured.
type swapinRun struct {
	s      Swapin
	k      *model.Kernel
	acct   *cost.Accounter
	mm     *model.MM
	fault  *model.Access
	rec    *model.Reclaim
	zap    *model.Zapper
	change *model.PTEChanger
	holder *model.LockHolder
	drain  *model.LRUDrainer // the fault CPU's lru_add_drain_all work item
	pair   []model.Actor     // fault and holder
	armed  bool              // the next zswap_store fails
	quiet  bool              // a safe variant's loss is not an error
	next   int               // the next page of the batch to swap in
	lat    *Latencies        // nil while warming up

	// Measured over the timed ops.
	ops     int
	base    [model.NumOps]uint64 // k.Counts when the batch began
	counted [model.NumOps]uint64
	dup     int64
	kept    int
	heldNS  float64
	heldN   int
	lost    int
	flushes uint64
	pending []pendingSlot
}

// pendingSlot is a swapped-in page's slot still waiting in a per-CPU free
// batch.
type pendingSlot struct {
	e  model.SwpEntry
	at float64 // modelled time at the end of its swapin
}

func newSwapinRun(s Swapin) (*swapinRun, error) {
	k, acct, mm, err := newMachine(s.Variant, s.Backend, s.Profile, s.Comp, s.Data, s.Seed)
	if err != nil {
		return nil, err
	}
	r := &swapinRun{
		s: s, k: k, acct: acct, mm: mm,
		fault:   k.NewAccess("fault", 1, mm, 0, false),
		rec:     k.NewReclaim("reclaim", 0, mm, 0),
		zap:     k.NewZapper("zap", 0, mm, 0),
		change:  k.NewPTEChanger("clear_refs", 0, model.ChangeClearSoftDirty, mm, 0, nil, 0),
		holder:  k.NewLockHolder("holder", 0),
		pending: make([]pendingSlot, 0, batch),
		next:    batch,
		lat:     s.Latency,
	}
	r.drain = k.NewLRUDrainer("lru_drain", r.fault.CPU())
	r.pair = []model.Actor{r.fault, r.holder}
	if s.Event == EventStoreFail {
		k.SetFailHook(r.failStore)
	}
	return r, nil
}

// warm runs one batch untimed, so that the folio pool, the allocator's
// slabs and the per-CPU batches reach their steady state, then forgets it.
func (r *swapinRun) warm() error {
	if err := warmUp(r, &r.lat, r.settle, r.acct); err != nil {
		return err
	}
	r.ops, r.dup, r.kept, r.heldNS, r.heldN, r.lost = 0, 0, 0, 0, 0, 0
	r.counted = [model.NumOps]uint64{}
	return nil
}

// prepare swaps the batch out again, untimed and uncharged: each page is
// zapped, written afresh (new content, soft-dirty PTE) and reclaimed.
// The lru_add batches are drained first, so that the zaps free the
// swapped-in folios here rather than at a timed drain of the fault CPU's
// batch in the next round.
func (r *swapinRun) prepare() error {
	if err := r.settle(); err != nil {
		return err
	}
	k := r.k
	r.acct.Off = true
	k.DrainLRUBatches()
	for addr := range uint64(batch) {
		if err := zapPage(k, r.zap, r.mm, addr); err != nil {
			return err
		}
		k.Populate(r.mm, addr)
		if err := swapOutPage(r.s.Name(), k, r.rec, r.mm, addr); err != nil {
			return err
		}
	}
	r.acct.Off = false
	r.base = k.Counts
	r.next = 0
	return nil
}

// settle adds up the ops since the batch began and the pages lost, and
// fails if a safe variant lost data.
func (r *swapinRun) settle() error {
	k := r.k
	for op := range r.counted {
		r.counted[op] += k.Counts[op] - r.base[op]
	}
	r.base = k.Counts
	r.pending = r.pending[:0] // still batched: not counted
	r.lost += k.LostPages()
	if vs := k.Violations(); len(vs) > 0 && !r.quiet {
		if err := checkLoss(r.s.Name(), r.s.Variant, r.s.Event.scenario(), len(vs), k.LostPages(), vs[0]); err != nil {
			return err
		}
	}
	k.ResetViolations()
	return nil
}

// op swaps the next page in: one timed op.
func (r *swapinRun) op() error {
	k, a := r.k, r.fault
	addr := uint64(r.next)
	r.next++
	start := r.acct.NS[a.CPU()]
	e, ok := r.mm.Entry(addr)
	if !ok {
		return fmt.Errorf("%s: page %d is not swapped out", r.s.Name(), addr)
	}
	a.Reset(r.mm, addr, false)
	switch r.s.Event {
	case EventNone:
		if err := k.Run(a); err != nil {
			return err
		}
	case EventRetry:
		if err := k.RunUntil(a, model.StepFolioLockOrRetry); err != nil {
			return err
		}
		r.drain.Reset()
		k.Step(r.drain) // the fault's folio joins the LRU, the newest on it
		*r.holder = *k.NewLockHolder("holder", 0)
		k.Step(r.holder) // it isolates and locks the newest folio on the LRU: the fault's own
		if err := k.Run(r.pair...); err != nil {
			return err
		}
		if a.Retries == 0 {
			return fmt.Errorf("%s: page %d: the lock holder did not make the fault retry", r.s.Name(), addr)
		}
	case EventPTEChange, EventStoreFail:
		if err := k.RunUntil(a, model.StepMap); err != nil {
			return err
		}
		r.armed = r.s.Event == EventStoreFail
		r.change.Reset(r.mm, addr)
		k.Step(r.change)
		if !r.change.Changed {
			return fmt.Errorf("%s: page %d: clear_refs did not change the swap PTE", r.s.Name(), addr)
		}
		if err := k.Run(a); err != nil {
			return err
		}
		if a.Faults < 2 {
			return fmt.Errorf("%s: page %d: the fault did not fail at pte_same", r.s.Name(), addr)
		}
		if r.armed {
			r.armed = false
			return fmt.Errorf("%s: page %d: the failed fault stored nothing back, so no store could fail", r.s.Name(), addr)
		}
	}
	f := k.MappedFolio(r.mm, addr)
	if f == nil {
		return fmt.Errorf("%s: page %d is not mapped after the swapin (fault result %d)", r.s.Name(), addr, a.LastRet)
	}
	r.ops++
	r.lat.add(r.acct.NS[a.CPU()] - start)
	r.dup += int64(k.ZswapEntryBytes(e))
	now := r.acct.Total()
	if f.Test(model.PGswapcache) {
		r.kept++
	} else {
		r.pending = append(r.pending, pendingSlot{e, now})
	}
	if fl := k.Counts[model.OpSlotCacheFlush]; fl != r.flushes {
		r.flushes = fl
		r.returned(now)
	}
	return nil
}

// failStore fails the zswap_store it is armed for.
func (r *swapinRun) failStore(fp model.FailPoint) bool {
	if fp == model.FailZswapStore && r.armed {
		r.armed = false
		return true
	}
	return false
}

// returned counts the pending slots a flush gave back to the device.
func (r *swapinRun) returned(now float64) {
	keep := r.pending[:0]
	for _, p := range r.pending {
		if c, cached := r.k.SwapMap(p.e); c == 0 && !cached {
			r.heldNS += now - p.at
			r.heldN++
			continue
		}
		keep = append(keep, p)
	}
	r.pending = keep
}

func (r *swapinRun) report(b *testing.B) {
	n := float64(max(r.ops, 1))
	b.ReportMetric(r.acct.Total()/n, "kernel-ns/op")
	b.ReportMetric(float64(r.counted[model.OpZswapIndexLookup])/n, "zswap-lookups/op")
	b.ReportMetric(float64(r.counted[model.OpSwapCacheAdd]+r.counted[model.OpSwapCacheDelete])/n, "swapcache-ops/op")
	b.ReportMetric(float64(r.acct.CompressedBytes)/n, "recompress-B/op")
	b.ReportMetric(float64(r.dup)/n, "dup-B/op")
	if r.heldN > 0 {
		b.ReportMetric(r.heldNS/float64(r.heldN), "slot-held-ns/op")
	}
	b.ReportMetric(float64(r.kept)/n, "slot-kept/op")
	b.ReportMetric(float64(r.lost), "lost-pages")
}
