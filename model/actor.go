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
	StepSwapCount
	StepSwapcachePrepare
	StepSleep
	StepAllocCharge
	StepZswapFind
	StepBypassAddToSwapCache
	StepFolioAddLRU
	StepZswapLoad
	StepZswapDecompress
	StepZswapLoadPut
	StepDeviceRead
	StepFilemapGetFolio
	StepSwapcachePrepareRA
	StepChargeRA
	StepSwapCacheAddFolio
	StepAddToSwapCache
	StepNoPage
	StepFolioLockOrRetry
	StepFolioWaitLocked
	StepFolioLock
	StepMap
	StepFaultFailedLock
	StepFaultFailed
	StepOutRelease
	StepSwapcacheClear
	StepAnonFault
	StepUserWrite

	// Reclaim.
	StepIsolate
	StepTrylock
	StepAllocSwap
	StepReclaimAddToSwapCache
	StepTryToUnmap
	StepZswapStore
	StepDeviceWrite
	StepRemoveMapping

	// zswap shrinker writeback.
	StepShrinkLRU
	StepWBGetFolio
	StepWBPrepare
	StepWBAdd
	StepWBVerify
	StepWBDecompress
	StepWBWrite

	// Others.
	StepZap
	StepFork
	StepClearSoftDirty
	StepUffdWP
	StepMremap
	StepHolderLock
	StepHolderUnlock
	StepDrainSlots
	numSteps
)

var stepNames = [numSteps]string{
	StepDone:                  "(done)",
	StepHandleFault:           "handle_pte_fault",
	StepSwapCacheGetFolio:     "swap_cache_get_folio",
	StepSwapCount:             "__swap_count",
	StepSwapcachePrepare:      "swapcache_prepare",
	StepSleep:                 "schedule_timeout_uninterruptible",
	StepAllocCharge:           "mem_cgroup_swapin_charge_folio",
	StepZswapFind:             "zswap_find",
	StepBypassAddToSwapCache:  "add_to_swap_cache",
	StepFolioAddLRU:           "folio_add_lru",
	StepZswapLoad:             "zswap_load",
	StepZswapDecompress:       "zswap_decompress",
	StepZswapLoadPut:          "zswap_load:zswap_entry_put",
	StepDeviceRead:            "zram_read_page",
	StepFilemapGetFolio:       "filemap_get_folio",
	StepSwapcachePrepareRA:    "__read_swap_cache_async:swapcache_prepare",
	StepChargeRA:              "__read_swap_cache_async:charge",
	StepSwapCacheAddFolio:     "swap_cache_add_folio",
	StepAddToSwapCache:        "add_to_swap_cache",
	StepNoPage:                "pte_same(no folio)",
	StepFolioLockOrRetry:      "folio_lock_or_retry",
	StepFolioWaitLocked:       "folio_wait_locked",
	StepFolioLock:             "__folio_lock",
	StepMap:                   "pte_same+swap_free+set_pte_at",
	StepFaultFailedLock:       "folio_lock (for the fault-failed hook)",
	StepFaultFailed:           "fault-failed hook",
	StepOutRelease:            "out_release:folio_put",
	StepSwapcacheClear:        "swapcache_clear",
	StepAnonFault:             "do_anonymous_page",
	StepUserWrite:             "user write",
	StepIsolate:               "folio_isolate_lru",
	StepTrylock:               "folio_trylock",
	StepAllocSwap:             "folio_alloc_swap",
	StepReclaimAddToSwapCache: "add_to_swap_cache",
	StepTryToUnmap:            "try_to_unmap",
	StepZswapStore:            "zswap_store",
	StepDeviceWrite:           "zram_write_page",
	StepRemoveMapping:         "__remove_mapping",
	StepShrinkLRU:             "shrink_memcg_cb",
	StepWBGetFolio:            "__read_swap_cache_async",
	StepWBPrepare:             "swapcache_prepare",
	StepWBAdd:                 "add_to_swap_cache",
	StepWBVerify:              "zswap_writeback_entry:zswap_rb_search",
	StepWBDecompress:          "zswap_decompress",
	StepWBWrite:               "__swap_writepage",
	StepZap:                   "zap_pte_range",
	StepFork:                  "copy_nonpresent_pte",
	StepClearSoftDirty:        "clear_soft_dirty",
	StepUffdWP:                "uffd_wp_protect",
	StepMremap:                "move_ptes",
	StepHolderLock:            "folio_trylock(isolate)",
	StepHolderUnlock:          "folio_unlock(putback)",
	StepDrainSlots:            "drain_slots_cache",
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
	fingerprint(u func(uint64))
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
