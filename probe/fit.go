package probe

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/model"
)

// Note is a derived number that has no slot in a cost profile.
type Note struct {
	Name   string
	NS     float64
	Source string
}

func (n Note) String() string {
	return fmt.Sprintf("# derived %s = %.0f ns source=%q", n.Name, n.NS, n.Source)
}

// Fit is a cost profile fitted from differences between configurations.
type Fit struct {
	Profile *cost.Profile // the base profile with the measured numbers replaced
	Fitted  []string      // what was replaced: "op NAME" or "codec NAME decompress"
	// From maps each of Fitted to the measurements it was derived from,
	// as UseKey names them, so that validate can tell the rows that set
	// a number (calibration) from the ones held out.
	From  map[string][]string
	Notes []Note
}

// The probe's two measurements of a configuration, as FitOptions.Simulate
// and UseKey name them.
const (
	BenchSwapin  = "Swapin"  // one touch of a swapped-out page
	BenchSwapout = "Swapout" // MADV_PAGEOUT time per page
)

// UseKey names one measurement a fit used: "Swapin/" or "Swapout/"
// followed by the configuration's key.
func UseKey(bench string, c Config) string { return bench + "/" + c.Key() }

// use records that fitted number name was derived from the measurement
// bench of c.
func (f *Fit) use(name, bench string, c Config) {
	if f.From == nil {
		f.From = map[string][]string{}
	}
	if k := UseKey(bench, c); !slices.Contains(f.From[name], k) {
		f.From[name] = append(f.From[name], k)
	}
}

// fitted adds name to Fitted with the measurements it came from.
func (f *Fit) fitted(name, bench string, from ...Config) {
	f.Fitted = append(f.Fitted, name)
	for _, c := range from {
		f.use(name, bench, c)
	}
}

// fittedPrefix starts the comment lines that list the fitted numbers:
// "# fitted: NAME from: USEKEY USEKEY ...".
const fittedPrefix, fittedFrom = "# fitted: ", " from: "

// Write writes the notes and the fitted lines (each with the
// measurements it came from) as comments, then the profile in the cost
// file format (cost.Parse reads it back; ReadFitted reads the fitted
// lines).
func (f *Fit) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# fitted by swapbench probe; numbers whose source starts \"measured\" come from this run,\n# the others are the base profile's; each fitted line names the measurements it came from\n")
	for _, s := range f.Fitted {
		b.WriteString(fittedPrefix + s)
		if from := f.From[s]; len(from) > 0 {
			b.WriteString(fittedFrom + strings.Join(from, " "))
		}
		b.WriteString("\n")
	}
	for _, n := range f.Notes {
		fmt.Fprintln(&b, n)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return f.Profile.Write(w)
}

// ReadFitted reads the fitted lines of a profile written by Fit.Write:
// the names of the fitted numbers in file order and, for each, the
// measurements (UseKey) it came from; a profile written before the
// lines named them gives a name with none.
func ReadFitted(data []byte) (names []string, from map[string][]string) {
	from = map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(line, fittedPrefix)
		if !ok {
			continue
		}
		name, keys, _ := strings.Cut(rest, fittedFrom)
		name = strings.TrimSpace(name)
		names = append(names, name)
		from[name] = append(from[name], strings.Fields(keys)...)
	}
	return names, from
}

// ErrNotSimulated is what a FitOptions.Simulate error wraps for a
// configuration the simulator cannot run (a codec or backend it lacks):
// the fit leaves that configuration out and says so in the source.
var ErrNotSimulated = errors.New("not simulated")

// ErrNoFit is FitProfile's error for results with nothing to fit: no
// pair of configurations to difference. A caller that refits subsets
// (swapbench validate's leave-one-out) treats it as "every number stays
// the base profile's".
var ErrNoFit = errors.New("fit: no pair of configurations to difference; want bypass and swapcache paths or zero and random data")

