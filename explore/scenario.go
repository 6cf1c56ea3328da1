package explore

import (
	"fmt"
	"sort"
	"strings"

	"github.com/swapbench/swapbench/model"
)

// A Scenario is a small world the explorer checks: page 0 of an address
// space has been swapped out (into zswap), and a few actors race over it.
// After every schedule, each page in Check is read back by a fresh fault
// and the quiescent invariants are checked.
type Scenario struct {
	Name string
	// Doc says in one line what races.
	Doc string
	// Big scenarios are too large to explore exhaustively: they are left
	// out of the default matrix and meant for random walks (-walk).
	Big bool
	// setup builds the actors on a kernel whose mm 0 page 0 is swapped out.
	setup func(w *world) error
}

// world is one scenario instance: a kernel, its actors and the pages to
// read back at the end.
type world struct {
	k      *model.Kernel
	mm     *model.MM
	actors []model.Actor
	check  []pageRef
}

type pageRef struct {
	mm   *model.MM
	addr uint64
}

func (w *world) add(a model.Actor) { w.actors = append(w.actors, a) }

// cpu gives each actor its own simulated CPU.
func (w *world) cpu() int { return len(w.actors) }

// addLRUDrainers adds an lru_add_drain_all work item on each of the CPUs
// (those of the scenario's faults): a fault's folio waits in its CPU's
// lru_add batch, without PG_lru, so a lock holder or reclaim on another
// CPU reaches it only after that CPU's drain (docs/kernels.md#the-lru_add-batch).
func (w *world) addLRUDrainers(cpus ...int) {
	for _, cpu := range cpus {
		w.add(w.k.NewLRUDrainer(fmt.Sprintf("lru_drain%d", cpu), cpu))
	}
}

