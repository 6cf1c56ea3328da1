package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/explore"
	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/plots"
	"github.com/swapbench/swapbench/report"
)

func init() {
	commands["report"] = command{"run the benchmarks (or take -in results) and the explorer; write report.txt, report.md and plots", cmdReport}
}

func cmdReport(args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("report", stderr)
	outDir := fs.String("o", "out", "directory for report.txt, report.md, results and plots")
	in := fs.String("in", "", "comma-separated results files to report on instead of running the benchmarks")
	noCheck := fs.Bool("no-check", false, "leave out the race explorer's verdicts")
	filter := fs.String("filter", "", "benchstat filter for the comparison and plots (default all)")
	resume := fs.Bool("resume", false, "finish the benchmark run of an interrupted report, keeping its results")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	undo, err := writableDir(*outDir)
	if err != nil {
		return usageError{err}
	}
	defer undo(&err)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var files, commandLines, took []string
	if *in != "" {
		files = splitList(*in)
		commandLines = append(commandLines, "swapbench report -in "+*in)
	} else {
		results := filepath.Join(*outDir, "results.txt")
		opts := defaultRunOptions()
		opts.out, opts.resume = results, *resume
		start := time.Now()
		n, err := runForReport(ctx, opts, stderr)
		if err != nil {
			return err
		}
		took = append(took, fmt.Sprintf("benchmarks %.0f s", time.Since(start).Seconds()))
		files = []string{results}
		commandLines = append(commandLines, "swapbench run -count 1 -o "+results,
			fmt.Sprintf("swapbench run -count %d -bench '%s' -resume -o %s", n, measuredBench, results))
	}
	set, err := report.Read(files...)
	if err != nil {
		return usageError{err}
	}
	r := &report.Report{
		Title: "swapbench: the swapin fast path under each proposed fix",
		Setup: report.Setup{
			Machine:   machine(),
			GoVersion: runtime.Version(),
			Profile:   configValue(set, "profile"),
			Seed:      configValue(set, "seed"),
			Kernel:    "modelled bases " + joinBases() + "; host " + hostKernel(),
			Commands:  commandLines,
			Bounds:    "not run (-no-check)",
			Rounds:    rounds(set),
		},
	}
	r.Setup.ProfileSource = profileSource(r.Setup.Profile)
	// The latency section and figure: a readable selection of the
	// samples (every configuration records one).
	lat := *set
	if lat.Latency, err = selectLatency(set.Latency, *filter); err != nil {
		return usageError{err}
	}
	r.Latency = lat.Latency
	// Compare every fix with what went in (25cd241408a2).
	base := fixes.Baseline().Name
	if !slices.ContainsFunc(set.Results, func(r *benchfmt.Result) bool { return strings.Contains(string(r.Name), "fix="+base+"/") }) {
		base = ""
	}
	if r.Comparison, err = set.Compare(report.Options{Filter: *filter, Base: base}); err != nil {
		return usageError{err}
	}
	var checked []explore.Result
	if !*noCheck {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "running the race explorer over the default matrix...")
		var verdicts string
		start := time.Now()
		verdicts, checked, err = explorerVerdicts(ctx, stderr)
		took = append(took, fmt.Sprintf("race explorer %.0f s", time.Since(start).Seconds()))
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "interrupted in the race explorer; nothing written to %s; the results read (%s) are complete: swapbench report -in %s\n",
				*outDir, strings.Join(files, ", "), strings.Join(files, ","))
			return err
		}
		if err != nil {
			return err
		}
		r.Verdicts = verdicts
		r.Setup.Commands = append(r.Setup.Commands, "swapbench check")
		r.Setup.Bounds = explore.DefaultBounds.String() + ", every scenario, exhaustive within them"
	}
	r.Setup.Took = strings.Join(took, ", ")
	if r.Answer, err = answer(set, checked); err != nil {
		// A partial results file (report -in) may lack the
		// configuration the answer reads; the rest still stands.
		r.Answer = []string{"No answer: " + err.Error()}
		fmt.Fprintln(stderr, "no answer:", err)
	}
	if r.Bases, err = basesSection(set); err != nil {
		return err
	}
	plotDir := filepath.Join(*outDir, "plots")
	if err := os.MkdirAll(plotDir, 0o755); err != nil {
		return fmt.Errorf("plots %s: %w", plotDir, err)
	}
	figs, err := plots.FromSet(&lat, *filter)
	if err != nil {
		return err
	}
	more, err := expectedCost(set)
	switch {
	case errors.Is(err, errNoPathCosts):
		fmt.Fprintf(stderr, "no expected-cost figures: %v\n", err)
	case err != nil:
		return fmt.Errorf("expected-cost figures: %w", err)
	}
	figs = append(figs, more...)
	saved, err := plots.Save(plotDir, figs)
	if err != nil {
		return err
	}
	for _, p := range saved {
		rel, _ := filepath.Rel(*outDir, p)
		r.Plots = append(r.Plots, rel)
	}
	written, err := r.WriteFiles(*outDir)
	if err != nil {
		return err
	}
	for _, p := range append(written, files...) {
		fmt.Fprintln(stdout, p)
	}
	fmt.Fprintf(stdout, "%d plot files in %s\n", len(saved), plotDir)
	return nil
}