// FitOptions extend FitProfile.
type FitOptions struct {
	// SwapTable says the kernel's swap cache is the swap table (v6.18
	// and later, 3f036ad8b978): the swap cache path's add is charged to
	// swap_table_add, the op the model charges on that base, instead of
	// the xarray's swap_cache_add.
	SwapTable bool
	// Zeromap says zero pages go to the swap zeromap (v6.12 and later,
	// 0ca0c24e3211), as the model then has them: a zero page-out writes
	// nothing, so the codec compress lines, fitted against it, hold
	// zram's whole write path, and device_write is charged there.
	Zeromap bool
	// Simulate, if set, is the simulator: the modelled kernel time per
	// page (kernel-ns/op) of the probe configuration c under profile p,
	// for bench BenchSwapin or BenchSwapout (c.Path is empty for a
	// page-out, which precedes the fork). It lets the fit set the
	// per-page base costs that no difference between configurations
	// shows: do_swap_page from the zero-page bypass swapins and
	// try_to_unmap_one from the zero-page page-outs. The probe package
	// does not import the simulator; cmd/swapbench passes
	// validate.FitOptions. Without it those costs stay the base profile's.
	Simulate func(p *cost.Profile, bench string, c Config) (ns float64, err error)
}

// compressible reports whether data is a class the codecs actually work on:
// not zero (the swap zeromap handles it) and not random (stored as-is).
func compressible(data string) bool { return data != "zero" && data != "random" }

