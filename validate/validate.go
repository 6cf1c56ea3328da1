// Package validate runs the simulator under a cost profile fitted by
// swapbench probe, for exactly the configurations the probe measured on
// a real kernel, and sets the modelled kernel time beside the measured
// time: a table (plain text, 72 columns) and a plot.
//
// The comparison is a leave-one-out cross-validation: each row is
// predicted under the profile fitted again (probe.FitProfile, with the
// simulator, as swapbench probe fits) from every measured configuration
// but its own, so no row's prediction has seen the row. The prediction
// under the profile fitted on all of them (in-sample) is printed beside
// it for comparison.
//
// Each probe configuration (path, backend, comp, data) maps onto the
// simulator's own benchmark bodies, bench.Swapin and bench.Swapout, with
// the fix, sync mode and kernel base that Map chooses for the probed
// kernel. A configuration the simulator cannot run (a codec missing from
// model/codec, a backend the model lacks) is a "not simulated: ..." row.
//
// Where the held-out prediction and the measurement disagree by more
// than Tolerance, Explain names the modelled operation whose cost best
// explains the gap: each operation's share of the modelled time is found
// by running the configuration again with that operation's charge
// doubled (modelled time is linear in the charges), and the operation
// whose share, scaled, best fits the gaps of the row and of the
// configurations that differ from it in one key is the likely cause.
package validate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/probe"
	"github.com/swapbench/swapbench/runner"
)

// Tolerance is the relative disagreement beyond which a row is flagged
// and explained.
const Tolerance = 0.20

// Benchtime runs each simulated configuration for one batch of the
// swapin benchmark's 256 pages: modelled time is deterministic, so one
// batch gives the same kernel-ns/op as many, and the attribution of a
// row to its operations reruns it once per operation.
const Benchtime = "256x"

// Input is what validate reads: the probe's results, the fitted
// profile and the base profile the fit started from.
type Input struct {
	ProbeFile, ProfileFile string
	Kernel                 string // uname -r, from the results' kernel: line
	Seed                   uint64 // the content seed the probe used
	Results                []*probe.Result
	// Conditions are the results' header lines that describe the run:
	// the kernel, the CPU, the clocksource, the load and steal.
	Conditions []string
	Profile    *cost.Profile // fitted on every configuration: the in-sample predictions
	// Base is the profile the fit starts from (swapbench probe -base):
	// each leave-one-out refit starts from it, so a number that cannot
	// be fitted without the row left out is the base's.
	Base *cost.Profile
}

// Load reads the probe's results file and the cost profile, and looks up
// the base profile (a built-in name or file:PATH). Every error is one
// line naming the input and what was expected.
func Load(probeFile, profileFile, base string) (*Input, error) {
	data, err := os.ReadFile(probeFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %v; want the results file of swapbench probe", probeFile, unwrapPath(err))
	}
	results, err := probe.ReadResults(data, probeFile)
	if err != nil {
		return nil, fmt.Errorf("%v (want the results file of swapbench probe)", err)
	}
	in := &Input{ProbeFile: probeFile, ProfileFile: profileFile, Results: results, Seed: 1}
	for i, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok || strings.HasPrefix(k, "Benchmark") {
			continue
		}
		if slices.Contains(conditionKeys, k) {
			in.Conditions = append(in.Conditions, k+": "+strings.TrimSpace(v))
		}
		switch k {
		case "kernel":
			in.Kernel = strings.TrimSpace(v)
		case "seed":
			if in.Seed, err = strconv.ParseUint(strings.TrimSpace(v), 10, 64); err != nil {
				return nil, fmt.Errorf("%s:%d: seed %q: want an unsigned integer", probeFile, i+1, strings.TrimSpace(v))
			}
		}
	}
	if in.Kernel == "" {
		return nil, fmt.Errorf("%s: no \"kernel:\" header line; want the results file of swapbench probe", probeFile)
	}
	if _, ok := parseVersion(in.Kernel); !ok {
		return nil, fmt.Errorf("%s: kernel %q: want a uname -r release like 6.18.44", probeFile, in.Kernel)
	}
	if in.Profile, err = cost.Load(profileFile); err != nil {
		return nil, fmt.Errorf("%v (want a cost profile, e.g. the one swapbench probe fitted)", err)
	}
	if in.Base, err = cost.Lookup(base); err != nil {
		return nil, fmt.Errorf("base profile: %v", err)
	}
	return in, nil
}

