// Package explore checks fixes for data loss over the interleavings of
// small scenarios: it drives the model's actors one named step at a time
// through every schedule within stated bounds, checks the integrity oracle
// and the invariants, and reports a verdict per (fix, sync mode, kernel
// base) with the shortest counterexample rendered as a CPU timeline.
//
// The search is explicit-state model checking: a depth-first search over
// which actor steps next, cloning the simulated kernel at each branch and
// remembering every state's fingerprint, so each reachable state within the
// depth and tick bounds is expanded once.
package explore

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"

	"github.com/swapbench/swapbench/model"
)

// Bounds limit the search.
type Bounds struct {
	// Depth is the most steps in one schedule; deeper ones are counted as
	// cut off, not explored.
	Depth int
	// Ticks is the most times time may pass (one jiffy each) in one schedule.
	Ticks int
	// MaxStates is the most distinct states one search may remember (about
	// bytesPerState each); a search that needs more stops with a
	// *LimitError instead of exhausting memory. 0 takes a limit from the
	// memory available (MaxStatesFor).
	MaxStates int
}

// bytesPerState is what the search holds per remembered state: a
// fingerprint and depth in the visited set, with the map's overhead and
// growth. A map[uint64]int of 4 million entries measured 37.7 bytes an
// entry live and 50.4 of runtime Sys after growing to it (go1.26, amd64).
const bytesPerState = 64

// MaxStatesFor is the default state limit when `parallel` searches run
// at once: together they may use half of the memory available.
func MaxStatesFor(parallel int) int {
	avail := model.MemAvailable()
	if avail == 0 {
		return 1 << 26
	}
	return int(max(avail/2/int64(max(parallel, 1))/bytesPerState, 1<<16))
}

// A LimitError is a search that needed more states than its limit.
type LimitError struct {
	Scenario  string
	MaxStates int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("scenario %s: more than %d states, the state limit (-max-states; by default from the memory available); lower -depth or -ticks, or sample with -walk",
		e.Scenario, e.MaxStates)
}

// DefaultBounds are the bounds `swapbench check` uses unless told. A
// schedule_timeout_uninterruptible(1) takes two ticks to fire (the model's
// sleep, after the timer wheel), so four ticks let a schedule hold two
// sleeps.
var DefaultBounds = Bounds{Depth: 120, Ticks: 4}

func (b Bounds) String() string {
	return fmt.Sprintf("depth<=%d ticks<=%d", b.Depth, b.Ticks)
}

func (b Bounds) validate() error {
	if b.Depth < 1 || b.Depth > 10000 || b.Ticks < 0 || b.Ticks > maxTicks {
		return fmt.Errorf("bounds %s: want depth 1-10000 and ticks 0-100", b)
	}
	if b.MaxStates < 0 {
		return fmt.Errorf("state limit %d: want 0 (from the memory available) or more", b.MaxStates)
	}
	return nil
}

// Choice is one scheduling decision: run actor i's next step, or let one
// jiffy pass (Tick).
type Choice int8

// Tick is the choice that advances time: until a sleeper wakes
// (passTime).
const Tick Choice = -1

// maxTicks bounds Bounds.Ticks, and a replayed Tick.
const maxTicks = 100

// Counterexample is a schedule that ends in a violation.
type Counterexample struct {
	Schedule []Choice
	// Preemptions counts switches away from an actor that could have
	// continued: fewer means a simpler race.
	Preemptions int
	Violations  []model.Violation
}

// Outcome is the result of exploring one scenario under one configuration.
type Outcome struct {
	Scenario string
	// States is the number of distinct states expanded.
	States int
	// Schedules counts the schedules explored: each ends finished, in a
	// violation, at a state already explored, or at the depth or tick bound.
	Schedules int
	Pruned    int // schedules that reached an explored state
	CutOff    int // schedules that hit the depth or tick bound
	Steps     int // model steps executed
	// Counterexample is the best violating schedule found: lost data
	// before other violations, then fewest preemptions, then fewest steps.
	Counterexample *Counterexample
	// Found counts the violating schedules by the kind of their first
	// violation.
	Found map[model.ViolationKind]int
}

// Explore checks one scenario under cfg within b: a depth-first search over
// every choice of which actor steps next (and when time passes), cloning
// the world at each branch and skipping states already expanded at the
// same or a smaller depth. Within the bounds it is exhaustive: every
// reachable state is expanded.
func Explore(cfg model.Config, s Scenario, b Bounds) (Outcome, error) {
	return explore(context.Background(), cfg, s, b)
}

func explore(ctx context.Context, cfg model.Config, s Scenario, b Bounds) (Outcome, error) {
	if err := b.validate(); err != nil {
		return Outcome{}, err
	}
	w, err := newWorld(cfg, s)
	if err != nil {
		return Outcome{}, err
	}
	if b.MaxStates == 0 {
		b.MaxStates = MaxStatesFor(1)
	}
	e := &explorer{ctx: ctx, s: s, b: b, seen: map[uint64]int{}, seed: maphash.MakeSeed()}
	e.out.Scenario = s.Name
	err = e.dfs(w, state{last: -1})
	return e.out, err
}

type explorer struct {
	ctx  context.Context
	s    Scenario
	b    Bounds
	seen map[uint64]int // fingerprint -> smallest depth expanded at
	seed maphash.Seed
	out  Outcome
	path []Choice
}

// state tracks what a schedule has used so far.
type state struct {
	last     int // actor that ran the previous step, -1 at the start
	preempts int
	ticks    int
	depth    int
}

