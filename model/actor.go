package model

import (
	"fmt"
	"strings"
)

// Step names one atomic step of an actor: one kernel critical section or
// lockless read, named after the kernel function that runs it.
type Step uint8

// The steps, grouped by actor.
const (
	StepDone Step = iota

	// do_swap_page and the user access around it (Access).
	StepHandleFault
	StepSwapCacheGetFolio
	stepSwapCount
	stepSwapcachePrepare
	stepSleep
	stepAllocCharge
	stepZswapFind
	StepBypassAddToSwapCache
	stepFolioAddLRU
	stepZswapLoad
	stepZswapDecompress
	stepZswapLoadPut
	stepDeviceRead
	stepFilemapGetFolio
	stepSwapcachePrepareRA
	stepChargeRA
	stepSwapCacheAddFolio
	stepAddToSwapCache
	stepNoPage
	StepFolioLockOrRetry
	StepFolioWaitLocked
	stepFolioLock
	StepMap
	StepFaultFailedLock
	StepFaultFailed
	stepOutRelease
	stepSwapcacheClear
	stepAnonFault
	stepUserWrite

	// Reclaim.
	stepIsolate
	stepTrylock
	stepAllocSwap
	stepReclaimAddToSwapCache
	stepTryToUnmap
	stepZswapStore
	stepDeviceWrite
	stepRemoveMapping

	// zswap shrinker writeback.
	stepShrinkLRU
	stepWBGetFolio
	stepWBPrepare
	stepWBAdd
	stepWBVerify
	stepWBDecompress
	stepWBWrite

	// Others.
	stepZap
	stepFork
	stepClearSoftDirty
	stepUffdWP
	stepMremap
	stepHolderLock
	stepHolderUnlock
	stepDrainSlots
	stepDrainLRU
	numSteps
)

var stepNames = [numSteps]string{
	StepDone:                  "(done)",
	StepHandleFault:           "handle_pte_fault",
	StepSwapCacheGetFolio:     "swap_cache_get_folio",
	stepSwapCount:             "__swap_count",
	stepSwapcachePrepare:      "swapcache_prepare",
	stepSleep:                 "schedule_timeout_uninterruptible",
	stepAllocCharge:           "mem_cgroup_swapin_charge_folio",
	stepZswapFind:             "zswap_find",
	StepBypassAddToSwapCache:  "add_to_swap_cache",
	stepFolioAddLRU:           "folio_add_lru",
	stepZswapLoad:             "zswap_load",
	stepZswapDecompress:       "zswap_decompress",
	stepZswapLoadPut:          "zswap_load:zswap_entry_put",
	stepDeviceRead:            "zram_read_page",
	stepFilemapGetFolio:       "filemap_get_folio",
	stepSwapcachePrepareRA:    "__read_swap_cache_async:swapcache_prepare",
	stepChargeRA:              "__read_swap_cache_async:charge",
	stepSwapCacheAddFolio:     "swap_cache_add_folio",
	stepAddToSwapCache:        "add_to_swap_cache",
	stepNoPage:                "pte_same(no folio)",
	StepFolioLockOrRetry:      "folio_lock_or_retry",
	StepFolioWaitLocked:       "folio_wait_locked",
	stepFolioLock:             "__folio_lock",
	StepMap:                   "pte_same+swap_free+set_pte_at",
	StepFaultFailedLock:       "folio_lock (for the fault-failed hook)",
	StepFaultFailed:           "fault-failed hook",
	stepOutRelease:            "out_release:folio_put",
	stepSwapcacheClear:        "swapcache_clear",
	stepAnonFault:             "do_anonymous_page",
	stepUserWrite:             "user write",
	stepIsolate:               "folio_isolate_lru",
	stepTrylock:               "folio_trylock",
	stepAllocSwap:             "folio_alloc_swap",
	stepReclaimAddToSwapCache: "add_to_swap_cache",
	stepTryToUnmap:            "try_to_unmap",
	stepZswapStore:            "zswap_store",
	stepDeviceWrite:           "zram_write_page",
	stepRemoveMapping:         "__remove_mapping",
	stepShrinkLRU:             "shrink_memcg_cb",
	stepWBGetFolio:            "__read_swap_cache_async",
	stepWBPrepare:             "swapcache_prepare",
	stepWBAdd:                 "add_to_swap_cache",
	stepWBVerify:              "zswap_writeback_entry:zswap_rb_search",
	stepWBDecompress:          "zswap_decompress",
	stepWBWrite:               "__swap_writepage",
	stepZap:                   "zap_pte_range",
	stepFork:                  "copy_nonpresent_pte",
	stepClearSoftDirty:        "clear_soft_dirty",
	stepUffdWP:                "uffd_wp_protect",
	stepMremap:                "move_ptes",
	stepHolderLock:            "folio_isolate_lru+folio_trylock",
	stepHolderUnlock:          "folio_unlock+folio_putback_lru",
	stepDrainSlots:            "drain_slots_cache",
	stepDrainLRU:              "lru_add_drain_per_cpu",
}