// conditionKeys are the header lines validate prints with its tables,
// so that two runs can be compared (results from before the probe
// recorded them have only kernel and cpu).
var conditionKeys = []string{"kernel", "kernel-version", "cpu", "nproc", "probe-cpu", "clocksource", "load-start", "load-end", "run-steal-pct", "run-other-pct", "probe-pages", "probe-rounds", "probe-orders", "thp-enabled", "zswap-enabled"}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// The benchmarks compared.
const (
	Swapin  = probe.BenchSwapin  // BenchmarkKernelSwapin against bench.Swapin
	Swapout = probe.BenchSwapout // BenchmarkKernelSwapout against bench.Swapout
)

// Row is one measured configuration and its predictions.
type Row struct {
	Bench  string       // Swapin or Swapout
	Config probe.Config // Path is empty for Swapout: the page-out precedes the fork
	// Measured is the median over the probe's rounds of the mean time per
	// page, in ns.
	Measured float64
	// Spread is half the range of the rounds' times over their median,
	// in percent: which rows are noise.
	Spread float64
	// Sim is the simulator benchmark's name; Skip says why there is none
	// ("not simulated: no codec lzo").
	Sim, Skip string
	// Predicted is the simulator's kernel-ns/op under Held, the profile
	// fitted without this configuration's measurements: the held-out
	// prediction that Ratio, Off and Cause are about.
	Predicted float64
	// InSample is the kernel-ns/op under the input's profile, fitted on
	// every configuration, this one included.
	InSample float64
	// Held is the leave-one-out profile.
	Held *cost.Profile
	// Shares are the modelled operations' parts of Predicted, largest
	// first; only rows Explain compares have them.
	Shares []Share
	// Cause is the likely cause of a disagreement beyond Tolerance.
	Cause *Cause

	data string // the data class as the simulator names it
}

// Share is one modelled operation's part of a prediction.
type Share struct {
	Op string // a model.Op name, or "CODEC compress" / "CODEC decompress"
	NS float64
}

// Simulated reports whether the row has a prediction.
func (r *Row) Simulated() bool { return r.Skip == "" }

// Ratio is the held-out prediction over measured.
func (r *Row) Ratio() float64 { return r.Predicted / r.Measured }

// InSampleRatio is the in-sample prediction over measured.
func (r *Row) InSampleRatio() float64 { return r.InSample / r.Measured }

// Off reports whether prediction and measurement disagree by more than
// Tolerance.
func (r *Row) Off() bool { return r.Simulated() && outside(r.Ratio()) }

// outside reports whether a ratio is off by more than Tolerance.
func outside(ratio float64) bool { return ratio > 1+Tolerance || ratio < 1-Tolerance }

// Gap is measured minus the held-out prediction, in ns.
func (r *Row) Gap() float64 { return r.Measured - r.Predicted }

func (r *Row) share(op string) float64 {
	for _, s := range r.Shares {
		if s.Op == op {
			return s.NS
		}
	}
	return 0
}

// keys are the row's configuration keys, in the probe's order.
func (r *Row) keys() []string {
	c := r.Config
	if r.Bench == Swapout {
		return []string{c.Backend, c.Comp, c.Data}
	}
	return []string{c.Path, c.Backend, c.Comp, c.Data}
}

// Report is a validation: the inputs, the mapping and the rows.
type Report struct {
	In  *Input
	Map Mapping
	// All is the profile fitted again on every configuration, from
	// In.Base as each held-out one is; Differs lists where it differs
	// from In.Profile beyond the results file's rounding (a profile
	// fitted on another base, or before the simulator could run some
	// configurations).
	All     *cost.Profile
	Differs []Diff
	Rows    []*Row
	// Diffs are the measured differences between configurations and
	// their held-out predictions.
	Diffs []*Difference
	// Sims and Cached count the simulations run and those answered from
	// the memo.
	Sims, Cached int
}

// Refits counts the leave-one-out fits: one per simulated row.
func (rep *Report) Refits() int {
	n := 0
	for _, r := range rep.Rows {
		if r.Held != nil {
			n++
		}
	}
	return n
}

// Options control Run.
type Options struct {
	// Progress, if set, is a terminal: it gets a line redrawn in place
	// with the configurations left out so far and an ETA, cleared at the
	// end. Leave it nil for a log or a pipe.
	Progress io.Writer
}