var scenarios = []Scenario{
	{Name: "storm", Big: true, Doc: "three faults (one writes) race reclaim, the shrinker, clear_refs and a folio lock holder", setup: func(w *world) error {
		w.add(w.k.NewAccess("fault0", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewAccess("fault1", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewAccess("writer", w.cpu(), w.mm, 0, true))
		w.add(w.k.NewReclaim("reclaim", w.cpu(), w.mm, 0))
		w.add(w.k.NewShrinker("shrinker", w.cpu()))
		w.add(w.k.NewPTEChanger("clear_refs", w.cpu(), model.ChangeClearSoftDirty, w.mm, 0, nil, 0))
		w.add(w.k.NewLockHolder("isolate", w.cpu()))
		w.add(w.k.NewSlotDrainer("drain"))
		w.addLRUDrainers(0, 1, 2)
		return nil
	}},
	{Name: "retry", Doc: "a fault races reclaim isolation holding its folio lock (VM_FAULT_RETRY) once lru_add_drain_all put the folio on the LRU", setup: func(w *world) error {
		w.add(w.k.NewAccess("fault", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewLockHolder("isolate", w.cpu()))
		w.addLRUDrainers(0)
		return nil
	}},
	{Name: "pte-change", Doc: "a fault races clear_refs clearing the swap PTE's soft-dirty bit", setup: func(w *world) error {
		w.add(w.k.NewAccess("fault", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewPTEChanger("clear_refs", w.cpu(), model.ChangeClearSoftDirty, w.mm, 0, nil, 0))
		return nil
	}},
	{Name: "fork", Doc: "a fault races fork, which clears the exclusive bit and raises the swap count to 2", setup: func(w *world) error {
		child, err := w.k.NewEmptyMM(1)
		if err != nil {
			return err
		}
		w.add(w.k.NewAccess("fault", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewPTEChanger("fork", w.cpu(), model.ChangeFork, w.mm, 0, child, 0))
		w.check = append(w.check, pageRef{child, 0})
		return nil
	}},
	{Name: "concurrent", Doc: "two threads fault on the same swap PTE", setup: func(w *world) error {
		w.add(w.k.NewAccess("fault0", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewAccess("fault1", w.cpu(), w.mm, 0, false))
		return nil
	}},
	{Name: "aba", Doc: "two faults; one maps, writes and is swapped out again to the reused slot", setup: func(w *world) error {
		w.add(w.k.NewAccess("fault0", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewAccess("writer", w.cpu(), w.mm, 0, true))
		w.add(w.k.NewSlotDrainer("drain"))
		// Reclaim runs on the writer's CPU: its own lru_add_drain puts a
		// folio the writer faulted in on the LRU; fault0's needs a drain
		// of CPU 0. (One actor fewer than a drainer per fault's CPU.)
		w.add(w.k.NewReclaim("reclaim", 1, w.mm, 0))
		w.addLRUDrainers(0)
		return nil
	}},
	{Name: "reclaim", Doc: "a fault races reclaim of the same page", setup: func(w *world) error {
		w.add(w.k.NewAccess("fault", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewReclaim("reclaim", w.cpu(), w.mm, 0))
		w.addLRUDrainers(0)
		return nil
	}},
	{Name: "writeback", Doc: "a fault races the zswap shrinker writing the entry back to zram", setup: func(w *world) error {
		w.add(w.k.NewAccess("fault", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewShrinker("shrinker", w.cpu()))
		return nil
	}},
	{Name: "zap", Doc: "a fault races MADV_DONTNEED of the page", setup: func(w *world) error {
		w.add(w.k.NewAccess("fault", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewZapper("madvise", w.cpu(), w.mm, 0))
		return nil
	}},
	{Name: "charge-fail", Doc: "two faults; the first memcg charge fails", setup: func(w *world) error {
		w.k.FailNext(model.FailCharge, 1)
		w.add(w.k.NewAccess("fault0", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewAccess("fault1", w.cpu(), w.mm, 0, false))
		return nil
	}},
	{Name: "store-fail", Doc: "a fault fails after the read (soft-dirty) and the next zswap_store fails", setup: func(w *world) error {
		w.k.FailNext(model.FailZswapStore, 1)
		w.add(w.k.NewAccess("fault", w.cpu(), w.mm, 0, false))
		w.add(w.k.NewPTEChanger("clear_refs", w.cpu(), model.ChangeClearSoftDirty, w.mm, 0, nil, 0))
		return nil
	}},
}

// Scenarios returns the scenarios of the default matrix (all but the big
// ones).
func Scenarios() []Scenario {
	var out []Scenario
	for _, s := range scenarios {
		if !s.Big {
			out = append(out, s)
		}
	}
	return out
}

// ScenarioNames returns the scenario names.
func ScenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.Name
	}
	return names
}

// LookupScenario finds a scenario by name.
func LookupScenario(name string) (Scenario, error) {
	for _, s := range scenarios {
		if s.Name == name {
			return s, nil
		}
	}
	names := ScenarioNames()
	sort.Strings(names)
	return Scenario{}, fmt.Errorf("scenario %q: unknown; want one of %s", name, strings.Join(names, ", "))
}

// newWorld builds a fresh instance of s under cfg: page 0 swapped out,
// then the scenario's actors.
func newWorld(cfg model.Config, s Scenario) (*world, error) {
	cfg.CPUs = 8
	k, err := model.NewKernel(cfg)
	if err != nil {
		return nil, err
	}
	mm, err := k.NewMM(1)
	if err != nil {
		return nil, err
	}
	r := k.NewReclaim("setup", 0, mm, 0)
	if err := k.Run(r); err != nil {
		return nil, err
	}
	if r.Result != model.ReclaimFreed {
		return nil, fmt.Errorf("scenario %s: setup swapout did not free the page", s.Name)
	}
	w := &world{k: k, mm: mm, check: []pageRef{{mm, 0}}}
	if err := s.setup(w); err != nil {
		return nil, err
	}
	return w, nil
}

// clone copies the world for another branch of the search.
func (w *world) clone() *world {
	k, actors := w.k.Clone(w.actors)
	c := &world{k: k, actors: actors, mm: k.MM(w.mm.ID())}
	for _, p := range w.check {
		c.check = append(c.check, pageRef{k.MM(p.mm.ID()), p.addr})
	}
	return c
}

// verify reads every checked page back with a fresh fault, returns every
// CPU's freed slots and checks the quiescent invariants.
func (w *world) verify() error {
	for _, p := range w.check {
		a := w.k.NewAccess("verify", 0, p.mm, p.addr, false)
		if err := w.k.Run(a); err != nil {
			return err
		}
	}
	w.k.DrainSlotCaches()
	w.k.CheckQuiescent()
	return nil
}
