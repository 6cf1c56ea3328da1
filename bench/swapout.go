package bench

import (
	"fmt"
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

// Swapout is one reclaim of a freshly written page per op, from isolation
// to __remove_mapping: the zswap store (same-filled check, compression,
// zsmalloc, index insert) or, with backend zram or when zswap rejects the
// page, the zram write. The reclaim path is the same under every fix;
// the merged fix's hooks are used.
type Swapout struct {
	Kernel     model.KernelBase
	Backend    model.Backend
	Comp, Data string
	Profile    *cost.Profile
	Seed       uint64
}

// Name is the benchmark's key=value name.
func (s Swapout) Name() string {
	return fmt.Sprintf("BenchmarkSwapout/kernel=%s/backend=%s/comp=%s/data=%s", s.Kernel, s.Backend, s.Comp, dataName(s.Data))
}

// Run is the benchmark body. Besides kernel-ns/op it reports
// compressed-B/op (codec output per page) and zswap-stored/op (the share
// of pages zswap took: random pages are rejected and go to zram).
func (s Swapout) Run(b *testing.B) {
	r, err := newSwapoutRun(s)
	if err != nil {
		b.Fatal(err)
	}
	timeRun(b, r, nil)
	n := float64(max(r.ops, 1))
	b.ReportMetric(r.acct.Total()/n, "kernel-ns/op")
	b.ReportMetric(float64(r.acct.CompressedBytes)/n, "compressed-B/op")
	b.ReportMetric(float64(r.stored)/n, "zswap-stored/op")
}

type swapoutRun struct {
	s    Swapout
	k    *model.Kernel
	acct *cost.Accounter
	mm   *model.MM
	rec  *model.Reclaim
	zap  *model.Zapper
	next int
	ops  int

	stored int
}

func newSwapoutRun(s Swapout) (*swapoutRun, error) {
	base := fixes.Baseline()
	v := fixes.Variant{Fix: base, Sync: base.DefaultSyncOn(s.Kernel), Kernel: s.Kernel}
	k, acct, mm, err := newMachine(v, s.Backend, s.Profile, s.Comp, s.Data, s.Seed)
	if err != nil {
		return nil, err
	}
	return &swapoutRun{s: s, k: k, acct: acct, mm: mm,
		rec: k.NewReclaim("reclaim", 0, mm, 0), zap: k.NewZapper("zap", 0, mm, 0), next: batch}, nil
}

func (r *swapoutRun) warm() error {
	var lat *Latencies // a swapout records none
	if err := warmUp(r, &lat, nil, r.acct); err != nil {
		return err
	}
	r.ops, r.stored = 0, 0
	return nil
}

// prepare writes every page of the batch afresh, untimed: zap (which
// frees the slot of the page swapped out before) and populate.
func (r *swapoutRun) prepare() error {
	k := r.k
	r.acct.Off = true
	for addr := range uint64(batch) {
		if err := zapPage(k, r.zap, r.mm, addr); err != nil {
			return err
		}
		k.Populate(r.mm, addr)
	}
	r.acct.Off = false
	r.next = 0
	return nil
}

func (r *swapoutRun) op() error {
	addr := uint64(r.next)
	r.next++
	r.rec.Reset(r.mm, addr)
	if err := r.k.Run(r.rec); err != nil {
		return err
	}
	if r.rec.Result != model.ReclaimFreed {
		return fmt.Errorf("%s: swapout of page %d: reclaim result %d, want freed", r.s.Name(), addr, r.rec.Result)
	}
	if r.rec.Stored {
		r.stored++
	}
	r.ops++
	return nil
}
