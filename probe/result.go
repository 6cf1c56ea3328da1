package probe

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/montanaflynn/stats"
)

// Paths, backends.
const (
	PathBypass    = "bypass"    // swap count 1: do_swap_page skips the swap cache on zram
	PathSwapcache = "swapcache" // swap count 2 (a forked child holds the entry): the swap cache path

	BackendZram      = "zram"
	BackendZswapZram = "zswap+zram"
	// BackendZswapFile is zswap in front of a swap file on a disk
	// filesystem: not SWP_SYNCHRONOUS_IO, so do_swap_page never bypasses
	// the swap cache, whatever the swap count.
	BackendZswapFile = "zswap+file"
)

// synchronous reports whether the backend's swap device is
// SWP_SYNCHRONOUS_IO (zram), where a swap count of 1 takes the bypass.
func synchronous(backend string) bool { return backend != BackendZswapFile }

// Config is one probe configuration. Comp is the zram algorithm for the
// zram backend and the zswap compressor for zswap+zram.
type Config struct {
	Path, Backend, Comp, Data string
}

// Key is the benchmark name suffix, in the simulator's key order. A
// corpus is named by its file's base name, as bench names data=corpus:FILE:
// '/' separates the keys, so a path in the name would not read back.
func (c Config) Key() string {
	data := c.Data
	if path, ok := strings.CutPrefix(data, "corpus:"); ok {
		data = "corpus:" + filepath.Base(path)
	}
	return fmt.Sprintf("path=%s/backend=%s/comp=%s/data=%s", c.Path, c.Backend, c.Comp, data)
}

// Round is one round of one configuration.
type Round struct {
	Pages     int
	SwapinNS  float64 // mean per page
	SwapoutNS float64 // mean MADV_PAGEOUT time per page
	SwapinP99 float64
	Corrupt   int // pages whose content differed after swapin
}

// Result is everything measured for one configuration.
type Result struct {
	Config
	Rounds []Round
	// Vmstat is the sum over rounds of the swap counters' deltas from just
	// before the page-out to just after the last touch.
	Vmstat map[string]int64
	// ComprBytes is the compressed bytes per page the backend held after
	// the page-out (zram mm_stat compr_data_size, or meminfo Zswap for
	// zswap), averaged over rounds; 0 when not known.
	ComprBytes float64
	// Mismatch lists how the vmstat deltas contradict the path and backend
	// claimed; empty when they agree.
	Mismatch []string
}

// Pages is the total pages over all rounds.
func (r *Result) Pages() int {
	n := 0
	for _, x := range r.Rounds {
		n += x.Pages
	}
	return n
}

// MedianSwapin is the median of the rounds' mean swapin time per page.
func (r *Result) MedianSwapin() float64 {
	return roundsMedian(r.Rounds, func(x Round) float64 { return x.SwapinNS })
}

// MedianSwapout is the median of the rounds' mean page-out time per page.
func (r *Result) MedianSwapout() float64 {
	return roundsMedian(r.Rounds, func(x Round) float64 { return x.SwapoutNS })
}

// roundsMedian is the median of f over the rounds.
func roundsMedian(rs []Round, f func(Round) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return Median(v)
}

// Median is the median of v (montanaflynn/stats, as package report's
// percentiles), 0 for no values. v is not reordered.
func Median(v []float64) float64 {
	m, err := stats.Median(v)
	if err != nil {
		return 0
	}
	return m
}

// near reports whether got is n within 1% plus 2 pages.
func near(got int64, n int) bool {
	tol := int64(n/100 + 2)
	return got >= int64(n)-tol && got <= int64(n)+tol
}

