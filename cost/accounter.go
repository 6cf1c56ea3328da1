package cost

import (
	"fmt"
	"math"

	"github.com/swapbench/swapbench/model"
)

// Accounter charges every op the model reports to the CPU that did it,
// from a Profile. It implements model.Accounter without allocating.
//
// Driven by a Sched it also keeps a modelled clock per CPU and models
// contention (see Sched); otherwise it only sums charges. Either way a
// schedule_timeout_uninterruptible(1) lasts until the second jiffy
// boundary after it began (jiffy boundaries fall at multiples of 1e9/HZ
// ns of modelled time): the timer wheel rounds the timeout up so that it
// never fires early (calc_index, kernel/time/timer.c), so the sleep
// lasts 1 to 2 jiffies, 1.5 on average over phases.
type Accounter struct {
	p     *Profile
	codec CodecCost
	tick  float64

	// NS is the modelled time charged to each CPU: its operations and,
	// under a Sched, its lock waits, sleeps and blocked waits.
	NS []float64
	// LockWaitNS is the time spent waiting for locks other CPUs held,
	// by lock op (pte_lock, cluster_lock, zswap_tree_lock,
	// zram_slot_lock). Only a Sched produces waits.
	LockWaitNS [model.NumOps]float64
	// SleepNS is the time spent in schedule_timeout_uninterruptible(1),
	// on the swapcache wait queue or not.
	SleepNS float64
	// BlockedNS is the time actors spent blocked until another CPU's step
	// let them go on (a folio lock); only a Sched produces it.
	BlockedNS float64
	// CompressedBytes sums the output of every compression charged.
	CompressedBytes int64
	// Off stops charging (benchmarks turn it off while they set up).
	Off bool

	// Contention state, used under a Sched.
	sched   bool
	clock   []float64 // each CPU's position in modelled time
	held    []uint64  // the lock key each CPU holds in its current step, 0 if none
	sleepAt []float64 // when a sleep began, NaN if not sleeping
	// nextTick is the modelled time of the next jiffy boundary: Sched
	// ticks the model's jiffies as the clocks pass it.
	nextTick float64
	locks    [lockSlots]lockState
}

// lockSlots is the size of the table of lock release times. Only locks
// released later than some CPU's clock matter, a handful at a time, so a
// small direct-mapped table loses (and underestimates) a wait only when
// two such locks collide.
const lockSlots = 256

type lockState struct {
	key   uint64 // op<<56 | instance, +1 so that 0 is empty
	owner int
	until float64 // modelled time the lock was released
}

// NewAccounter charges from p, with codec's costs for pages of data class
// data ("" for the codec's general costs), on cpus simulated CPUs.
func NewAccounter(p *Profile, codec, data string, cpus int) (*Accounter, error) {
	cc, ok := p.Codec(codec, data)
	if !ok {
		return nil, fmt.Errorf("cost profile %s: no costs for codec %q; want one of %v", p.Name, codec, p.CodecNames())
	}
	if cpus < 1 {
		return nil, fmt.Errorf("accounter for %d CPUs: want at least 1", cpus)
	}
	a := &Accounter{
		p: p, codec: cc, tick: p.TickNS(),
		NS:      make([]float64, cpus),
		clock:   make([]float64, cpus),
		held:    make([]uint64, cpus),
		sleepAt: make([]float64, cpus),
	}
	a.nextTick = a.tick
	for i := range a.sleepAt {
		a.sleepAt[i] = math.NaN()
	}
	return a, nil
}

// Profile returns the profile the accounter charges from.
func (a *Accounter) Profile() *Profile { return a.p }

// isLock reports whether op is a spinlock acquisition whose n names the
// lock instance.
func isLock(op model.Op) bool {
	switch op {
	case model.OpPTELock, model.OpClusterLock, model.OpZswapTreeLock, model.OpZramSlotLock:
		return true
	}
	return false
}

