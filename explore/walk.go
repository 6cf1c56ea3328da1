package explore

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/swapbench/swapbench/model"
)

func validWalk(n int) error {
	if n < 1 || n > 100_000_000 {
		return fmt.Errorf("walk of %d schedules: want 1 to 100000000", n)
	}
	return nil
}

// Walk checks a scenario too big to explore exhaustively: n random
// schedules, each choosing uniformly among the enabled choices at every
// step, from a generator seeded with seed. The same seed, n and bounds
// give the same outcome.
func Walk(cfg model.Config, s Scenario, b Bounds, seed uint64, n int) (Outcome, error) {
	return walk(context.Background(), cfg, s, b, seed, n)
}

func walk(ctx context.Context, cfg model.Config, s Scenario, b Bounds, seed uint64, n int) (Outcome, error) {
	if err := b.validate(); err != nil {
		return Outcome{}, err
	}
	if err := validWalk(n); err != nil {
		return Outcome{}, err
	}
	root, err := newWorld(cfg, s)
	if err != nil {
		return Outcome{}, err
	}
	e := &explorer{ctx: ctx, s: s, b: b}
	e.out.Scenario = s.Name
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for range n {
		if err := ctx.Err(); err != nil {
			return e.out, err
		}
		w := root.clone()
		st := state{last: -1}
		e.path = e.path[:0]
		e.out.Schedules++
		for {
			if len(w.k.Violations()) > 0 {
				e.record(w, st)
				break
			}
			choices := e.enabled(w, st)
			if len(choices) == 0 {
				if sleeping(w) {
					e.out.CutOff++
					break
				}
				if undone := unfinished(w); undone != "" {
					return e.out, fmt.Errorf("scenario %s: actors deadlocked: %s (schedule %s)", s.Name, undone, FormatSchedule(e.path))
				}
				if err := w.verify(); err != nil {
					return e.out, err
				}
				if len(w.k.Violations()) > 0 {
					e.record(w, st)
				}
				break
			}
			if st.depth >= b.Depth {
				e.out.CutOff++
				break
			}
			c := choices[rng.IntN(len(choices))]
			e.apply(w, &st, c)
			e.path = append(e.path, c)
		}
	}
	return e.out, nil
}
