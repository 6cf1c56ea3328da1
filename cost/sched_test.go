package cost

import (
	"testing"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

// faultAll has CPU i fault pages[i] in, in order, under a Sched, from an
// address space that reclaim (uncharged) put into zswap; it returns the
// accounter.
func faultAll(t *testing.T, fix, sync, kernel string, pages [2][]uint64) *Accounter {
	t.Helper()
	vs, err := fixes.Matrix([]string{fix}, []string{sync}, []string{kernel})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Lookup("x86-2024")
	acct, _ := NewAccounter(p, "lz4", "", 2)
	cfg, err := vs[0].Config(model.Config{Backend: model.BackendZswapZram, SwapPages: 1024, FastOracle: true, Accounter: acct})
	if err != nil {
		t.Fatal(err)
	}
	k, err := model.NewKernel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	acct.Off = true
	mm, _ := k.NewMM(64)
	for addr := range uint64(64) {
		if err := k.Run(k.NewReclaim("reclaim", 0, mm, addr)); err != nil {
			t.Fatal(err)
		}
	}
	acct.Reset()
	var faults []*model.Access
	var actors []model.Actor
	for cpu, ps := range pages {
		a := k.NewAccess("fault", cpu, mm, ps[0], false)
		faults = append(faults, a)
		actors = append(actors, a)
	}
	s, err := NewSched(k, acct, actors)
	if err != nil {
		t.Fatal(err)
	}
	pos := [2]int{}
	for {
		i, err := s.Step()
		if err != nil {
			t.Fatal(err)
		}
		if i < 0 {
			break
		}
		if faults[i].Next() == model.StepDone {
			if pos[i]++; pos[i] < len(pages[i]) {
				faults[i].Reset(mm, pages[i][pos[i]], false)
			}
		}
	}
	for _, ps := range pages {
		for _, addr := range ps {
			if k.MappedFolio(mm, addr) == nil {
				t.Fatalf("page %d not mapped", addr)
			}
		}
	}
	if n := k.LostPages(); n != 0 {
		t.Fatalf("%d pages lost: %v", n, k.Violations()[0])
	}
	return acct
}

func span(from, to uint64) []uint64 {
	var s []uint64
	for a := from; a < to; a++ {
		s = append(s, a)
	}
	return s
}

// TestTreeLockContention: two CPUs faulting distinct pages of one zswap
// tree wait for v6.8's tree lock (taken twice per zswap_load). v6.10's
// xa_load takes no lock, but here its zswap_invalidate's xa_lock can still
// collide (bench.TestContention separates the trees and sees none).
func TestTreeLockContention(t *testing.T) {
	pages := [2][]uint64{span(0, 32), span(32, 64)}
	v68 := faultAll(t, "merged", "tick", "v6.8", pages)
	if w := v68.LockWaitNS[model.OpZswapTreeLock]; w <= 0 {
		t.Errorf("v6.8: no zswap tree lock wait with 2 CPUs on one tree")
	}
	v610 := faultAll(t, "merged", "tick", "v6.10", pages)
	t.Logf("zswap tree lock waits over 64 swapins: v6.8 %.0f ns, v6.10 %.0f ns (zswap_invalidate's xa_lock only)",
		v68.LockWaitNS[model.OpZswapTreeLock], v610.LockWaitNS[model.OpZswapTreeLock])
}

// TestSleeps: two CPUs faulting the same page. With the pin the loser
// sleeps until the second jiffy boundary after its sleep began (the timer
// wheel's round-up: more than one tick, at most two); on the wait queue
// until swapcache_clear; with never-bypass it blocks on the folio lock
// and does not sleep.
func TestSleeps(t *testing.T) {
	pages := [2][]uint64{{5}, {5}}
	tick := faultAll(t, "merged", "tick", "v6.9", pages)
	if tick.SleepNS <= 4e6 || tick.SleepNS > 8e6 {
		t.Errorf("sync=tick: slept %v ns, want 1 to 2 ticks (4e6 to 8e6 ns at HZ 250)", tick.SleepNS)
	}
	wq := faultAll(t, "merged", "waitqueue", "v6.9", pages)
	if wq.SleepNS <= 0 || wq.SleepNS >= 1e5 {
		t.Errorf("sync=waitqueue: slept %v ns, want until the winner's swapcache_clear", wq.SleepNS)
	}
	nb := faultAll(t, "never-bypass", "folio-lock", "v6.9", pages)
	if nb.SleepNS != 0 || nb.BlockedNS <= 0 {
		t.Errorf("never-bypass: slept %v ns, blocked %v ns; want no sleep, a folio lock wait", nb.SleepNS, nb.BlockedNS)
	}
	if tick.Total() <= wq.Total() || wq.Total() <= nb.Total()/2 {
		t.Errorf("totals: tick %v, waitqueue %v, never-bypass %v", tick.Total(), wq.Total(), nb.Total())
	}
}
