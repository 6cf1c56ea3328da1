package cost

import (
	"fmt"
	"math"
	"strings"

	"github.com/swapbench/swapbench/model"
)

// Sched runs actors of one model.Kernel on several simulated CPUs in
// modelled-time order, so that the Accounter can charge contention. It is
// a small discrete-event simulation:
//
//   - Each CPU has a clock: the modelled time its charged work has
//     reached. Sched always steps the runnable actor whose CPU's clock is
//     earliest (ties: the lowest index), so what a CPU does at time t
//     sees every other CPU's work before t.
//   - A spinlock op (pte_lock, cluster_lock, zswap_tree_lock,
//     zram_slot_lock; n names the instance) starts a critical section
//     that lasts until the CPU's next lock op or the end of its step
//     (the model's steps are critical sections). A CPU taking a lock that
//     another CPU released later than its own clock spins until then:
//     the wait is charged to it (LockWaitNS). So the v6.8 single zswap
//     tree makes CPUs wait, v6.9's tree per 64 MiB of swap does not when
//     they fault in different 64 MiB, and v6.10's lock-free xa_load takes
//     no lock at all. Model: nested critical sections end at the inner
//     lock, which understates a held outer lock (the PTE lock around
//     swap_free, say).
//   - Jiffy boundaries fall every 1e9/HZ ns of modelled time. The model's
//     jiffies advance when the earliest runnable CPU's clock passes the
//     next boundary, or, when nothing can run, at the boundary a sleeper
//     waits for. schedule_timeout_uninterruptible(1) in jiffy J wakes at
//     the boundary that makes jiffies J+2 (the model's rule, the timer
//     wheel's round-up), so it lasts 1 to 2 jiffies of the sleeper's
//     time. A wait-queue sleep ends earlier if another CPU's step wakes
//     it, at that CPU's time. Model: a step that crosses a boundary
//     runs in the jiffy it began in.
//   - An actor blocked until another CPU's step lets it go on (a folio
//     lock) resumes at that CPU's time; the difference is BlockedNS.
//
// All of this time counts in the Accounter's NS: it is the kernel time
// the faulting thread experiences, not the CPU time it burns. Sched does
// not allocate.
type Sched struct {
	k       *model.Kernel
	a       *Accounter
	actors  []model.Actor
	blocked []bool
}

// NewSched drives actors on k, charging a (which must be k's accounter)
// with contention.
func NewSched(k *model.Kernel, a *Accounter, actors []model.Actor) (*Sched, error) {
	for _, x := range actors {
		if err := x.Err(); err != nil {
			return nil, err
		}
		if x.CPU() >= len(a.NS) {
			return nil, fmt.Errorf("%s on cpu %d: the accounter has %d CPUs", x.Name(), x.CPU(), len(a.NS))
		}
	}
	a.sched = true
	return &Sched{k: k, a: a, actors: actors, blocked: make([]bool, len(actors))}, nil
}

// Actors returns the actors, in the order given.
func (s *Sched) Actors() []model.Actor { return s.actors }

// Step runs one step: of the runnable actor whose CPU is earliest in
// modelled time, after letting a jiffy pass if a sleeper's tick is due
// first. It returns the index of the actor that ran, or -1 when every
// actor is done, and an error if the actors deadlock.
func (s *Sched) Step() (int, error) {
	a := s.a
	for {
		// One pass: the earliest runnable actor, the actors blocked now
		// (to wake those the step unblocks) and whether any sleeper
		// waits for a tick (WaitsForTick implies not runnable).
		next, done, waits := -1, true, false
		for i, x := range s.actors {
			s.blocked[i] = false
			if x.Next() == model.StepDone {
				continue
			}
			done = false
			if !x.Runnable(s.k) {
				s.blocked[i] = true
				waits = waits || x.WaitsForTick(s.k)
				continue
			}
			if next < 0 || a.clock[x.CPU()] < a.clock[s.actors[next].CPU()] {
				next = i
			}
		}
		if done {
			return -1, nil
		}
		if next < 0 && !waits {
			return 0, s.deadlock()
		}
		if next < 0 || a.nextTick <= a.clock[s.actors[next].CPU()] {
			s.tick()
			continue
		}
		x := s.actors[next]
		cpu := x.CPU()
		s.k.Step(x)
		a.release(cpu)
		for i, y := range s.actors {
			if s.blocked[i] && y.Runnable(s.k) {
				s.wake(y.CPU(), cpu)
			}
		}
		return next, nil
	}
}

// Run steps until every actor is done.
func (s *Sched) Run() error {
	for {
		i, err := s.Step()
		if err != nil || i < 0 {
			return err
		}
	}
}

// tick advances the model's jiffies by one, at the next boundary; the
// sleepers whose timeout fires there wake at it.
func (s *Sched) tick() {
	s.k.Tick()
	a := s.a
	now := a.nextTick
	a.nextTick += a.tick
	for _, x := range s.actors {
		cpu := x.CPU()
		if at := a.sleepAt[cpu]; !math.IsNaN(at) && x.Runnable(s.k) {
			a.advance(cpu, max(now, at), &a.SleepNS)
			a.sleepAt[cpu] = math.NaN()
		}
	}
}

// wake lets cpu go on at waker's time: the end of a wait-queue sleep
// (before its timeout, which tick handles) or of a blocked wait.
func (s *Sched) wake(cpu, waker int) {
	a := s.a
	if at := a.sleepAt[cpu]; !math.IsNaN(at) {
		a.advance(cpu, max(a.clock[waker], at), &a.SleepNS)
		a.sleepAt[cpu] = math.NaN()
		return
	}
	a.advance(cpu, a.clock[waker], &a.BlockedNS)
}

// advance moves cpu's clock to t if that is later, charging the wait to
// the CPU and to sum.
func (a *Accounter) advance(cpu int, t float64, sum *float64) {
	if w := t - a.clock[cpu]; w > 0 {
		a.clock[cpu] = t
		a.NS[cpu] += w
		*sum += w
	}
}

func (s *Sched) deadlock() error {
	var stuck []string
	for _, x := range s.actors {
		if x.Next() != model.StepDone {
			stuck = append(stuck, fmt.Sprintf("%s at %s", x.Name(), x.Next()))
		}
	}
	return fmt.Errorf("deadlock: %s", strings.Join(stuck, ", "))
}
