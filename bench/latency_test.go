package bench

import (
	"math"
	"slices"
	"testing"

	"github.com/swapbench/swapbench/model"
)

// TestLatenciesReservoir: up to the cap every value is kept in order;
// past it the sample stays at the cap, holds only values recorded, is
// spread over the whole stream, and Drain empties it.
func TestLatenciesReservoir(t *testing.T) {
	l := NewLatencies()
	for i := range latencyCap {
		l.add(float64(i))
	}
	if got := l.Drain(); len(got) != latencyCap || got[0] != 0 || got[latencyCap-1] != latencyCap-1 {
		t.Fatalf("under the cap: %d values, want all %d in order", len(got), latencyCap)
	}
	const n = 100 * latencyCap
	for i := range n {
		l.add(float64(i))
	}
	got := slices.Clone(l.Drain())
	if len(got) != latencyCap {
		t.Fatalf("%d values after %d, want %d", len(got), n, latencyCap)
	}
	// A uniform sample of 0..n-1: about a quarter in each quarter.
	var quarter [4]int
	for _, v := range got {
		if v < 0 || v >= n || v != math.Trunc(v) {
			t.Fatalf("value %v was never recorded", v)
		}
		quarter[int(v)*4/n]++
	}
	for q, c := range quarter {
		if c < latencyCap/8 {
			t.Errorf("quarter %d of the stream has %d of %d values: not uniform (%v)", q, c, latencyCap, quarter)
		}
	}
	if len(l.Drain()) != 0 {
		t.Error("Drain did not empty the sample")
	}
	var none *Latencies
	none.add(1) // a nil sample records nothing
}

// TestSwapinLatency: a swapin's latency is its fault's modelled kernel
// time, so over a batch the sample's mean is kernel-ns/op; anon-mix pages
// (zero, same-filled, compressible, incompressible) do not all cost the
// same; warming up records nothing.
func TestSwapinLatency(t *testing.T) {
	s := Swapin{Variant: variant(t, "merged", "tick", "v6.9"), Backend: model.BackendZswapZram, Comp: "lz4", Data: "anon-mix", Profile: x86(t), Seed: 1, Latency: NewLatencies()}
	r, err := runBatches(s, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	got := s.Latency.Drain()
	if len(got) != r.ops || r.ops != batch {
		t.Fatalf("%d latencies for %d swapins (one batch of %d, after a warm-up batch)", len(got), r.ops, batch)
	}
	sum := 0.0
	for _, v := range got {
		sum += v
	}
	if want := r.acct.Total() / float64(r.ops); math.Abs(sum/float64(len(got))-want) > 1e-6*want {
		t.Errorf("mean latency %v ns, kernel-ns/op %v", sum/float64(len(got)), want)
	}
	if slices.Min(got) == slices.Max(got) {
		t.Errorf("every anon-mix swapin took %v ns", got[0])
	}
}

// TestParallelLatency: on shared pages the pin's loser sleeps a whole
// tick under sync=tick, the complaint that led to the wait queue, which
// wakes it when the winner clears the pin, well within the tick.
func TestParallelLatency(t *testing.T) {
	p := x86(t)
	worst := func(sync string) float64 {
		ps := ParallelSwapin{Variant: variant(t, "merged", sync, "v6.9"), Comp: "lz4", Data: "text", CPUs: 2, Shared: true, Profile: p, Seed: 1, Latency: NewLatencies()}
		r := parallelBatch(t, ps)
		got := ps.Latency.Drain()
		if len(got) < r.ops {
			t.Fatalf("%s: %d latencies for %d pages", ps.Name(), len(got), r.ops)
		}
		return slices.Max(got)
	}
	tick := p.TickNS()
	if w := worst("tick"); w < tick {
		t.Errorf("sync=tick: slowest fault %v ns, want at least a tick (%v ns)", w, tick)
	}
	if w := worst("waitqueue"); w >= tick {
		t.Errorf("sync=waitqueue: slowest fault %v ns, want less than a tick (%v ns)", w, tick)
	}
}