// Check compares vmstat deltas summed over pages swapped out and in with
// what the configuration claims, and returns every contradiction:
//
//   - zero pages: swpout_zero and swpin_zero equal the pages (kernels with
//     the swap zeromap, 6.12+: zero pages reach neither zswap nor zram);
//   - zram: pswpout and pswpin equal the pages, zswpout and zswpin are 0;
//     with the zeromap's swpout_zero and swpin_zero added, since a class
//     other than zero may hold a few zero pages (sparse does);
//   - zswap+zram and zswap+file: zswpout and zswpin (plus the zeromap's
//     zero pages, likewise) equal the pages,
//     pswpout and pswpin 0 (random data may be rejected by zswap as
//     incompressible: then either one may carry each page, and they must
//     add up);
//   - swap readahead (swap_ra) is 0 (page-cluster 0);
//   - the swapcache path leaves the pages in the swap cache when the last
//     touch ends (nr_swapcached grows by the pages); bypass does not,
//     except on a swap file, which is not SWP_SYNCHRONOUS_IO: there both
//     paths go through the swap cache.
func Check(c Config, pages int, d map[string]int64) []string {
	var bad []string
	want := func(name string, ok bool, what string) {
		if !ok {
			bad = append(bad, fmt.Sprintf("%s=%d, want %s", name, d[name], what))
		}
	}
	eq := func(name string) { want(name, near(d[name], pages), fmt.Sprintf("~%d", pages)) }
	zero := func(name string) { want(name, near(d[name]+int64(pages), pages), "~0") }
	// eqZ is eq with the pages the swap zeromap took added: a class
	// other than zero may hold a few zero pages (sparse does).
	eqZ := func(name, zname string) {
		if d[zname] == 0 {
			eq(name)
		} else if n := d[name] + d[zname]; !near(n, pages) {
			bad = append(bad, fmt.Sprintf("%s+%s=%d, want ~%d", name, zname, n, pages))
		}
	}
	_, zeromap := d["swpout_zero"]
	switch {
	case c.Data == "zero" && zeromap:
		eq("swpout_zero")
		eq("swpin_zero")
		zero("pswpout")
		zero("zswpout")
	case c.Backend == BackendZram:
		eqZ("pswpout", "swpout_zero")
		eqZ("pswpin", "swpin_zero")
		zero("zswpout")
		zero("zswpin")
	case c.Backend != BackendZram && c.Data == "random":
		out := d["zswpout"] + d["pswpout"]
		in := d["zswpin"] + d["pswpin"]
		if !near(out, pages) || !near(in, pages) {
			bad = append(bad, fmt.Sprintf("zswpout+pswpout=%d zswpin+pswpin=%d, want ~%d each", out, in, pages))
		}
	default: // zswap in front of zram or of a swap file
		eqZ("zswpout", "swpout_zero")
		eqZ("zswpin", "swpin_zero")
		zero("pswpout")
		zero("pswpin")
	}
	zero("swap_ra")
	if _, ok := d["nr_swapcached"]; ok {
		if c.Path == PathSwapcache || !synchronous(c.Backend) {
			eq("nr_swapcached")
		} else {
			zero("nr_swapcached")
		}
	}
	return bad
}

// Header is the benchmark-format configuration block.
type Header struct {
	GOOS, GOARCH, Kernel, CPU, Go string
	Settings                      []string // "key: value" probe settings
}

// WriteResults writes results in Go benchmark format: the header, one
// BenchmarkKernelSwapin and one BenchmarkKernelSwapout line per round (so
// benchstat sees -count N), then per configuration a "# vmstat" comment
// with the counters' deltas and the check's verdict. procs is the -N
// suffix (GOMAXPROCS).
func WriteResults(w io.Writer, h Header, results []*Result, procs int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "goos: %s\ngoarch: %s\npkg: github.com/swapbench/swapbench/probe\n", h.GOOS, h.GOARCH)
	fmt.Fprintf(&b, "kernel: %s\ncpu: %s\n", h.Kernel, h.CPU)
	if h.Go != "" {
		fmt.Fprintf(&b, "go: %s\n", h.Go)
	}
	for _, s := range h.Settings {
		fmt.Fprintf(&b, "%s\n", s)
	}
	fmt.Fprintf(&b, "note: ns/op is measured time per 4 KiB page on the real kernel: Swapin is one touch of a swapped-out page, Swapout is MADV_PAGEOUT time per page, in calls of probe-pageout-batch pages\n")
	suffix := ""
	if procs > 1 {
		suffix = fmt.Sprintf("-%d", procs)
	}
	for _, r := range results {
		for _, x := range r.Rounds {
			fmt.Fprintf(&b, "BenchmarkKernelSwapin/%s%s\t%8d\t%10.1f ns/op\t%10.0f p99-ns/op\t%6d corrupt-pages\n", r.Key(), suffix, x.Pages, x.SwapinNS, x.SwapinP99, x.Corrupt)
		}
		for _, x := range r.Rounds {
			fmt.Fprintf(&b, "BenchmarkKernelSwapout/%s%s\t%8d\t%10.1f ns/op\n", r.Key(), suffix, x.Pages, x.SwapoutNS)
		}
	}
	bad := 0
	for _, r := range results {
		verdict := "ok"
		if len(r.Mismatch) > 0 {
			verdict = "MISMATCH: " + strings.Join(r.Mismatch, "; ")
			bad++
		}
		fmt.Fprintf(&b, "# vmstat %s pages=%d compr-B/page=%.0f %s check=%s\n", r.Key(), r.Pages(), r.ComprBytes,
			FormatDelta(r.Vmstat, "pswpin", "pswpout", "zswpin", "zswpout", "swap_ra", "swap_ra_hit"), verdict)
	}
	if bad > 0 {
		fmt.Fprintf(&b, "# VMSTAT CHECK FAILED for %d of %d configurations: the counters contradict the path or backend claimed\n", bad, len(results))
	} else {
		fmt.Fprintf(&b, "# vmstat check: all %d configurations match the path and backend claimed\n", len(results))
	}
	corrupt := 0
	for _, r := range results {
		for _, x := range r.Rounds {
			corrupt += x.Corrupt
		}
	}
	if corrupt > 0 {
		fmt.Fprintf(&b, "# DATA CORRUPTION: %d pages differed after swapin\n", corrupt)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Find returns the result for c, or nil.
func Find(results []*Result, c Config) *Result {
	i := slices.IndexFunc(results, func(r *Result) bool { return r.Config == c })
	if i < 0 {
		return nil
	}
	return results[i]
}
