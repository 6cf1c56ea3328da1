package validate

import (
	"fmt"
	"strings"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/probe"
)

// sims runs probe configurations in the simulator and memoizes the
// results. Modelled time is deterministic: the same benchmark body under
// the same numbers gives the same kernel-ns/op, so a result is keyed by
// the configuration and every number of the profile the simulation can
// read (HZ, each op's charge and the codec's costs for the data class,
// as the accounter resolves them); a profile that differs only in
// numbers the configuration never sees (another codec, a name, a
// source) hits. Leave-one-out refits simulate the same zero-page
// configurations under many profiles, most of them equal in what those
// configurations see.
//
// Simulations cannot run in parallel in one process: testing.Benchmark,
// which runs the bodies, holds a process-wide lock for each run
// (benchmarkLock in testing.(*B).runN), so sims is not safe for
// concurrent use and needs none.
type sims struct {
	m    Mapping
	dir  string
	seed uint64
	memo map[simKey]float64
	// Runs counts the simulations run, Hits those answered from memo.
	Runs, Hits int
}

// simKey is a configuration and what the simulator reads of a profile
// for it.
type simKey struct {
	bench  string
	c      probe.Config
	hz     int
	ops    [model.NumOps][2]float64
	codec  [4]float64
	data   string // the data class as the simulator names it (a corpus path)
	absent bool   // the profile lacks the codec
}

func newSims(m Mapping, dir string, seed uint64) *sims {
	return &sims{m: m, dir: dir, seed: seed, memo: map[simKey]float64{}}
}

// ns is the modelled kernel time per page of the probe configuration c
// for bench (Swapin or Swapout) under p: probe.FitOptions.Simulate's
// contract. A configuration the simulator cannot run is an error
// wrapping probe.ErrNotSimulated.
func (s *sims) ns(p *cost.Profile, bench string, c probe.Config) (float64, error) {
	be, data, skip := runnable(c.Backend, c.Comp, c.Data, p, s.dir, s.seed)
	if skip != "" {
		return 0, fmt.Errorf("%w: %s", probe.ErrNotSimulated, strings.TrimPrefix(skip, "not simulated: "))
	}
	k := simKey{bench: bench, c: c, hz: p.HZ, data: data}
	for i, ch := range p.Ops {
		k.ops[i] = [2]float64{ch.Base, ch.Per}
	}
	cc, ok := p.Codec(c.Comp, data)
	k.codec = [4]float64{cc.Compress.Base, cc.Compress.Per, cc.Decompress.Base, cc.Decompress.Per}
	k.absent = !ok
	if v, ok := s.memo[k]; ok {
		s.Hits++
		return v, nil
	}
	name, run := s.m.body(bench, c, be, data, p, s.seed)
	v, err := kernelNS(run)
	if err != nil {
		return 0, fmt.Errorf("%s: %v", name, err)
	}
	s.Runs++
	s.memo[k] = v
	return v, nil
}
