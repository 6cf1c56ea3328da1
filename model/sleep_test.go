package model_test

import (
	"testing"

	"github.com/swapbench/swapbench/model"
)

// TestSleepTimeout: schedule_timeout_uninterruptible(1) armed in jiffy J
// fires at the tick that makes jiffies J+2 (calc_index rounds the expiry
// up), so a pinned bypass loser stays asleep through the first tick.
func TestSleepTimeout(t *testing.T) {
	k := newKernel(t, model.Config{Backend: model.BackendZswapZram, Hooks: model.Hooks{Sync: model.SyncTick}})
	mm, _ := k.NewMM(1)
	swapOut(t, k, mm, 0)
	winner := k.NewAccess("winner", 0, mm, 0, false)
	loser := k.NewAccess("loser", 1, mm, 0, false)
	runUntil(t, k, winner, model.StepAllocCharge) // SWAP_HAS_CACHE is set
	runUntil(t, k, loser, model.StepSleep)
	if loser.Runnable(k) || !loser.WaitsForTick(k) {
		t.Fatal("the loser of swapcache_prepare does not sleep")
	}
	k.Tick()
	if loser.Runnable(k) {
		t.Errorf("the loser woke at the first tick after its sleep began; the timeout fires at the second")
	}
	k.Tick()
	if !loser.Runnable(k) {
		t.Errorf("the loser still sleeps two ticks after its sleep began")
	}
	run(t, k, winner, loser)
	noViolations(t, k)
}

// TestWaitQueueIsTheBypassLosers: with the wait queue (01626a182302) only
// do_swap_page's bypass loser sleeps on swapcache_wq, and any
// swapcache_clear wakes it (one global queue); __read_swap_cache_async's
// -EEXIST loop sleeps a plain tick that no swapcache_clear cuts short.
func TestWaitQueueIsTheBypassLosers(t *testing.T) {
	k := newKernel(t, model.Config{Backend: model.BackendZswapZram, CPUs: 5, Hooks: model.Hooks{Sync: model.SyncWaitqueue}})
	mm, _ := k.NewMM(3)
	child, _ := k.NewEmptyMM(1)
	for addr := range uint64(3) {
		swapOut(t, k, mm, addr)
	}
	run(t, k, k.NewPTEChanger("fork", 0, model.ChangeFork, mm, 0, child, 0))

	// Page 0 has count 2: both faults take the swap cache path.
	first := k.NewAccess("first", 0, mm, 0, false)
	second := k.NewAccess("second", 1, child, 0, false)
	runUntil(t, k, first, model.StepChargeRA) // SWAP_HAS_CACHE is set
	runUntil(t, k, second, model.StepSleep)   // -EEXIST
	// Page 1 has count 1: a bypass loser on it.
	winner := k.NewAccess("winner", 2, mm, 1, false)
	waiter := k.NewAccess("waiter", 3, mm, 1, false)
	runUntil(t, k, winner, model.StepAllocCharge)
	runUntil(t, k, waiter, model.StepSleep)
	if n := k.Counts[model.OpWaitQueue]; n != 1 {
		t.Errorf("%d wait queue sleeps, want 1: the bypass loser's only", n)
	}
	// A bypass fault of page 2 clears its own pin: the global queue
	// wakes the bypass waiter of page 1, not the -EEXIST sleeper.
	run(t, k, k.NewAccess("other", 4, mm, 2, false))
	if !waiter.Runnable(k) {
		t.Error("the bypass waiter was not woken by another entry's swapcache_clear")
	}
	if second.Runnable(k) {
		t.Error("the -EEXIST sleeper of __read_swap_cache_async was woken by a swapcache_clear")
	}
	k.Tick()
	k.Tick()
	run(t, k, first, second, winner, waiter)
	noViolations(t, k)
}
