// Package bench holds swapbench's benchmark bodies. The same bodies run
// under `go test -bench` (bench_test.go) and in the swapbench binary
// (`swapbench run`, through the runner package), with the same
// key=value names, so `benchstat -col /fix` works on either.
//
// Every swapin benchmark reports, besides ns/op (the simulator's own
// measured time, which only ranks the paths):
//
//	kernel-ns/op     modelled kernel time, from the cost profile
//	zswap-lookups/op zswap index lookups
//	swapcache-ops/op swap cache adds and deletes
//	recompress-B/op  bytes compressed again (writeback-on-failure)
//	dup-B/op         zswap bytes still held for the page once it is mapped
//	lost-pages       pages the integrity oracle saw lost (total)
//
// A variant the race explorer calls safe must report lost-pages 0; the
// benchmark fails otherwise. The model runs with FastOracle: the oracle
// compares the checksum carried with the data, because hashing 4 KiB per
// swapin would cost more than the simulated path itself.
package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/explore"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/runner"
	"github.com/swapbench/swapbench/workloads"
)

// batch is how many pages a swapin benchmark swaps out, with the timer
// stopped, before it times swapping them back in one per op: the timer's
// stop/start (which reads memory statistics) is paid once per batch.
const batch = 256

// Matrix selects benchmarks. Empty lists mean the defaults.
type Matrix struct {
	Fixes, Kernels, Backends, Comps, Data []string
	Profile                               *cost.Profile
	Seed                                  uint64
	Short                                 bool // the small matrix for go test -short
}

func (m Matrix) defaults() Matrix {
	if len(m.Kernels) == 0 {
		m.Kernels = []string{"v6.8", "v6.9", "v6.10"}
	}
	if len(m.Backends) == 0 {
		m.Backends = []string{"zswap+zram", "zram"}
	}
	if len(m.Comps) == 0 {
		m.Comps = []string{"lz4"}
	}
	if len(m.Data) == 0 {
		m.Data = []string{"zero", "text", "anon-mix"}
		if m.Short {
			m.Data = []string{"text"}
		}
	}
	if m.Short && len(m.Kernels) == 3 {
		m.Kernels = []string{"v6.9"}
	}
	if m.Profile == nil {
		m.Profile, _ = cost.Lookup("x86-2024")
	}
	if m.Seed == 0 {
		m.Seed = 1
	}
	return m
}

// Cases returns the benchmark bodies the matrix selects, named like go
// test names sub-benchmarks (without the -GOMAXPROCS suffix).
func Cases(m Matrix) ([]runner.Case, error) {
	m = m.defaults()
	var vs []fixes.Variant
	all, err := fixes.Matrix(m.Fixes, nil, m.Kernels)
	if err != nil {
		return nil, err
	}
	for _, v := range all {
		if v.Sync == v.Fix.DefaultSync() {
			vs = append(vs, v)
		}
	}
	for _, c := range m.Comps {
		if _, ok := m.Profile.Codecs[c]; !ok {
			return nil, fmt.Errorf("codec %q: cost profile %s has none; want one of lz4, zstd, deflate", c, m.Profile.Name)
		}
	}
	var cases []runner.Case
	add := func(name string, f func(*testing.B)) { cases = append(cases, runner.Case{Name: name, F: f}) }
	for _, v := range vs {
		for _, be := range m.Backends {
			backend, err := model.ParseBackend(be)
			if err != nil {
				return nil, err
			}
			for _, comp := range m.Comps {
				for _, data := range m.Data {
					if _, err := workloads.NewContent(data, m.Seed); err != nil {
						return nil, err
					}
					s := swapin{v: v, backend: backend, comp: comp, data: data, profile: m.Profile, seed: m.Seed}
					add(fmt.Sprintf("BenchmarkSwapin/%s/backend=%s/comp=%s/data=%s", v, be, comp, data), s.run)
				}
			}
		}
	}
	for _, v := range vs {
		for _, comp := range m.Comps {
			s := swapin{v: v, backend: model.BackendZswapZram, comp: comp, data: "text", profile: m.Profile, seed: m.Seed, fail: true}
			add(fmt.Sprintf("BenchmarkFailedSwapin/%s/backend=zswap+zram/comp=%s/data=text/event=pte-change", v, comp), s.run)
		}
	}
	for _, comp := range m.Comps {
		for _, data := range m.Data {
			s := swapout{comp: comp, data: data, profile: m.Profile, seed: m.Seed}
			add(fmt.Sprintf("BenchmarkSwapout/kernel=v6.9/backend=zswap+zram/comp=%s/data=%s", comp, data), s.run)
		}
	}
	sizes := []int{1 << 10, 1 << 14, 1 << 18, 1 << 20}
	if m.Short {
		sizes = sizes[:2]
	}
	for _, kn := range m.Kernels {
		kb, err := model.ParseKernelBase(kn)
		if err != nil {
			return nil, err
		}
		for _, n := range sizes {
			ix := index{kernel: kb, entries: n, profile: m.Profile}
			add(fmt.Sprintf("BenchmarkZswapIndex/kernel=%s/entries=%d/op=lookup", kn, n), ix.run)
		}
	}
	return cases, nil
}

// ExploreCases are benchmarks of the race explorer itself.
func ExploreCases() []runner.Case {
	var cases []runner.Case
	for _, sc := range []string{"aba", "concurrent"} {
		for _, fx := range []string{"merged", "exclusive"} {
			cases = append(cases, runner.Case{
				Name: fmt.Sprintf("BenchmarkExplore/fix=%s/scenario=%s", fx, sc),
				F:    exploreBody(fx, sc),
			})
		}
	}
	return cases
}

func exploreBody(fix, scenario string) func(*testing.B) {
	return func(b *testing.B) {
		f, _ := fixes.Lookup(fix)
		s, _ := explore.LookupScenario(scenario)
		cfg, err := explore.Config(fixes.Variant{Fix: f, Sync: f.DefaultSync(), Kernel: model.V6_9}, 0)
		if err != nil {
			b.Fatal(err)
		}
		schedules := 0
		for b.Loop() {
			out, err := explore.Explore(cfg, s, explore.DefaultBounds)
			if err != nil {
				b.Fatal(err)
			}
			schedules += out.Schedules
		}
		b.ReportMetric(float64(schedules)/b.Elapsed().Seconds(), "schedules/s")
	}
}

// safe reports whether the explorer calls the variant safe on the paths
// these benchmarks exercise (docs/verdicts.md): everything with a pin
// except exclusive; writeback-on-failure only while its store succeeds.
func safe(v fixes.Variant) bool {
	return v.Fix.Name != "exclusive" && v.Sync != model.SyncNone
}

// newKernel builds the benchmark's kernel with an accounter.
func newKernel(b *testing.B, cfg model.Config, p *cost.Profile, comp, data string, seed uint64) (*model.Kernel, *cost.Accounter) {
	c, err := workloads.NewContent(data, seed)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Content = c
	cfg.ZswapCodec, cfg.ZramCodec = comp, comp
	cfg.FastOracle = true
	if cfg.SwapPages == 0 {
		cfg.SwapPages = 4 * batch
	}
	acct, err := cost.NewAccounter(p, comp, 2)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Accounter = acct
	k, err := model.NewKernel(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return k, acct
}

func nameOf(parts ...string) string { return strings.Join(parts, "/") }