// Run maps every configuration of in onto the simulator and, for each
// one it can run, fits the profile again without that configuration's
// measurements and predicts it under that fit (leave-one-out) and
// under in.Profile (in-sample); it then attributes the held-out
// predictions of the rows Explain compares to their operations and
// explains the rows that disagree. It stops between configurations
// when ctx is cancelled.
func Run(ctx context.Context, in *Input, opts Options) (*Report, error) {
	m, err := Map(in.Kernel)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", in.ProbeFile, err)
	}
	rep := &Report{In: in, Map: m, Rows: rows(in, m)}
	s := newSims(m, filepath.Dir(in.ProbeFile), in.Seed)
	defer func() { rep.Sims, rep.Cached = s.Runs, s.Hits }()
	if rep.All, err = refit(in, in.Results, s); err != nil {
		return nil, err
	}
	rep.Differs = diff(rep.All, in.Profile, fileRounding)
	var sim []*Row
	for _, r := range rep.Rows {
		if r.Simulated() {
			sim = append(sim, r)
		}
	}
	start := time.Now()
	if opts.Progress != nil {
		defer fmt.Fprint(opts.Progress, "\r\033[K")
	}
	for i, r := range sim {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			eta := "?"
			if i > 0 {
				eta = (time.Since(start) / time.Duration(i) * time.Duration(len(sim)-i)).Round(time.Second).String()
			}
			fmt.Fprintf(opts.Progress, "\r\033[Kleave out %d/%d ETA %s: %s", i+1, len(sim), eta, r.Sim)
		}
		if r.Held, err = refit(in, leaveOut(in.Results, r), s); err != nil {
			return nil, err
		}
		if r.Predicted, err = s.ns(r.Held, r.Bench, r.Config); err != nil {
			return nil, err
		}
		if r.InSample, err = s.ns(in.Profile, r.Bench, r.Config); err != nil {
			return nil, err
		}
	}
	for _, r := range compared(rep.Rows) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := r.attribute(s); err != nil {
			return nil, err
		}
	}
	Explain(rep.Rows)
	rep.Diffs = differences(in.Results)
	if err := rep.predictDifferences(s); err != nil {
		return nil, err
	}
	return rep, nil
}

// refit is swapbench probe's fit (probe.FitProfile from in.Base, with
// the simulator) of results. Results with nothing to fit leave every
// number the base's.
func refit(in *Input, results []*probe.Result, s *sims) (*cost.Profile, error) {
	f, err := probe.FitProfile(results, in.Base, "probe-"+in.Kernel, in.Kernel, fitOptions(s.m, s))
	if errors.Is(err, probe.ErrNoFit) {
		return in.Base, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: refitting: %v", in.ProbeFile, err)
	}
	return f.Profile, nil
}

// leaveOut is results without the measurements of r's configuration:
// for a swapin row the result of its configuration, for a page-out row
// (both paths pooled) the results of both paths. A result goes whole,
// swapin and page-out rounds together, as if the probe had never run
// the configuration.
func leaveOut(results []*probe.Result, r *Row) []*probe.Result {
	return slices.DeleteFunc(slices.Clone(results), func(x *probe.Result) bool {
		c := x.Config
		if r.Bench == Swapout {
			c.Path = ""
		}
		return c == r.Config
	})
}

// compared are the rows Explain compares: every row off by more than
// Tolerance and every simulated row one key away from one.
func compared(rows []*Row) []*Row {
	var out []*Row
	for _, r := range rows {
		if !r.Simulated() {
			continue
		}
		if r.Off() || slices.ContainsFunc(rows, func(o *Row) bool { return o.Off() && o.Bench == r.Bench && oneKeyApart(r, o) }) {
			out = append(out, r)
		}
	}
	return out
}