// FitProfile fits kernel costs from probe results, starting from base
// (which it copies), named name; kernel names the kernel in every source.
//
//   - swap_cache_add (swap_table_add with opts.SwapTable): median over configurations on zram (with or without
//     zswap) of swapin(path=swapcache) minus swapin(path=bypass). The timed swapcache path adds the folio to
//     the swap cache but does not delete it (the child still holds the
//     entry), so the whole difference is charged to the add.
//   - device_read (zram): median over zram algorithms of the bypass swapin
//     of a random page (zram stores it as-is: a copy, no decompression)
//     minus that of a zero page (no device I/O: swap zeromap).
//   - codec C decompress: least squares of y = bypass swapin(data) -
//     swapin(random) over the compressible data classes on zram with
//     algorithm C, against x = zram's compressed bytes per page.
//   - codec C compress: the same on page-out times against zero pages
//     (which never reach zram); it includes zram's write overhead.
//   - notes: zswap+zram minus zram for the same codec and data (bypass):
//     zswap's load (index lookup, zpool map, decompress) minus zram's read.
//
// With opts.Simulate, last, from the profile fitted so far:
//
//   - do_swap_page (charged once per swapin): median over the zero-page
//     bypass swapins on synchronous backends (no zswap or zram I/O: the
//     swap zeromap) of measured minus the simulator's prediction for the
//     same configuration with do_swap_page at 0: every per-fault cost
//     the model does not itemise (exception entry and exit, the page
//     walk, the probe's loop, what a VM adds).
//   - try_to_unmap_one: the same over the zero-page page-outs (both
//     paths' rounds pooled, as validate pools them) with it at 0. It is
//     the one op the model charges exactly once per page-out and never
//     on a swapin, so it takes every per-page cost of MADV_PAGEOUT that
//     the model's reclaim (isolation to __remove_mapping) leaves out:
//     the madvise call and page-table walk, isolation, the TLB flush.
//
// Configurations the simulator cannot run (ErrNotSimulated) are left
// out of these medians and named in the source.
func FitProfile(results []*Result, base *cost.Profile, name, kernel string, opts FitOptions) (*Fit, error) {
	if base == nil {
		return nil, fmt.Errorf("fit: no base profile")
	}
	// The model swaps in 4 KiB folios only: order-N results fit nothing.
	results = slices.DeleteFunc(slices.Clone(results), func(r *Result) bool { return r.Order != 0 || r.Fallback != "" })
	p := base.Clone() // every field of the base, its own codec map
	p.Name = name
	if p.Codecs == nil {
		p.Codecs = map[string]cost.CodecCost{}
	}
	f := &Fit{Profile: p}
	find := func(path, backend, comp, data string) *Result {
		return Find(results, Config{Path: path, Backend: backend, Comp: comp, Data: data})
	}

	// swap cache add.
	var diffs []float64
	var pairs []Config
	for _, r := range results {
		if r.Path != PathSwapcache || !synchronous(r.Backend) {
			continue // on a swap file both paths take the swap cache
		}
		if b := find(PathBypass, r.Backend, r.Comp, r.Data); b != nil && len(b.Rounds) > 0 && len(r.Rounds) > 0 {
			diffs = append(diffs, r.MedianSwapin()-b.MedianSwapin())
			pairs = append(pairs, r.Config, b.Config)
		}
	}
	if len(diffs) > 0 {
		m := Median(diffs)
		op := model.OpSwapCacheAdd
		if opts.SwapTable {
			op = model.OpSwapTableAdd
		}
		p.Ops[op] = cost.Charge{Base: clamp(m), Source: fmt.Sprintf(
			"measured: swapbench probe on %s, median over %d configurations of swapin(path=swapcache) - swapin(path=bypass) = %.0fns; the timed swap cache path adds but does not delete (a child holds the entry), so all of it is charged here", kernel, len(diffs), m)}
		f.fitted("op "+op.String(), BenchSwapin, pairs...)
	}

	// zram device read overhead, then per-codec fits on zram.
	comps := compsOf(results, BackendZram)
	var reads []float64
	var readFrom []Config
	readOf := map[string]float64{}
	for _, c := range comps {
		rnd, z := find(PathBypass, BackendZram, c, "random"), find(PathBypass, BackendZram, c, "zero")
		if rnd == nil || z == nil {
			continue
		}
		d := rnd.MedianSwapin() - z.MedianSwapin()
		readOf[c] = d
		reads = append(reads, d)
		readFrom = append(readFrom, rnd.Config, z.Config)
	}
	if len(reads) > 0 {
		m := Median(reads)
		p.Ops[model.OpDeviceRead] = cost.Charge{Base: clamp(m), Source: fmt.Sprintf(
			"measured: swapbench probe on %s, median over %d zram algorithms of bypass swapin(data=random, stored as-is) - swapin(data=zero, no device I/O) = %.0fns: bio, zram slot lookup and a 4 KiB copy", kernel, len(reads), m)}
		f.fitted("op device_read", BenchSwapin, readFrom...)
	}
	var writeFrom []Config
	for _, c := range comps {
		var xs, ys, xo, yo []float64
		var used []string
		var inFrom, outFrom []Config
		z := find(PathBypass, BackendZram, c, "zero")
		rnd := find(PathBypass, BackendZram, c, "random")
		for _, r := range results {
			if r.Path != PathBypass || r.Backend != BackendZram || r.Comp != c || !compressible(r.Data) || r.ComprBytes <= 0 {
				continue
			}
			used = append(used, r.Data)
			if rd, ok := readOf[c]; ok && z != nil {
				xs = append(xs, r.ComprBytes)
				ys = append(ys, r.MedianSwapin()-z.MedianSwapin()-rd)
				inFrom = append(inFrom, r.Config, z.Config, rnd.Config)
			}
			if z != nil {
				xo = append(xo, r.ComprBytes)
				yo = append(yo, r.MedianSwapout()-z.MedianSwapout())
				outFrom = append(outFrom, r.Config, z.Config)
			}
		}
		if len(used) == 0 {
			continue
		}
		cc := p.Codecs[c]
		what := strings.Join(used, ",")
		if len(xs) > 0 {
			b, per := linfit(xs, ys)
			cc.Decompress = cost.Charge{Base: clamp(b), Per: clamp(per), Source: fmt.Sprintf(
				"measured: swapbench probe on %s, zram comp=%s bypass swapin(data) - swapin(data=random: zram read overhead and a 4 KiB copy, no decompression) fitted against zram compressed bytes/page over data=%s (%s)", kernel, c, what, pts(xs, ys))}
			f.fitted("codec "+c+" decompress", BenchSwapin, inFrom...)
		}
		if len(xo) > 0 {
			b, per := linfit(xo, yo)
			cc.Compress = cost.Charge{Base: clamp(b), Per: clamp(per), Source: fmt.Sprintf(
				"measured: swapbench probe on %s, zram comp=%s MADV_PAGEOUT per page(data) - (zero) fitted against zram compressed bytes/page over data=%s (%s); includes zram's write path", kernel, c, what, pts(xo, yo))}
			f.fitted("codec "+c+" compress", BenchSwapout, outFrom...)
			writeFrom = append(writeFrom, outFrom...)
		}
		p.Codecs[c] = cc
	}
	if opts.Zeromap && len(writeFrom) > 0 {
		// Against a zeromap zero page-out, which writes nothing, the
		// compress lines took in zram's write path: charging
		// device_write too would count it twice.
		p.Ops[model.OpDeviceWrite] = cost.Charge{Source: fmt.Sprintf(
			"measured: swapbench probe on %s: inside the fitted codec compress lines (page-out against a zero page, which the swap zeromap writes nowhere)", kernel)}
		f.fitted("op device_write", BenchSwapout, writeFrom...)
	}

	// zswap in front of zram minus zram alone, same codec and data.
	for _, c := range compsOf(results, BackendZswapZram) {
		var d []float64
		var used []string
		for _, r := range results {
			if r.Path != PathBypass || r.Backend != BackendZswapZram || r.Comp != c || !compressible(r.Data) {
				continue
			}
			if z := find(PathBypass, BackendZram, c, r.Data); z != nil {
				d = append(d, r.MedianSwapin()-z.MedianSwapin())
				used = append(used, r.Data)
			}
		}
		if len(d) > 0 {
			f.Notes = append(f.Notes, Note{Name: "zswap_load-minus-zram_read comp=" + c, NS: Median(d), Source: fmt.Sprintf(
				"measured: swapbench probe on %s, median over data=%s of bypass swapin(backend=zswap+zram) - swapin(backend=zram), both comp=%s: zswap index lookup and zpool map minus zram's bio and slot path, decompression cancels", kernel, strings.Join(used, ","), c)})
		}
	}
	// The bypass zero-page swapin: the fault path with no I/O at all.
	var zs []float64
	for _, r := range results {
		if r.Path == PathBypass && r.Data == "zero" && synchronous(r.Backend) {
			zs = append(zs, r.MedianSwapin())
		}
	}
	if len(zs) > 0 {
		f.Notes = append(f.Notes, Note{Name: "bypass-zero-page-swapin", NS: Median(zs), Source: fmt.Sprintf(
			"measured: swapbench probe on %s, median over %d configurations of the bypass swapin of a zero page (swap zeromap: no zswap, no zram); compare 13ddaf26be32's 4.17us zram zero-page swapin of 2024", kernel, len(zs))})
	}
	if opts.Simulate != nil {
		if err := f.fitBase(results, kernel, opts.Simulate); err != nil {
			return nil, err
		}
	}
	if len(f.Fitted) == 0 && len(f.Notes) == 0 {
		return nil, ErrNoFit
	}
	return f, nil
}

