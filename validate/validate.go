// Package validate runs the simulator under a cost profile fitted by
// swapbench probe, for exactly the configurations the probe measured on
// a real kernel, and sets the modelled kernel time beside the measured
// time: a table (plain text, 72 columns) and a plot.
//
// Each probe configuration (path, backend, comp, data) maps onto the
// simulator's own benchmark bodies, bench.Swapin and bench.Swapout, with
// the fix, sync mode and kernel base that Map chooses for the probed
// kernel. A configuration the simulator cannot run (a codec missing from
// model/codec, a backend the model lacks) is a "not simulated: ..." row.
//
// Where prediction and measurement disagree by more than Tolerance,
// Explain names the modelled operation whose cost best explains the gap:
// each operation's share of the modelled time is found by running the
// configuration again with that operation's charge doubled (modelled
// time is linear in the charges), and the operation whose share, scaled,
// best fits the gaps of the row and of the configurations that differ
// from it in one key is the likely cause.
package validate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

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

// Input is what validate reads: the probe's results and the fitted
// profile.
type Input struct {
	ProbeFile, ProfileFile string
	Kernel                 string // uname -r, from the results' kernel: line
	Seed                   uint64 // the content seed the probe used
	Results                []*probe.Result
	Profile                *cost.Profile
	// Fitted are the numbers the profile says were fitted (its
	// "# fitted:" lines, probe.ReadFitted) and From the measurements
	// (probe.UseKey) each came from; a fitted number with none listed
	// comes from a profile written before they were.
	Fitted []string
	From   map[string][]string
}

// fittedBy lists the fitted numbers derived from the measurement key
// (probe.UseKey).
func (in *Input) fittedBy(key string) []string {
	var fs []string
	for _, f := range in.Fitted {
		if slices.Contains(in.From[f], key) {
			fs = append(fs, f)
		}
	}
	return fs
}

// Unattributed lists the fitted numbers whose measurements the profile
// does not name, so the rows they came from cannot be marked.
func (in *Input) Unattributed() []string {
	var fs []string
	for _, f := range in.Fitted {
		if len(in.From[f]) == 0 {
			fs = append(fs, f)
		}
	}
	return fs
}

// Load reads the probe's results file and the cost profile. Every error
// is one line naming the file and what was expected.
func Load(probeFile, profileFile string) (*Input, error) {
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
	// cost.Load has read it, so this read fails only in a race.
	prof, err := os.ReadFile(profileFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %v; want a cost profile", profileFile, unwrapPath(err))
	}
	in.Fitted, in.From = probe.ReadFitted(prof)
	return in, nil
}

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

// Row is one measured configuration and its prediction.
type Row struct {
	Bench  string       // Swapin or Swapout
	Config probe.Config // Path is empty for Swapout: the page-out precedes the fork
	// Measured is the median over the probe's rounds of the mean time per
	// page, in ns.
	Measured float64
	// Sim is the simulator benchmark's name; Skip says why there is none
	// ("not simulated: no codec lzo").
	Sim, Skip string
	// Predicted is the simulator's kernel-ns/op.
	Predicted float64
	// Shares are the modelled operations' parts of Predicted, largest
	// first (only on simulated rows).
	Shares []Share
	// Cause is the likely cause of a disagreement beyond Tolerance.
	Cause *Cause
	// Fitted names the profile's fitted numbers that were derived from
	// this measurement: the row is calibration, not validation. A row
	// with none is held out.
	Fitted []string

	data string                                 // the data class as the simulator names it
	run  func(p *cost.Profile) func(*testing.B) // the benchmark body under p
}

// Share is one modelled operation's part of a prediction.
type Share struct {
	Op string // a model.Op name, or "CODEC compress" / "CODEC decompress"
	NS float64
}

// Simulated reports whether the row has a prediction.
func (r *Row) Simulated() bool { return r.Skip == "" }

// Ratio is predicted over measured.
func (r *Row) Ratio() float64 { return r.Predicted / r.Measured }

// Off reports whether prediction and measurement disagree by more than
// Tolerance.
func (r *Row) Off() bool {
	return r.Simulated() && (r.Ratio() > 1+Tolerance || r.Ratio() < 1-Tolerance)
}

// Gap is measured minus predicted, in ns.
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
	In   *Input
	Map  Mapping
	Rows []*Row
}

// Options control Run.
type Options struct {
	// Progress, if set, gets one line per configuration simulated.
	Progress io.Writer
}

// Run maps every configuration of in onto the simulator, runs it under
// in.Profile, attributes each prediction to its operations and explains
// the rows that disagree. It stops between configurations when ctx is
// cancelled.
func Run(ctx context.Context, in *Input, opts Options) (*Report, error) {
	m, err := Map(in.Kernel)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", in.ProbeFile, err)
	}
	rep := &Report{In: in, Map: m, Rows: rows(in, m)}
	n := 0
	for _, r := range rep.Rows {
		if r.Simulated() {
			n++
		}
	}
	i := 0
	for _, r := range rep.Rows {
		if !r.Simulated() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		i++
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "simulate %d/%d: %s\n", i, n, r.Sim)
		}
		if err := r.simulate(in.Profile); err != nil {
			return nil, err
		}
	}
	Explain(rep.Rows)
	return rep, nil
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
		c := res.Config
		be, data, skip := runnable(c.Backend, c.Comp, c.Data, in.Profile, dir, in.Seed)
		r := &Row{Bench: Swapin, Config: c, Measured: res.MedianSwapin(), Skip: skip, data: data}
		if skip == "" {
			r.Sim, _ = m.body(Swapin, c, be, data, in.Profile, in.Seed)
			r.run = func(p *cost.Profile) func(*testing.B) { _, run := m.body(Swapin, c, be, data, p, in.Seed); return run }
		}
		r.Fitted = in.fittedBy(probe.UseKey(Swapin, c))
		out = append(out, r)

		oc := c
		oc.Path = ""
		o, ok := pooled[oc]
		if !ok {
			o = &Row{Bench: Swapout, Config: oc, Skip: skip, data: data}
			if skip == "" {
				o.Sim, _ = m.body(Swapout, oc, be, data, in.Profile, in.Seed)
				o.run = func(p *cost.Profile) func(*testing.B) {
					_, run := m.body(Swapout, oc, be, data, p, in.Seed)
					return run
				}
			}
			pooled[oc] = o
			outs = append(outs, o)
		}
		for _, x := range res.Rounds {
			samples[o] = append(samples[o], x.SwapoutNS)
		}
		for _, f := range in.fittedBy(probe.UseKey(Swapout, c)) {
			if !slices.Contains(o.Fitted, f) {
				o.Fitted = append(o.Fitted, f)
			}
		}
	}
	for _, o := range outs {
		o.Measured = median(samples[o])
	}
	return append(out, outs...)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// simulate runs the row under p for its prediction, then once per priced
// operation with that operation's charge doubled: the difference is the
// operation's share, since modelled time is a sum of charges.
func (r *Row) simulate(p *cost.Profile) error {
	base, err := kernelNS(r.run(p))
	if err != nil {
		return fmt.Errorf("%s: %v", r.Sim, err)
	}
	r.Predicted = base
	r.Shares = r.Shares[:0]
	for _, k := range knobs(p, r.Config.Comp, r.data) {
		q := p.Clone()
		k.double(q)
		ns, err := kernelNS(r.run(q))
		if err != nil {
			return fmt.Errorf("%s with %s doubled: %v", r.Sim, k.op, err)
		}
		if d := ns - base; d > 1e-6*base {
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
