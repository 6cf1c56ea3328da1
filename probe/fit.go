package probe

import (
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
	Notes   []Note
}

// Write writes the notes and the fitted lines as comments, then the
// profile in the cost file format (cost.Parse reads it back).
func (f *Fit) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# fitted by swapbench probe; numbers whose source starts \"measured\" come from this run,\n# the others are the base profile's\n")
	for _, s := range f.Fitted {
		fmt.Fprintf(&b, "# fitted: %s\n", s)
	}
	for _, n := range f.Notes {
		fmt.Fprintln(&b, n)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return f.Profile.Write(w)
}

// compressible reports whether data is a class the codecs actually work on:
// not zero (the swap zeromap handles it) and not random (stored as-is).
func compressible(data string) bool { return data != "zero" && data != "random" }

// FitProfile fits kernel costs from probe results, starting from base
// (which it copies), named name; kernel names the kernel in every source.
//
//   - swap_cache_add: median over configurations on zram (with or without
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
func FitProfile(results []*Result, base *cost.Profile, name, kernel string) (*Fit, error) {
	if base == nil {
		return nil, fmt.Errorf("fit: no base profile")
	}
	cp := *base // every field of the base (HZ and its source, ops), then
	p := &cp    // its own name and codec map
	p.Name = name
	p.Codecs = map[string]cost.CodecCost{}
	for k, v := range base.Codecs {
		p.Codecs[k] = v
	}
	f := &Fit{Profile: p}
	find := func(path, backend, comp, data string) *Result {
		return Find(results, Config{Path: path, Backend: backend, Comp: comp, Data: data})
	}

	// swap cache add.
	var diffs []float64
	for _, r := range results {
		if r.Path != PathSwapcache || !synchronous(r.Backend) {
			continue // on a swap file both paths take the swap cache
		}
		if b := find(PathBypass, r.Backend, r.Comp, r.Data); b != nil && len(b.Rounds) > 0 && len(r.Rounds) > 0 {
			diffs = append(diffs, r.MedianSwapin()-b.MedianSwapin())
		}
	}
	if len(diffs) > 0 {
		m := med(diffs)
		p.Ops[model.OpSwapCacheAdd] = cost.Charge{Base: clamp(m), Source: fmt.Sprintf(
			"measured: swapbench probe on %s, median over %d configurations of swapin(path=swapcache) - swapin(path=bypass) = %.0fns; the timed swap cache path adds but does not delete (a child holds the entry), so all of it is charged here", kernel, len(diffs), m)}
		f.Fitted = append(f.Fitted, "op swap_cache_add")
	}

	// zram device read overhead, then per-codec fits on zram.
	comps := compsOf(results, BackendZram)
	var reads []float64
	readOf := map[string]float64{}
	for _, c := range comps {
		rnd, z := find(PathBypass, BackendZram, c, "random"), find(PathBypass, BackendZram, c, "zero")
		if rnd == nil || z == nil {
			continue
		}
		d := rnd.MedianSwapin() - z.MedianSwapin()
		readOf[c] = d
		reads = append(reads, d)
	}
	if len(reads) > 0 {
		m := med(reads)
		p.Ops[model.OpDeviceRead] = cost.Charge{Base: clamp(m), Source: fmt.Sprintf(
			"measured: swapbench probe on %s, median over %d zram algorithms of bypass swapin(data=random, stored as-is) - swapin(data=zero, no device I/O) = %.0fns: bio, zram slot lookup and a 4 KiB copy", kernel, len(reads), m)}
		f.Fitted = append(f.Fitted, "op device_read")
	}
	for _, c := range comps {
		var xs, ys, xo, yo []float64
		var used []string
		z := find(PathBypass, BackendZram, c, "zero")
		for _, r := range results {
			if r.Path != PathBypass || r.Backend != BackendZram || r.Comp != c || !compressible(r.Data) || r.ComprBytes <= 0 {
				continue
			}
			used = append(used, r.Data)
			if rd, ok := readOf[c]; ok && z != nil {
				xs = append(xs, r.ComprBytes)
				ys = append(ys, r.MedianSwapin()-z.MedianSwapin()-rd)
			}
			if z != nil {
				xo = append(xo, r.ComprBytes)
				yo = append(yo, r.MedianSwapout()-z.MedianSwapout())
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
			f.Fitted = append(f.Fitted, "codec "+c+" decompress")
		}
		if len(xo) > 0 {
			b, per := linfit(xo, yo)
			cc.Compress = cost.Charge{Base: clamp(b), Per: clamp(per), Source: fmt.Sprintf(
				"measured: swapbench probe on %s, zram comp=%s MADV_PAGEOUT per page(data) - (zero) fitted against zram compressed bytes/page over data=%s (%s); includes zram's write path", kernel, c, what, pts(xo, yo))}
			f.Fitted = append(f.Fitted, "codec "+c+" compress")
		}
		p.Codecs[c] = cc
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
			f.Notes = append(f.Notes, Note{Name: "zswap_load-minus-zram_read comp=" + c, NS: med(d), Source: fmt.Sprintf(
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
		f.Notes = append(f.Notes, Note{Name: "bypass-zero-page-swapin", NS: med(zs), Source: fmt.Sprintf(
			"measured: swapbench probe on %s, median over %d configurations of the bypass swapin of a zero page (swap zeromap: no zswap, no zram); compare KERNEL.md s6's 4.17us zram zero-page swapin of 2024", kernel, len(zs))})
	}
	if len(f.Fitted) == 0 && len(f.Notes) == 0 {
		return nil, fmt.Errorf("fit: no pair of configurations to difference; want bypass and swapcache paths or zero and random data")
	}
	return f, nil
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

func med(v []float64) float64 {
	rs := make([]Round, len(v))
	for i, x := range v {
		rs[i].SwapinNS = x
	}
	return median(rs, func(r Round) float64 { return r.SwapinNS })
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