// rows lists the configurations the probe measured: every swapin
// configuration in file order, then every page-out configuration
// (backend, comp, data) with both paths' rounds pooled.
func rows(in *Input, m Mapping) []*Row {
	dir := filepath.Dir(in.ProbeFile)
	var out, outs []*Row
	pooled := map[probe.Config]*Row{}
	samples := map[*Row][]float64{}
	for _, res := range in.Results {
		if len(res.Rounds) == 0 {
			continue // an order-N configuration that fell back: no times
		}
		c := res.Config
		be, data, skip := runnable(c.Backend, c.Comp, c.Data, in.Profile, dir, in.Seed)
		if c.Order > 0 && skip == "" {
			// model/ swaps in 4 KiB folios only.
			skip = fmt.Sprintf("not simulated: %s folios", probe.SizeName(c.Order))
		}
		r := &Row{Bench: Swapin, Config: c, Measured: res.MedianSwapin(), Spread: halfRange(res.Rounds, func(x probe.Round) float64 { return x.SwapinNS }), Skip: skip, data: data}
		if skip == "" {
			r.Sim, _ = m.body(Swapin, c, be, data, in.Profile, in.Seed)
		}
		out = append(out, r)

		oc := c
		oc.Path = ""
		o, ok := pooled[oc]
		if !ok {
			o = &Row{Bench: Swapout, Config: oc, Skip: skip, data: data}
			if skip == "" {
				o.Sim, _ = m.body(Swapout, oc, be, data, in.Profile, in.Seed)
			}
			pooled[oc] = o
			outs = append(outs, o)
		}
		for _, x := range res.Rounds {
			samples[o] = append(samples[o], x.SwapoutNS)
		}
	}
	for _, o := range outs {
		o.Measured = probe.Median(samples[o])
		o.Spread = 50 * (slices.Max(samples[o]) - slices.Min(samples[o])) / o.Measured
	}
	return append(out, outs...)
}

// halfRange is half the range of f over the rounds over its median, in
// percent.
func halfRange(rs []probe.Round, f func(probe.Round) float64) float64 {
	v := make([]float64, len(rs))
	for i, x := range rs {
		v[i] = f(x)
	}
	if m := probe.Median(v); m > 0 {
		return 50 * (slices.Max(v) - slices.Min(v)) / m
	}
	return 0
}

// attribute runs the row under its held-out profile once per priced
// operation with that operation's charge doubled: the difference from
// the prediction is the operation's share, since modelled time is a sum
// of charges.
func (r *Row) attribute(s *sims) error {
	p := r.Held
	r.Shares = r.Shares[:0]
	for _, k := range knobs(p, r.Config.Comp, r.data) {
		q := p.Clone()
		k.double(q)
		ns, err := s.ns(q, r.Bench, r.Config)
		if err != nil {
			return fmt.Errorf("%s with %s doubled: %v", r.Sim, k.op, err)
		}
		if d := ns - r.Predicted; d > 1e-6*r.Predicted {
			r.Shares = append(r.Shares, Share{Op: k.op, NS: d})
		}
	}
	sort.SliceStable(r.Shares, func(i, j int) bool { return r.Shares[i].NS > r.Shares[j].NS })
	return nil
}

// kernelNS runs a benchmark body and returns its kernel-ns/op.
func kernelNS(f func(*testing.B)) (float64, error) {
	res, err := runner.Once(f, Benchtime)
	if err != nil {
		return 0, err
	}
	ns, ok := res.Extra["kernel-ns/op"]
	if !ok {
		return 0, fmt.Errorf("no kernel-ns/op metric")
	}
	return ns, nil
}

// knob is one priced operation that can be doubled.
type knob struct {
	op     string
	double func(*cost.Profile)
}

// knobs are every operation the profile prices, plus the codec's
// compression and decompression of data.
func knobs(p *cost.Profile, comp, data string) []knob {
	var ks []knob
	for _, op := range model.Ops() {
		c := p.Ops[op]
		if op == model.OpCompress || op == model.OpDecompress || c.Base == 0 && c.Per == 0 {
			continue
		}
		ks = append(ks, knob{op.String(), func(q *cost.Profile) {
			q.Ops[op] = cost.Charge{Base: 2 * c.Base, Per: 2 * c.Per, Source: c.Source}
		}})
	}
	cc, _ := p.Codec(comp, data)
	for _, side := range []string{"compress", "decompress"} {
		ks = append(ks, knob{comp + " " + side, func(q *cost.Profile) {
			o := cc
			ch := &o.Compress
			if side == "decompress" {
				ch = &o.Decompress
			}
			*ch = cost.Charge{Base: 2 * ch.Base, Per: 2 * ch.Per, Source: ch.Source + " (doubled)"}
			q.Codecs[comp+"/"+data] = o
		}})
	}
	return ks
}

// configLabel is "backend comp", the table's group lines.
func configLabel(c probe.Config) string { return c.Backend + " " + c.Comp }