func (s Step) String() string {
	if s < numSteps {
		return stepNames[s]
	}
	return fmt.Sprintf("step(%d)", uint8(s))
}

// Path is the way a fault brought its page in.
type Path uint8

// The paths.
const (
	PathNone      Path = iota
	PathBypass         // read into a private folio (SWP_SYNCHRONOUS_IO, count 1)
	PathSwapCache      // found in, or read through, the swap cache
	PathAnon           // do_anonymous_page: a zero page for a none PTE
)

var pathNames = [...]string{"none", "bypass", "swapcache", "anon"}

func (p Path) String() string {
	if int(p) < len(pathNames) {
		return pathNames[p]
	}
	return "path?"
}

// An Actor is one thread of control on one simulated CPU, written as a
// sequence of named atomic steps. Only the model implements Actor; drive
// actors with Kernel.Step and Kernel.Run.
type Actor interface {
	// Name identifies the actor in timelines ("fault0", "reclaim").
	Name() string
	// CPU is the simulated CPU the actor runs on.
	CPU() int
	// Next is the step Step would run; StepDone once finished.
	Next() Step
	// Runnable reports whether Next can run now: false while the actor
	// waits for a folio lock, a tick or a wake-up.
	Runnable(k *Kernel) bool
	// WaitsForTick reports whether only the passing of time (Kernel.Tick)
	// can make the actor runnable.
	WaitsForTick(k *Kernel) bool

	// Err says why the actor could not be made (bad input to its
	// constructor); such an actor never runs, and Run returns the error.
	Err() error

	step(k *Kernel)
	fingerprint(w *fpWriter)
}

// actorBase is what every actor has.
type actorBase struct {
	id   int
	cpu  int
	name string
	pc   Step
	err  error
}

func (b *actorBase) Name() string                { return b.name }
func (b *actorBase) CPU() int                    { return b.cpu }
func (b *actorBase) Next() Step                  { return b.pc }
func (b *actorBase) Runnable(*Kernel) bool       { return b.pc != StepDone }
func (b *actorBase) WaitsForTick(k *Kernel) bool { return false }
func (b *actorBase) Err() error                  { return b.err }

func (k *Kernel) newBase(name string, cpu int, first Step) actorBase {
	k.nextActor++
	b := actorBase{id: k.nextActor, cpu: cpu, name: name, pc: first}
	if cpu < 0 || cpu >= len(k.cpus) {
		b.fail(fmt.Errorf("%s: cpu %d: want 0 to %d", name, cpu, len(k.cpus)-1))
	}
	return b
}

// fail marks the actor as made from bad input.
func (b *actorBase) fail(err error) {
	if b.err == nil {
		b.err = err
	}
	b.pc = StepDone
	b.cpu = 0
}

// checkPage validates an actor's page argument.
func (b *actorBase) checkPage(what string, mm *MM, addr uint64) {
	switch {
	case mm == nil:
		b.fail(fmt.Errorf("%s: %s: no address space", b.name, what))
	case addr >= uint64(len(mm.ptes)):
		b.fail(fmt.Errorf("%s: %s page %d: address space has %d pages", b.name, what, addr, len(mm.ptes)))
	}
}

// Step runs a's next step if it is runnable and reports whether it ran.
func (k *Kernel) Step(a Actor) bool {
	if a.Next() == StepDone || !a.Runnable(k) {
		return false
	}
	k.cpu = a.CPU()
	k.running = a
	a.step(k)
	k.running = nil
	return true
}

// Run steps the actors round-robin until all are done, advancing time when
// every unfinished actor is asleep. It fails if they deadlock.
func (k *Kernel) Run(actors ...Actor) error {
	for _, a := range actors {
		if err := a.Err(); err != nil {
			return err
		}
	}
	for {
		progress, sleeping, done := false, false, true
		for _, a := range actors {
			if a.Next() == StepDone {
				continue
			}
			done = false
			if k.Step(a) {
				progress = true
			} else if a.WaitsForTick(k) {
				sleeping = true
			}
		}
		switch {
		case done:
			return nil
		case !progress && sleeping:
			k.Tick()
		case !progress:
			var stuck []string
			for _, a := range actors {
				if a.Next() != StepDone {
					stuck = append(stuck, a.Name()+" at "+a.Next().String())
				}
			}
			return fmt.Errorf("deadlock: %s", strings.Join(stuck, ", "))
		}
	}
}

// RunUntil steps a alone until its next step is s (or it finishes); it
// fails if a blocks first. Tests and benchmarks use it to stop a fault at
// the point where another actor should interfere.
func (k *Kernel) RunUntil(a Actor, s Step) error {
	if err := a.Err(); err != nil {
		return err
	}
	for a.Next() != s {
		if a.Next() == StepDone {
			return fmt.Errorf("%s finished before reaching %s", a.Name(), s)
		}
		if !k.Step(a) {
			if a.WaitsForTick(k) {
				k.Tick()
				continue
			}
			return fmt.Errorf("%s blocked at %s before reaching %s", a.Name(), a.Next(), s)
		}
	}
	return nil
}