// zeroPage is one zero-page measurement the per-page base costs are
// fitted on, and the results it pools.
type zeroPage struct {
	c    Config
	ns   float64
	from []Config
}

// fitBase fits do_swap_page on the zero-page bypass swapins and
// try_to_unmap_one on the zero-page page-outs, each against the
// simulator under the profile fitted so far (FitOptions.Simulate).
func (f *Fit) fitBase(results []*Result, kernel string, sim func(*cost.Profile, string, Config) (float64, error)) error {
	var in, out []zeroPage
	pooled := map[Config][]Round{}
	outFrom := map[Config][]Config{}
	for _, r := range results {
		if r.Data != "zero" || len(r.Rounds) == 0 {
			continue
		}
		if r.Path == PathBypass && synchronous(r.Backend) {
			in = append(in, zeroPage{r.Config, r.MedianSwapin(), []Config{r.Config}})
		}
		oc := r.Config
		oc.Path = ""
		if _, ok := pooled[oc]; !ok {
			out = append(out, zeroPage{c: oc})
		}
		pooled[oc] = append(pooled[oc], r.Rounds...)
		outFrom[oc] = append(outFrom[oc], r.Config)
	}
	for i := range out {
		c := out[i].c
		out[i].ns = roundsMedian(pooled[c], func(x Round) float64 { return x.SwapoutNS })
		out[i].from = outFrom[c]
	}
	if err := f.fitOne(model.OpFault, BenchSwapin, in, kernel, sim,
		"bypass swapins of a zero page (swap zeromap: no zswap or zram I/O)",
		"every per-fault cost the model does not itemise: exception entry and exit, handle_mm_fault's page walk, get_swap_device, the probe's loop and what this machine (a VM, other load) adds to each fault"); err != nil {
		return err
	}
	f.baseline(results, kernel)
	return f.fitOne(model.OpUnmapPage, BenchSwapout, out, kernel, sim,
		"MADV_PAGEOUT times per zero page (both paths' rounds pooled; the swap zeromap keeps them from zswap and zram)",
		"charged to try_to_unmap_one, the one op the model charges exactly once per page-out and never on a swapin: every per-page cost of MADV_PAGEOUT that the model's reclaim (isolation to __remove_mapping) leaves out, the madvise call and page-table walk, isolation, the rmap walk and the TLB flush")
}