// defaultLatency selects the latency samples the report shows when no
// -filter is given: faults on pages two CPUs share, scanned in the same
// order, per fix and sync mode, where the pin's one-tick sleep and the
// wait queue part (one line per fix and sync mode: a figure of every
// pattern too would have 24 curves).
const defaultLatency = ".name:ParallelSwapin /kernel:v6.9 /cpus:2 /pages:shared /pattern:sequential"

// selectLatency keeps the samples whose names pass filter; with no
// filter, those defaultLatency selects, or all if it selects none (results
// with other latency samples).
func selectLatency(lats []*report.Latency, filter string) ([]*report.Latency, error) {
	if filter == "" {
		if keep, err := selectLatency(lats, defaultLatency); err != nil || len(keep) > 0 {
			return keep, err
		}
		return lats, nil
	}
	f, err := benchproc.NewFilter(filter)
	if err != nil {
		return nil, fmt.Errorf("-filter %s: %v", filter, err)
	}
	var keep []*report.Latency
	for _, l := range lats {
		r := &benchfmt.Result{Name: benchfmt.Name(l.Name), Values: []benchfmt.Value{{Value: 1, Unit: "latency-ns"}}}
		if m, _ := f.Match(r); m.Any() {
			keep = append(keep, l)
		}
	}
	return keep, nil
}

// explorerVerdicts runs the default check and renders it with one
// counterexample timeline per losing fix; it returns the results too.
func explorerVerdicts(ctx context.Context, stderr io.Writer) (string, []explore.Result, error) {
	vs, err := fixes.Matrix(nil, nil, nil)
	if err != nil {
		return "", nil, err
	}
	defer explorerGC()()
	scs := explore.Scenarios()
	start := time.Now()
	progress, clear := checkProgress(stderr, len(vs))
	rs, err := explore.CheckContext(ctx, explore.Options{Variants: vs, Scenarios: scs, Bounds: explore.DefaultBounds, Progress: progress})
	clear()
	if err != nil {
		return "", nil, err
	}
	elapsed := time.Since(start)
	traces, err := explore.Traces(rs)
	if err != nil {
		return "", nil, err
	}
	return explore.FormatSummary(rs, traces, scs, explore.DefaultBounds, elapsed), rs, nil
}

// answerKernel is the base the report's answer reads, the one README's
// text uses; the other bases are checked for the same cheapest fix.
const answerKernel = model.V6_9

