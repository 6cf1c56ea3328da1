package probe

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/montanaflynn/stats"

	"github.com/swapbench/swapbench/workloads"
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
// zram backend and the zswap compressor for zswap+zram. Order is the
// folio order the region is backed by (0: 4 KiB pages; N: mTHP folios
// of 2^N pages, on zram with zswap off, path=bypass only).
type Config struct {
	Path, Backend, Comp, Data string
	Order                     int
}

// Key is the benchmark name suffix, in the simulator's key order. A
// corpus is named by its file's base name, as bench names data=corpus:FILE:
// '/' separates the keys, so a path in the name would not read back.
// Order 0 is left out, so an order-0 configuration keeps the name it had
// before the probe measured large folios (older results compare).
func (c Config) Key() string {
	data := c.Data
	if path, ok := strings.CutPrefix(data, "corpus:"); ok {
		data = "corpus:" + filepath.Base(path)
	}
	k := fmt.Sprintf("path=%s/backend=%s/comp=%s/data=%s", c.Path, c.Backend, c.Comp, data)
	if c.Order > 0 {
		k += fmt.Sprintf("/order=%d", c.Order)
	}
	return k
}

// FolioPages is the pages per folio of the configuration's order.
func (c Config) FolioPages() int { return 1 << c.Order }

// SizeName is the folio size as the kernel's sysfs names it
// (hugepages-64kB): "64kB" for order 4.
func SizeName(order int) string { return fmt.Sprintf("%dkB", workloads.PageSize>>10<<order) }

// Round is one round of one configuration. The times are ns per 4 KiB
// page. Results written before the probe measured its controls and
// baselines read back with those fields 0.
type Round struct {
	Pages int
	// SwapinNS is the mean swapin time: the touch loop over half the
	// round's folios (every other one) timed as a whole, less the same
	// loop over them once resident, per page.
	SwapinNS  float64
	SwapoutNS float64 // mean MADV_PAGEOUT time per page
	// SwapinP50 and SwapinP99 are the median and 99th percentile of the
	// other half's folios, each touch timed alone, less TimerNS, per page.
	SwapinP50, SwapinP99 float64
	Corrupt              int // pages whose content differed after swapin
	// TimerNS is the control of the per-folio samples: the median time of
	// the same timed touch of the same folios once resident (the clock
	// reads and the resident accesses), per folio. A clock that traps (a
	// guest's clocksource) shows here instead of inflating the samples.
	TimerNS float64
	// ResidentNS is the control of SwapinNS: the whole loop over resident
	// pages, per page (subtracted from SwapinNS).
	ResidentNS float64
	// MinorFaultNS and AnonFaultNS are the round's baselines, faults that
	// do no swap work, each the mean of a loop over as many pages as the
	// round timed as a whole, less the same loop resident: a write fault
	// on a shmem page that is in the page cache but not mapped (fault
	// entry and exit, the page walk, the PTE; nothing allocated), and a
	// first-touch write fault on anonymous memory (the same plus
	// allocating, zeroing and charging a page).
	MinorFaultNS, AnonFaultNS float64
}