func (e *explorer) dfs(w *world, st state) error {
	if len(w.k.Violations()) > 0 {
		e.out.Schedules++
		e.record(w, st)
		return nil
	}
	choices := e.enabled(w, st)
	if len(choices) == 0 {
		e.out.Schedules++
		if sleeping(w) {
			e.out.CutOff++ // out of ticks
			return nil
		}
		if undone := unfinished(w); undone != "" {
			return fmt.Errorf("scenario %s: actors deadlocked: %s (schedule %s)", e.s.Name, undone, FormatSchedule(e.path))
		}
		if err := w.verify(); err != nil {
			return err
		}
		if len(w.k.Violations()) > 0 {
			e.record(w, st)
		}
		return nil
	}
	if st.depth >= e.b.Depth {
		e.out.Schedules++
		e.out.CutOff++
		return nil
	}
	h := maphash.Hash{}
	h.SetSeed(e.seed)
	w.k.Fingerprint(&h, w.actors)
	fp := h.Sum64()
	if d, ok := e.seen[fp]; ok && d <= st.depth {
		e.out.Schedules++
		e.out.Pruned++
		return nil
	}
	if _, ok := e.seen[fp]; !ok && len(e.seen) >= e.b.MaxStates {
		return &LimitError{Scenario: e.s.Name, MaxStates: e.b.MaxStates}
	}
	e.seen[fp] = st.depth
	e.out.States++
	if e.out.States%4096 == 0 {
		if err := e.ctx.Err(); err != nil {
			return err
		}
	}
	for i, c := range choices {
		next := w
		if i < len(choices)-1 {
			next = w.clone()
		}
		nst := st
		e.apply(next, &nst, c)
		e.path = append(e.path, c)
		err := e.dfs(next, nst)
		e.path = e.path[:len(e.path)-1]
		if err != nil {
			return err
		}
	}
	return nil
}

// enabled lists the choices at this point: the actor that ran last first
// (continuing it is no preemption), then the others, then Tick.
func (e *explorer) enabled(w *world, st state) []Choice {
	var cs []Choice
	if st.last >= 0 && runnable(w, st.last) {
		cs = append(cs, Choice(st.last))
	}
	for i := range w.actors {
		if i != st.last && runnable(w, i) {
			cs = append(cs, Choice(i))
		}
	}
	if st.ticks < e.b.Ticks && sleeping(w) {
		cs = append(cs, Tick)
	}
	return cs
}

// passTime is the Tick choice: jiffies advance until a sleeper wakes, at
// most budget of them; it returns how many passed. Only sleepers read
// jiffies, so a tick that wakes nobody commutes with every other step:
// letting time run on to the next wake-up loses no state, and keeps the
// 1-2 jiffy timeout (two ticks) one choice.
func passTime(w *world, budget int) int {
	var asleep uint64 // the actors waiting for a tick, by index
	for i, a := range w.actors {
		if a.Next() != model.StepDone && a.WaitsForTick(w.k) {
			asleep |= 1 << i
		}
	}
	n := 0
	for n < budget {
		w.k.Tick()
		n++
		for i, a := range w.actors {
			if asleep&(1<<i) != 0 && a.Runnable(w.k) {
				return n
			}
		}
	}
	return n
}

func sleeping(w *world) bool {
	for _, a := range w.actors {
		if a.Next() != model.StepDone && a.WaitsForTick(w.k) {
			return true
		}
	}
	return false
}

func runnable(w *world, i int) bool {
	a := w.actors[i]
	return a.Next() != model.StepDone && a.Runnable(w.k)
}

func unfinished(w *world) string {
	s := ""
	for _, a := range w.actors {
		if a.Next() != model.StepDone {
			if s != "" {
				s += ", "
			}
			s += a.Name() + " at " + a.Next().String()
		}
	}
	return s
}

// apply runs one choice and updates the schedule's usage.
func (e *explorer) apply(w *world, st *state, c Choice) {
	e.out.Steps++
	st.depth++
	if c == Tick {
		st.ticks += passTime(w, e.b.Ticks-st.ticks)
		return
	}
	i := int(c)
	if st.last >= 0 && st.last != i && runnable(w, st.last) {
		st.preempts++
	}
	w.k.Step(w.actors[i])
	st.last = i
}

// record counts a violating schedule and keeps it if it is the best so far.
func (e *explorer) record(w *world, st state) {
	ce := &Counterexample{Schedule: append([]Choice(nil), e.path...), Preemptions: st.preempts,
		Violations: append([]model.Violation(nil), w.k.Violations()...)}
	if e.out.Found == nil {
		e.out.Found = map[model.ViolationKind]int{}
	}
	e.out.Found[ce.Violations[0].Kind]++
	if ce.better(e.out.Counterexample) {
		e.out.Counterexample = ce
	}
}

// LosesData reports whether the counterexample maps wrong bytes.
func (c *Counterexample) LosesData() bool {
	return slices.ContainsFunc(c.Violations, func(v model.Violation) bool { return v.Kind == model.LostData })
}

// better orders counterexamples: lost data first, then fewer
// preemptions, then fewer steps.
func (c *Counterexample) better(than *Counterexample) bool {
	switch {
	case than == nil:
		return true
	case c.LosesData() != than.LosesData():
		return c.LosesData()
	case c.Preemptions != than.Preemptions:
		return c.Preemptions < than.Preemptions
	}
	return len(c.Schedule) < len(than.Schedule)
}