// answer is the top of the report: every fix under the sync mode it was
// proposed with, its verdict on answerKernel (from rs, if the explorer
// ran) and its modelled cost against the baseline.
func answer(set *report.Set, rs []explore.Result) ([]string, error) {
	a := report.Answer{Kernel: answerKernel.String(), Backend: model.BackendZswapZram.String(), Comp: "lz4", Data: "text", Event: "pte-change"}
	a.SyncOn = map[string]map[string]string{}
	for _, kb := range model.KernelBases() {
		if kb == answerKernel {
			continue
		}
		a.Bases = append(a.Bases, kb.String())
		a.SyncOn[kb.String()] = map[string]string{}
		for _, f := range fixes.All() {
			if d := f.DefaultSyncOn(kb); d != f.DefaultSync() {
				a.SyncOn[kb.String()][f.Name] = d.String()
			}
		}
	}
	for _, f := range fixes.All() {
		p := report.Proposal{Fix: f.Name, Sync: f.DefaultSync().String(), Baseline: f.Baseline, Control: f.Control}
		for _, r := range rs {
			if r.Variant.Fix == f && r.Variant.Sync == f.DefaultSync() && r.Variant.Kernel == answerKernel {
				p.Verdict, p.Scenario = string(r.Verdict), r.Scenario
				if s, err := explore.LookupScenario(r.Scenario); err == nil {
					p.Race = s.Doc
				}
			}
		}
		a.Proposals = append(a.Proposals, p)
	}
	return a.Lines(set)
}

func joinBases() string {
	var names []string
	for _, kb := range model.KernelBases() {
		names = append(names, kb.String())
	}
	return strings.Join(names, " ")
}

// runForReport runs opts's matrix as the report needs it. Modelled
// kernel time and the counters are the same in every round, so one
// round of the whole matrix gives them; only the simulator's measured
// ns/op needs rounds, and the report reads it (findings, the
// simulator-time tables) from the Swapin benchmarks only, so they alone
// get opts.count rounds, resumed into the same file. It returns that
// count.
func runForReport(ctx context.Context, opts runOptions, stderr io.Writer) (int, error) {
	modelled := opts
	modelled.count = 1
	if err := modelled.run(ctx, stderr); err != nil {
		return 0, err
	}
	measured := opts
	measured.bench, measured.resume = measuredBench, true
	return opts.count, measured.run(ctx, stderr)
}

// measuredBench selects the benchmarks whose measured ns/op the report
// reads, which get all of defaultRunOptions' rounds; the rest run once.
const measuredBench = "^BenchmarkSwapin/"

// rounds says how many results each benchmark has: the n of the medians.
func rounds(s *report.Set) string {
	n := map[string]int{}
	for _, r := range s.Results {
		n[string(r.Name)]++
	}
	lo, hi := 0, 0
	for _, c := range n {
		if lo == 0 || c < lo {
			lo = c
		}
		hi = max(hi, c)
	}
	if lo == hi {
		return fmt.Sprintf("%d rounds of each benchmark; modelled kernel time is the same in every round, ns/op (the simulator's own time) is measured", lo)
	}
	if lo == 1 {
		return fmt.Sprintf("1 round of each benchmark for the modelled units, which are the same in every round (deterministic); %d rounds where ns/op, the simulator's measured time, is read", hi)
	}
	return fmt.Sprintf("%d to %d rounds of each benchmark", lo, hi)
}

// profileSource counts where a built-in profile's op charges come from;
// "" for a profile it cannot look up.
func profileSource(name string) string {
	p, err := cost.Lookup(name)
	if err != nil {
		return ""
	}
	kinds := map[string]int{}
	n := 0
	for _, c := range p.Ops {
		if c.Source == "" {
			continue
		}
		n++
		kind, _, _ := strings.Cut(c.Source, ":")
		switch kind {
		case "assumed", "derived", "measured":
			kinds[kind]++
		default:
			kinds["cited"]++
		}
	}
	var parts []string
	for _, k := range []string{"cited", "measured", "derived", "assumed"} {
		if kinds[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
		}
	}
	return fmt.Sprintf("(of %d op charges: %s; swapbench profiles lists each source)", n, strings.Join(parts, ", "))
}

func configValue(s *report.Set, key string) string {
	for _, r := range s.Results {
		for _, c := range r.Config {
			if c.Key == key {
				return string(c.Value)
			}
		}
	}
	return ""
}

// machine describes the host: cores, CPU model and memory.
func machine() string {
	cpu := cpuModel()
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %d GiB", (kb+(1<<19))>>20)
		}
	}
	return fmt.Sprintf("%d cores, %s%s", runtime.NumCPU(), cpu, mem)
}

func hostKernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return runtime.GOOS
	}
	return "Linux " + strings.TrimSpace(string(b))
}