// Cond is what the machine was doing while a configuration's rounds ran,
// read before and after each round: the 1-minute load average, and from
// /proc/stat and the probe thread's own CPU time, the share of the pinned
// CPU's time stolen by the hypervisor and the share other tasks took.
type Cond struct {
	CPU                   int       // the CPU the measuring thread was pinned to; -1 unknown
	LoadBefore, LoadAfter []float64 // per round
	StealPct, OtherPct    float64   // over all the configuration's rounds
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
	// Cond is the machine's load during the rounds (nil in results from
	// before the probe recorded it).
	Cond *Cond
	// For Order > 0: Mthp is the sum over rounds of the deltas of the
	// size's /sys/kernel/mm/transparent_hugepage/hugepages-SIZE/stats
	// counters, Large the folios of that order found mapped after the
	// swapins (/proc/self/pagemap and /proc/kpageflags), and Fallback
	// why the swapins were not of that order, if they were not
	// (MthpCheck); such a result is written as a comment, not as
	// benchmark lines.
	Mthp     map[string]int64
	Large    int
	Fallback string
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

// MedianOf is the median over the rounds of f, leaving out rounds where
// f is 0 (not measured: results from before the probe measured it); 0
// when no round has it.
func (r *Result) MedianOf(f func(Round) float64) float64 {
	var v []float64
	for _, x := range r.Rounds {
		if y := f(x); y != 0 {
			v = append(v, y)
		}
	}
	return Median(v)
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

// ZswapFallback starts the Fallback of an order-N configuration whose
// swapins all took order 0 without trying order N: what the kernel does
// once zswap has been enabled since boot.
const ZswapFallback = "zswap was enabled since boot"

// MthpCheck compares what the kernel counted for an order-N configuration
// (the size's stats deltas d, summed over rounds of pages pages in all)
// and the large folios of that order found mapped after the swapins
// with the order claimed, and returns why the swapins were not of that
// order, or "" when they were:
//
//   - anon_fault_alloc counts the region's folios of the size: the fill
//     got large folios (else the region was never large);
//   - swpout counts them at page-out (else they were split), except for
//     zero folios, which the swap zeromap takes (counted in swpout_zero,
//     per page, and not per size);
//   - after the swapins as many large folios are mapped (pagemap and
//     kpageflags), and swpin counts them (zero folios again excepted:
//     swap_read_folio_zeromap counts SWPIN_ZERO only).
//
// No large folio mapped with swpin and swpin_fallback 0 means
// alloc_swap_folio took order 0 without trying the order; with the
// region aligned, the size enabled and no userfaultfd, the cause left
// is that zswap was enabled at some time since boot:
// zswap_never_enabled() (2d4d2b1cfb85) is a static key that stays false
// until reboot, and alloc_swap_folio falls back while it is false.
func MthpCheck(c Config, pages, large int, d map[string]int64) string {
	folios := pages / c.FolioPages()
	size := SizeName(c.Order)
	if !near(d["anon_fault_alloc"], folios) {
		return fmt.Sprintf("the fill got %d of %d folios of %s (anon_fault_alloc=%d anon_fault_fallback=%d): the region was not backed by them", d["anon_fault_alloc"], folios, size, d["anon_fault_alloc"], d["anon_fault_fallback"])
	}
	if c.Data != "zero" && !near(d["swpout"], folios) {
		return fmt.Sprintf("swpout=%d swpout_fallback=%d, want ~%d: the %s folios were split at page-out", d["swpout"], d["swpout_fallback"], folios, size)
	}
	if near(int64(large), folios) {
		if c.Data != "zero" && !near(d["swpin"], folios) {
			return fmt.Sprintf("swpin=%d, want ~%d: %d folios of %s are mapped but not counted as swapped in", d["swpin"], folios, large, size)
		}
		return ""
	}
	if large == 0 && d["swpin"] == 0 && d["swpin_fallback"] == 0 {
		return fmt.Sprintf("%s: every swapin took order 0 without trying %s (swpin=0 swpin_fallback=0, no %s folio mapped after them), as alloc_swap_folio does while zswap_never_enabled() is false (2d4d2b1cfb85), until a reboot", ZswapFallback, size, size)
	}
	return fmt.Sprintf("%d of %d folios swapped in as %s (swpin=%d swpin_fallback=%d swpin_fallback_charge=%d)", large, folios, size, d["swpin"], d["swpin_fallback"], d["swpin_fallback_charge"])
}

// Header is the benchmark-format configuration block.
type Header struct {
	GOOS, GOARCH, Kernel, CPU, Go string
	Settings                      []string // "key: value" probe settings
}

// WriteResults writes results in Go benchmark format: the header, one
// BenchmarkKernelSwapin and one BenchmarkKernelSwapout line per round (so
// benchstat sees -count N), then per configuration a "# vmstat" comment
// with the counters' deltas and the check's verdict, a "# conditions"
// comment with the load during its rounds and, for an order-N
// configuration, a "# mthp" comment with the size's counters. A
// configuration whose swapins fell back to order 0 (Fallback) is written
// as a "# fallback" comment only: its times are order-0 times. procs is
// the -N suffix (GOMAXPROCS).
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
	fmt.Fprintf(&b, "note: ns/op is measured time per 4 KiB page on the real kernel: Swapin is one touch of a swapped-out page (the mean of a loop timed as a whole, less the loop resident), Swapout is MADV_PAGEOUT time per page, in calls of probe-pageout-batch pages; p50 and p99 are per-folio samples less timer-ns/op, their control; minorfault and anonfault are the round's baseline faults\n")
	suffix := ""
	if procs > 1 {
		suffix = fmt.Sprintf("-%d", procs)
	}
	for _, r := range results {
		if r.Fallback != "" {
			continue
		}
		for _, x := range r.Rounds {
			fmt.Fprintf(&b, "BenchmarkKernelSwapin/%s%s\t%8d\t%10.1f ns/op", r.Key(), suffix, x.Pages, x.SwapinNS)
			if x.TimerNS > 0 {
				fmt.Fprintf(&b, "\t%10.1f p50-ns/op", x.SwapinP50)
			}
			fmt.Fprintf(&b, "\t%10.0f p99-ns/op", x.SwapinP99)
			if x.TimerNS > 0 {
				fmt.Fprintf(&b, "\t%8.1f timer-ns/op\t%6.1f resident-ns/op\t%8.1f minorfault-ns/op\t%8.1f anonfault-ns/op", x.TimerNS, x.ResidentNS, x.MinorFaultNS, x.AnonFaultNS)
			}
			fmt.Fprintf(&b, "\t%6d corrupt-pages\n", x.Corrupt)
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
		if c := r.Cond; c != nil {
			fmt.Fprintf(&b, "# conditions %s cpu=%d load-before=%s load-after=%s steal-pct=%.1f other-pct=%.1f\n", r.Key(), c.CPU, loads(c.LoadBefore), loads(c.LoadAfter), c.StealPct, c.OtherPct)
		}
		if r.Order > 0 {
			verdict := "ok"
			if r.Fallback != "" {
				verdict = "FALLBACK: " + r.Fallback
			}
			fmt.Fprintf(&b, "# mthp %s size=%s folios=%d large=%d %s check=%s\n", r.Key(), SizeName(r.Order), r.Pages()/r.FolioPages(), r.Large,
				FormatDelta(r.Mthp, "anon_fault_alloc", "swpin", "swpin_fallback", "swpout", "swpout_fallback"), verdict)
		}
		if r.Fallback != "" {
			fmt.Fprintf(&b, "# fallback %s mean-ns/page=%.1f: not a benchmark line, the swapins were not of order %d\n", r.Key(), r.MedianSwapin(), r.Order)
		}
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

// loads formats load averages as a comma-separated list.
func loads(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(s, ",")
}

// Find returns the result for c, or nil.
func Find(results []*Result, c Config) *Result {
	i := slices.IndexFunc(results, func(r *Result) bool { return r.Config == c })
	if i < 0 {
		return nil
	}
	return results[i]
}