// Baseline is the measured cost of faults that do no swap work, from the
// rounds of every order-0 result (median of the rounds' baselines).
type Baseline struct {
	MinorFault, AnonFault float64 // ns per fault; 0 when not measured
	Timer                 float64 // the per-folio clock reads' control, ns
}

// Baselines is the median over results' rounds of their baselines.
func Baselines(results []*Result) Baseline {
	var minor, anon, timer []float64
	for _, r := range results {
		if r.Order != 0 {
			continue
		}
		for _, x := range r.Rounds {
			if x.MinorFaultNS != 0 {
				minor = append(minor, x.MinorFaultNS)
				anon = append(anon, x.AnonFaultNS)
				timer = append(timer, x.TimerNS)
			}
		}
	}
	return Baseline{Median(minor), Median(anon), Median(timer)}
}

// FaultNote names the derived note that sets do_swap_page's fitted
// fixed part beside the measured baseline fault.
const FaultNote = "do_swap_page-minus-minor-fault"

// baseline sets beside the fitted do_swap_page the measured cost of a
// fault that does no swap work (Round.MinorFaultNS: entry and exit, the
// page walk, the PTE), and says in a note what the fit had to invent
// beyond it: the rest is per-fault work the model does not itemise (or
// this machine adds). Results from before the probe measured the
// baseline get no note.
func (f *Fit) baseline(results []*Result, kernel string) {
	b := Baselines(results)
	fit := f.Profile.Ops[model.OpFault]
	if b.MinorFault <= 0 || !strings.HasPrefix(fit.Source, "measured") {
		return
	}
	rest := fit.Base - b.MinorFault
	verdict := fmt.Sprintf("within 2x of the measured fault (x%.2f)", fit.Base/b.MinorFault)
	if fit.Base > 2*b.MinorFault {
		verdict = fmt.Sprintf("the fit invents %.0f ns per fault beyond the measured fault (x%.2f): work the zero-page swapin does that the model does not itemise or undercharges (the anonymous first-touch fault, which allocates, zeroes and charges a page, measured %.0f ns)", rest, fit.Base/b.MinorFault, b.AnonFault)
	}
	fit.Source += fmt.Sprintf("; of it %.0f ns is the measured minor fault and %.0f ns what the fit adds to it (%s)", b.MinorFault, rest, FaultNote)
	f.Profile.Ops[model.OpFault] = fit
	f.Notes = append(f.Notes, Note{Name: FaultNote, NS: rest, Source: fmt.Sprintf(
		"measured: swapbench probe on %s, fitted do_swap_page %.0f ns - measured minor fault %.0f ns (median over the rounds of a write fault on a page-cache page not mapped: entry and exit, page walk, PTE; no allocation, no I/O); %s", kernel, fit.Base, b.MinorFault, verdict)})
}

