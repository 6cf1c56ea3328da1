package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/probe"
	"github.com/swapbench/swapbench/report"
	"github.com/swapbench/swapbench/validate"
)

func init() {
	commands["probe"] = command{"measure the real kernel's swapin paths (zram, zswap; root, changes and restores swap settings)", cmdProbe}
}

func cmdProbe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("probe", stderr)
	out := fs.String("o", "probe.txt", "results `file` in Go benchmark format (written atomically)")
	profOut := fs.String("profile-out", "", "fitted cost profile `file` (default: the -o file with .profile appended; - for none)")
	base := fs.String("base", "x86-2024", "cost `profile` whose unmeasured numbers the fitted profile keeps")
	quick := fs.Bool("quick", false, "a run of about a minute: 1024 pages x 3 rounds")
	pages := fs.Int("pages", 0, "pages per round (default 4096, -quick 1024)")
	count := fs.Int("count", 0, "rounds per configuration (default 10, so that differences get a 95% interval, which takes 6; -quick 3)")
	backends := fs.String("backend", "", "comma-separated backends: zram, zswap+zram, zswap+file (default all)")
	swapfileDir := fs.String("swapfile-dir", "", "`directory` on a disk filesystem for zswap+file's temporary swap file (default /var/tmp; not tmpfs or overlayfs)")
	paths := fs.String("path", "", "comma-separated paths: bypass, swapcache (default both)")
	zramComp := fs.String("zram-comp", "", "comma-separated zram algorithms (default every one /sys/block/zram0/comp_algorithm offers)")
	zswapComp := fs.String("zswap-comp", "", "comma-separated zswap compressors (default every compressor in /proc/crypto)")
	data := fs.String("data", "", "comma-separated data classes (default zero,sparse,text,binary,random)")
	corpus := fs.String("corpus", "", "also probe data=corpus:`FILE` (from swapbench capture)")
	seed := fs.Uint64("seed", 1, "content seed")
	force := fs.Bool("force", false, "run although another swap device is active")
	refit := fs.String("fit", "", "fit a cost profile from an existing results `file` instead of probing (no root needed); writes -profile-out or stdout")
	restore := fs.Bool("restore", false, "put back the settings a killed probe saved in its journal ("+probe.JournalFile+") and remove it")
	orders := fs.String("order", "", "comma-separated folio `orders` to probe on zram, bypass path (0 = 4 KiB; 2,3,4,5 = 16-128 KiB mTHP; default 0 and every mTHP size from 16 to 128 KiB the kernel offers)")
	cpu := fs.Int("cpu", -1, "`CPU` to pin the measuring thread to (default the highest one allowed)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	opts := probe.DefaultOptions()
	if *quick {
		opts = probe.QuickOptions()
	}
	if *pages != 0 {
		opts.Pages = *pages
	}
	if *count != 0 {
		opts.Rounds = *count
	}
	list := func(s string, def []string) []string {
		if s == "" {
			return def
		}
		return strings.Split(s, ",")
	}
	opts.Backends = list(*backends, opts.Backends)
	opts.Paths = list(*paths, opts.Paths)
	opts.ZramComps = list(*zramComp, nil)
	opts.ZswapComps = list(*zswapComp, nil)
	opts.Data = list(*data, opts.Data)
	if *corpus != "" {
		opts.Data = append(opts.Data, "corpus:"+*corpus)
	}
	if *swapfileDir != "" {
		opts.SwapfileDir = *swapfileDir
	}
	opts.Seed = *seed
	opts.Force = *force
	opts.Log = stderr
	opts.CPU = *cpu
	if *orders != "" {
		for _, o := range strings.Split(*orders, ",") {
			n, err := strconv.Atoi(o)
			if err != nil {
				return usagef("-order %q: want comma-separated folio orders such as 0,2,4", o)
			}
			opts.Orders = append(opts.Orders, n)
		}
	}
	if *restore {
		return probeRestore(stdout)
	}
	if err := opts.Check(); err != nil {
		return usagef("%v", err)
	}
	baseProf, err := cost.Lookup(*base)
	if err != nil {
		return usagef("%v", err)
	}
	if *refit != "" {
		return probeRefit(*refit, *profOut, baseProf, stdout, stderr)
	}
	if *profOut == "" {
		*profOut = *out + ".profile"
	}
	if err := probe.Supported(); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h := probe.Header{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Kernel: probe.Kernel(), CPU: cpuModel(), Go: runtime.Version(), Settings: opts.Settings()}
	res, err := probe.Run(ctx, opts)
	h.Settings = append(h.Settings, res.Header...)
	results := res.Results
	if err != nil && !res.Changed {
		return err // refused before it changed anything: nothing to save
	}
	if err != nil {
		return probeSavePartial(*out, h, results, err, stdout)
	}
	var buf bytes.Buffer
	if err := probe.WriteResults(&buf, h, results, runtime.GOMAXPROCS(0)); err != nil {
		return err
	}
	fit, ferr := probe.FitProfile(results, baseProf, "probe-"+h.Kernel, h.Kernel, fitOptions(h.Kernel, ".", opts.Seed, stderr))
	if ferr == nil {
		buf.WriteString("# fitted cost profile (also in " + *profOut + "):\n")
		for _, n := range fit.Notes {
			fmt.Fprintln(&buf, n)
		}
	} else {
		fmt.Fprintf(&buf, "# no fitted profile: %v\n", ferr)
	}
	if err := writeBytes(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d configurations)\n", *out, len(results))
	if ferr == nil && *profOut != "-" {
		var pb bytes.Buffer
		if err := fit.Write(&pb); err != nil {
			return err
		}
		if err := writeBytes(*profOut, pb.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (fitted: %s)\n", *profOut, strings.Join(fit.Fitted, ", "))
	}
	bad := 0
	for _, r := range results {
		if len(r.Mismatch) > 0 {
			bad++
			fmt.Fprintf(stdout, "VMSTAT MISMATCH %s: %s\n", r.Key(), strings.Join(r.Mismatch, "; "))
		}
		for _, x := range r.Rounds {
			if x.Corrupt > 0 {
				fmt.Fprintf(stdout, "DATA CORRUPTION %s: %d of %d pages differed after swapin\n", r.Key(), x.Corrupt, x.Pages)
			}
		}
	}
	if bad == 0 {
		fmt.Fprintf(stdout, "vmstat check: all %d configurations match the path and backend claimed\n", len(results))
	}
	for _, n := range res.Notes {
		fmt.Fprintln(stdout, n)
	}
	// One line per folio size that passed (its configurations and
	// folios summed), one per configuration that did not.
	type passed struct{ configs, folios, swpin, fallback int64 }
	var sizes []int
	pass := map[int]*passed{}
	for _, r := range results {
		if r.Order > 0 && r.Fallback == "" {
			p := pass[r.Order]
			if p == nil {
				p = &passed{}
				pass[r.Order] = p
				sizes = append(sizes, r.Order)
			}
			p.configs++
			p.folios += int64(r.Large)
			p.swpin += r.Mthp["swpin"]
			p.fallback += r.Mthp["swpin_fallback"]
		} else if r.Fallback != "" && !strings.HasPrefix(r.Fallback, probe.ZswapFallback) {
			fmt.Fprintf(stdout, "MTHP FALLBACK %s: %s\n", r.Key(), r.Fallback)
		}
	}
	slices.Sort(sizes)
	for _, o := range sizes {
		p := pass[o]
		fmt.Fprintf(stdout, "mthp check: %s: %d configurations swapped in as %d folios of %s (swpin=%d swpin_fallback=%d; zero pages count no swpin)\n",
			probe.SizeName(o), p.configs, p.folios, probe.SizeName(o), p.swpin, p.fallback)
	}
	if res.Disturbed > 0 {
		fmt.Fprintf(stderr, "# probe: WARNING: %d rounds ran with steal, other tasks or load that inflate their times (see the # conditions lines of %s)\n", res.Disturbed, *out)
	}
	return nil
}

// probeRestore puts back the settings of a killed probe's journal.
func probeRestore(stdout io.Writer) error {
	before, _ := probe.ReadState()
	st, err := probe.Restore()
	if err != nil {
		return err
	}
	if st == nil {
		fmt.Fprintf(stdout, "no journal at %s: nothing to restore\n", probe.JournalPath())
		return nil
	}
	if before != nil {
		fmt.Fprintf(stdout, "found:    %s\n", before)
	}
	fmt.Fprintf(stdout, "restored: %s (every setting read back equal to the journal's; %s removed)\n", st, probe.JournalPath())
	return nil
}

// probeRefit fits a profile from a results file written by an earlier run.
func probeRefit(file, profOut string, base *cost.Profile, stdout, stderr io.Writer) error {
	data, err := os.ReadFile(file)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usagef("%s: %v", file, err)
	}
	results, err := probe.ReadResults(data, file)
	if err != nil {
		return usageError{err}
	}
	kernel, seed := "unknown", uint64(1)
	for i, line := range strings.Split(string(data), "\n") {
		if k, ok := strings.CutPrefix(line, "kernel: "); ok && kernel == "unknown" {
			kernel = strings.TrimSpace(k)
		}
		if v, ok := strings.CutPrefix(line, "seed: "); ok {
			if seed, err = strconv.ParseUint(strings.TrimSpace(v), 10, 64); err != nil {
				return usagef("%s:%d: seed %q: want an unsigned integer", file, i+1, strings.TrimSpace(v))
			}
		}
	}
	fit, err := probe.FitProfile(results, base, "probe-"+kernel, kernel, fitOptions(kernel, filepath.Dir(file), seed, stderr))
	if err != nil {
		return usagef("%s: %v", file, err)
	}
	var pb bytes.Buffer
	if err := fit.Write(&pb); err != nil {
		return err
	}
	if profOut == "" || profOut == "-" {
		_, err := stdout.Write(pb.Bytes())
		return err
	}
	if err := writeBytes(profOut, pb.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (fitted: %s)\n", profOut, strings.Join(fit.Fitted, ", "))
	return nil
}

// fitOptions gives the fit the simulator (validate.FitOptions for the
// kernel named by uname -r, a relative corpus looked for in dir), so
// that it fits do_swap_page and try_to_unmap_one too. A kernel the
// simulator cannot map leaves them at the base profile's, said on
// stderr.
func fitOptions(kernel, dir string, seed uint64, stderr io.Writer) probe.FitOptions {
	o, err := validate.FitOptions(kernel, dir, seed)
	if err != nil {
		fmt.Fprintf(stderr, "# probe: do_swap_page and try_to_unmap_one keep the base profile's costs: %v\n", err)
		return probe.FitOptions{}
	}
	return o
}

// probeSavePartial keeps what an interrupted or failed probe completed:
// every configuration with the rounds that completed goes to out.partial, written
// to a temporary file and renamed, so that it is complete or absent and
// out itself is never touched. It says where they are and returns
// runErr.
func probeSavePartial(out string, h probe.Header, results []*probe.Result, runErr error, stdout io.Writer) error {
	if len(results) == 0 {
		fmt.Fprintf(stdout, "no configuration completed; nothing written\n")
		return runErr
	}
	var buf bytes.Buffer
	if err := probe.WriteResults(&buf, h, results, runtime.GOMAXPROCS(0)); err != nil {
		return errors.Join(runErr, err)
	}
	fmt.Fprintf(&buf, "# partial: the probe stopped (%v) with %d configurations, the rounds that completed\n", runErr, len(results))
	partial := out + ".partial"
	if err := writeBytes(partial, buf.Bytes()); err != nil {
		return fmt.Errorf("%v; saving the %d complete configurations: %v", runErr, len(results), err)
	}
	fmt.Fprintf(stdout, "partial results: %d configurations, the rounds that completed, in %s (%s not written); swapbench probe -fit %s fits a profile from them\n", len(results), partial, out, partial)
	return runErr
}

// writeBytes writes data to path atomically (report.WriteFile).
func writeBytes(path string, data []byte) error {
	return report.WriteFile(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}
