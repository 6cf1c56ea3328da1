package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/swapbench/swapbench/bench"
	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/runner"
	"github.com/swapbench/swapbench/workloads"
)

func init() {
	commands["run"] = command{"run the benchmark matrix (interleaved rounds, -count 10) into a results file", cmdRun}
}

// defaultBenchtime keeps the default matrix to a few minutes on 2 cores.
const defaultBenchtime = bench.DefaultBenchtime

type runOptions struct {
	fix, sync, kernel, backend, comp string
	data, cpus, pattern              string
	bench                            string
	count                            int
	benchtime                        string
	out                              string
	profile                          string
	seed                             uint64
	resume                           bool
}

// defaultRunOptions are what `swapbench run` does unless told, and what
// `swapbench report` runs.
func defaultRunOptions() runOptions {
	return runOptions{count: 10, benchtime: defaultBenchtime, out: "results.txt", profile: "x86-2024", seed: 1}
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	o := defaultRunOptions()
	fs.StringVar(&o.fix, "fix", "", "comma-separated fixes (default all)")
	fs.StringVar(&o.sync, "sync", "", "comma-separated sync modes (default each fix's own): none, tick, waitqueue, folio-lock")
	fs.StringVar(&o.kernel, "kernel", "", "comma-separated kernel bases (default all): "+joinBases())
	fs.StringVar(&o.backend, "backend", "", "comma-separated backends (default zswap+zram,zram)")
	fs.StringVar(&o.comp, "comp", "", "comma-separated codecs (default lz4)")
	fs.StringVar(&o.data, "data", "", "comma-separated data classes, or corpus:FILE (default zero,text,anon-mix); the ZswapIndex benchmarks, which store no data, run only when -data is not given")
	fs.StringVar(&o.cpus, "cpus", "", "comma-separated simulated CPU counts of ParallelSwapin, 2 to 8 (default 2,4)")
	fs.StringVar(&o.pattern, "pattern", "", "comma-separated access patterns of ParallelSwapin on shared pages: "+strings.Join(workloads.PatternNames(), ", ")+" (default all)")
	fs.StringVar(&o.bench, "bench", "", "only benchmarks whose name matches this regexp")
	fs.IntVar(&o.count, "count", o.count, "rounds (benchstat wants 10)")
	fs.StringVar(&o.benchtime, "benchtime", o.benchtime, "go test -benchtime: a duration or Nx")
	fs.StringVar(&o.out, "o", o.out, "results file")
	fs.StringVar(&o.profile, "profile", o.profile, "cost profile: "+strings.Join(cost.Names(), ", ")+", or file:PATH")
	fs.Uint64Var(&o.seed, "seed", o.seed, "workload seed")
	fs.BoolVar(&o.resume, "resume", false, "finish an interrupted run, keeping its results")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := o.run(ctx, stderr)
	if err == nil {
		fmt.Fprintln(stdout, o.out)
	}
	return err
}

func (o runOptions) run(ctx context.Context, stderr io.Writer) error {
	prof, err := cost.Lookup(o.profile)
	if err != nil {
		return usageError{err}
	}
	var cpus []int
	for _, c := range splitList(o.cpus) {
		n, err := strconv.Atoi(c)
		if err != nil {
			return usagef("cpus %q: want CPU counts from 2 to 8", c)
		}
		cpus = append(cpus, n)
	}
	cases, err := bench.Cases(bench.Matrix{
		Fixes: splitList(o.fix), Syncs: splitList(o.sync), Kernels: splitList(o.kernel), Backends: splitList(o.backend),
		Comps: splitList(o.comp), Data: splitList(o.data), CPUs: cpus, Patterns: splitList(o.pattern),
		Profile: prof, Seed: o.seed,
	})
	if err != nil {
		return usageError{err}
	}
	if o.bench != "" {
		re, err := regexp.Compile(o.bench)
		if err != nil {
			return usagef("-bench %q: %v", o.bench, err)
		}
		var kept []runner.Case
		for _, c := range append(cases, bench.ExploreCases()...) {
			if re.MatchString(c.Name) {
				kept = append(kept, c)
			}
		}
		if cases = kept; len(cases) == 0 {
			return usagef("-bench %q matches no benchmark", o.bench)
		}
	}
	n, err := runner.Run(ctx, cases, runner.Options{
		Count: o.count, Benchtime: o.benchtime, Out: o.out, Resume: o.resume,
		Header:   header(prof.Name, o.seed, o.benchtime),
		Progress: stderr, TTY: isTerminal(stderr),
	})
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "interrupted: %d results kept in %s; finish with -resume\n", n, o.out)
		return err
	case errors.Is(err, runner.ErrOptions):
		return usageError{err}
	}
	return err
}

// header is the results file's configuration: what benchstat shows above
// its tables and what the report's set-up section reads.
func header(profile string, seed uint64, benchtime string) []string {
	version := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				version = s.Value[:12]
			}
		}
		if version == "devel" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
	}
	return []string{
		"goos: " + runtime.GOOS,
		"goarch: " + runtime.GOARCH,
		"pkg: github.com/swapbench/swapbench/bench",
		"cpu: " + cpuModel(),
		"go: " + runtime.Version(),
		"swapbench-version: " + version,
		"profile: " + profile,
		fmt.Sprintf("seed: %d", seed),
		"benchtime: " + benchtime,
		"note: kernel-ns/op is modelled kernel time from the profile; ns/op is the simulator's measured time",
		"note: the # latency-ns lines are modelled kernel time per swapin (per faulting access in ParallelSwapin), a uniform sample of up to 256 a round",
	}
}

// cpuModel is the model name from /proc/cpuinfo, or GOARCH.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