// fitOne sets op's base cost to the median over ms of measured minus
// the simulated time of the same configuration with op at 0. With no
// configuration simulated it leaves op alone.
func (f *Fit) fitOne(op model.Op, bench string, ms []zeroPage, kernel string, sim func(*cost.Profile, string, Config) (float64, error), what, stands string) error {
	q := f.Profile.Clone()
	q.Ops[op] = cost.Charge{Source: "0 for the fit"}
	var gaps []float64
	var pts, skipped []string
	var from []Config
	for _, m := range ms {
		rest, err := sim(q, bench, m.c)
		if errors.Is(err, ErrNotSimulated) {
			skipped = append(skipped, m.c.Backend+" "+m.c.Comp)
			continue
		}
		if err != nil {
			return fmt.Errorf("fit %s: simulating %s: %v", op, UseKey(bench, m.c), err)
		}
		gaps = append(gaps, m.ns-rest)
		pts = append(pts, fmt.Sprintf("%s %s: %.0f-%.0f", m.c.Backend, m.c.Comp, m.ns, rest))
		from = append(from, m.from...)
	}
	if len(gaps) == 0 {
		return nil
	}
	g := Median(gaps)
	src := fmt.Sprintf("measured: swapbench probe on %s, median over %d %s of measured - the simulator's prediction for the same configuration with %s at 0 under this fitted profile (%s) = %.0fns",
		kernel, len(gaps), what, op, strings.Join(pts, "; "), g)
	if len(skipped) > 0 {
		src += fmt.Sprintf(" (left out, not simulated: %s)", strings.Join(skipped, ", "))
	}
	f.Profile.Ops[op] = cost.Charge{Base: clamp(g), Source: src + "; " + stands}
	f.fitted("op "+op.String(), bench, from...)
	return nil
}

func compsOf(results []*Result, backend string) []string {
	var cs []string
	for _, r := range results {
		if r.Backend == backend && !slices.Contains(cs, r.Comp) {
			cs = append(cs, r.Comp)
		}
	}
	slices.Sort(cs)
	return cs
}

// clamp keeps a difference of noisy medians non-negative, as cost.Parse
// requires; the source line keeps the raw value.
func clamp(x float64) float64 {
	if x < 0 {
		return 0
	}
	return float64(int64(x*1000+0.5)) / 1000
}

// linfit is the least-squares line y = base + per*x; with one distinct x
// (or a falling line) it is the mean of y and per 0.
func linfit(xs, ys []float64) (base, per float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	den := n*sxx - sx*sx
	if den < 1e-9*n*sxx || len(xs) < 2 {
		return sy / n, 0
	}
	per = (n*sxy - sx*sy) / den
	if per < 0 { // noise: a cost does not fall with more bytes
		return sy / n, 0
	}
	return (sy - per*sx) / n, per
}

func pts(xs, ys []float64) string {
	s := make([]string, len(xs))
	for i := range xs {
		s[i] = fmt.Sprintf("%.0fB:%.0fns", xs[i], ys[i])
	}
	return strings.Join(s, " ")
}