// Account implements model.Accounter.
func (a *Accounter) Account(cpu int, op model.Op, n int) {
	if a.Off || cpu < 0 || cpu >= len(a.NS) {
		return
	}
	var ns float64
	switch op {
	case model.OpCompress:
		ns = a.codec.Compress.NS(n)
		a.CompressedBytes += int64(n)
	case model.OpDecompress:
		ns = a.codec.Decompress.NS(n)
	case model.OpSleepTick:
		ns = a.p.Ops[op].NS(n) // switching out and back in
		if a.sched {
			// The sleep lasts until the model wakes the sleeper:
			// when its timeout fires (Sched.tick), or earlier on the
			// wait queue (Sched.wake).
			a.release(cpu) // nobody sleeps holding a spinlock
			a.sleepAt[cpu] = a.clock[cpu] + ns
			break
		}
		// Without a Sched nothing else keeps time: the CPU's own clock
		// places the sleep in a jiffy, and it ends at the (n+1)th
		// boundary after.
		at := a.clock[cpu] + ns
		sleep := (math.Floor(at/a.tick)+1+float64(n))*a.tick - at
		ns += sleep
		a.SleepNS += sleep
	default:
		ns = a.p.Ops[op].NS(n)
		if a.sched && isLock(op) {
			a.acquire(cpu, op, n)
		}
	}
	a.NS[cpu] += ns
	a.clock[cpu] += ns
}

// acquire takes lock (op, n) for cpu, waiting until its last holder
// released it, and holds it until the CPU's next lock or the end of its
// step.
func (a *Accounter) acquire(cpu int, op model.Op, n int) {
	key := uint64(op)<<56 | uint64(uint32(n)) + 1
	a.release(cpu)
	s := &a.locks[slot(key)]
	if s.key == key && s.owner != cpu && s.until > a.clock[cpu] {
		w := s.until - a.clock[cpu]
		a.LockWaitNS[op] += w
		a.NS[cpu] += w
		a.clock[cpu] = s.until
	}
	s.key, s.owner, s.until = key, cpu, math.Inf(1)
	a.held[cpu] = key
}

// release ends cpu's critical section, if any, at its current time.
func (a *Accounter) release(cpu int) {
	key := a.held[cpu]
	if key == 0 {
		return
	}
	a.held[cpu] = 0
	if s := &a.locks[slot(key)]; s.key == key && s.owner == cpu {
		s.until = a.clock[cpu]
	}
}

func slot(key uint64) int { return int((key * 0x9e3779b97f4a7c15) >> (64 - 8)) }

// Reset forgets everything charged, the clocks and the locks, and turns
// charging on.
func (a *Accounter) Reset() {
	clear(a.NS)
	clear(a.clock)
	clear(a.held)
	for i := range a.sleepAt {
		a.sleepAt[i] = math.NaN()
	}
	a.nextTick = a.tick
	a.locks = [lockSlots]lockState{}
	a.LockWaitNS = [model.NumOps]float64{}
	a.SleepNS, a.BlockedNS = 0, 0
	a.CompressedBytes = 0
	a.Off = false
}

// Total is the modelled time charged on all CPUs.
func (a *Accounter) Total() float64 {
	t := 0.0
	for _, v := range a.NS {
		t += v
	}
	return t
}

// LockWaits is the total time spent waiting for locks.
func (a *Accounter) LockWaits() float64 {
	t := 0.0
	for _, v := range a.LockWaitNS {
		t += v
	}
	return t
}

// Clock returns cpu's position in modelled time (under a Sched).
func (a *Accounter) Clock(cpu int) float64 { return a.clock[cpu] }

// Barrier moves every CPU's clock to the latest one, without charging
// the idle time: the CPUs start something together.
func (a *Accounter) Barrier() {
	m := 0.0
	for _, c := range a.clock {
		m = max(m, c)
	}
	for i := range a.clock {
		a.clock[i] = m
	}
}
