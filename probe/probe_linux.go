//go:build linux

package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/swapbench/swapbench/workloads"
)

const pageSize = workloads.PageSize

// swapPrio is the priority the probe gives /dev/zram0 (the highest), so
// that with -force and another swap active its pages still go to zram.
const swapPrio = 32767

const (
	swapFlagPrefer   = 0x8000
	swapFlagPrioMask = 0x7fff
)

// realSystem changes the running kernel's settings.
type realSystem struct{}

func (realSystem) Privileged() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root: it changes swap devices, zram and zswap settings (run with sudo)")
	}
	return nil
}

func (realSystem) Write(p, v string) error {
	f, err := os.OpenFile(path(p), os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("%s: %v", p, unwrapPath(err))
	}
	_, err = f.Write([]byte(v))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %q to %s: %v", v, p, unwrapPath(err))
	}
	return nil
}

func (realSystem) Swapon(dev string, prio int) error {
	p, err := unix.BytePtrFromString(dev)
	if err != nil {
		return err
	}
	flags := swapFlagPrefer | (prio & swapFlagPrioMask)
	if _, _, e := unix.Syscall(unix.SYS_SWAPON, uintptr(unsafe.Pointer(p)), uintptr(flags), 0); e != 0 {
		return fmt.Errorf("swapon %s: %v", dev, e)
	}
	return nil
}

func (realSystem) Swapoff(dev string) error {
	p, err := unix.BytePtrFromString(dev)
	if err != nil {
		return err
	}
	if _, _, e := unix.Syscall(unix.SYS_SWAPOFF, uintptr(unsafe.Pointer(p)), 0, 0); e != 0 {
		return fmt.Errorf("swapoff %s: %v", dev, e)
	}
	return nil
}

func writeSetting(p, v string) error { return sys.Write(p, v) }

// alive reports whether a process with the id exists.
func alive(pid int) bool { return pid > 0 && unix.Kill(pid, 0) == nil }

// Supported reports why the probe cannot run here, or nil: it needs root,
// /dev/zram0 with its sysfs directory, and zswap's module parameters.
func Supported() error {
	if err := sys.Privileged(); err != nil {
		return err
	}
	for _, p := range []string{ZramDev, zramDir + "/comp_algorithm", zramDir + "/reset", zswapDir + "/enabled", zswapDir + "/compressor", filePageCluster} {
		if _, err := os.Stat(path(p)); err != nil {
			what := "zram"
			if strings.HasPrefix(p, zswapDir) {
				what = "zswap"
			} else if p == filePageCluster {
				what = "swap"
			}
			return fmt.Errorf("%s: %v: this kernel has no %s support (modprobe zram num_devices=1, or a kernel with CONFIG_ZSWAP)", p, unwrapPath(err), what)
		}
	}
	return nil
}

// Run probes every configuration of opts on the running kernel. It
// refuses to start while a journal (JournalFile) exists; it records
// every setting it may change in the journal before changing any, and
// restores them all before it returns: on success, on error and when ctx
// is cancelled (the caller cancels it on SIGINT/SIGTERM), then removes
// the journal. A failure to restore is part of the returned error,
// naming what is left changed, and keeps the journal for Restore.
//
// The measuring thread is pinned (runtime.LockOSThread and one CPU of
// its affinity mask). Configurations run interleaved: each round runs
// every configuration once, rounds follow one another; the
// configurations with zswap off (zram, every folio order) run all their
// rounds before any configuration enables zswap, because a kernel where
// zswap has ever been enabled swaps large folios in at order 0 until it
// reboots (zswap_never_enabled(), 2d4d2b1cfb85).
//
// The Outcome is never nil: after an error it holds the rounds that
// completed.
func Run(ctx context.Context, opts Options) (out *Outcome, err error) {
	out = &Outcome{}
	if err := opts.check(); err != nil {
		return out, err
	}
	if err := Supported(); err != nil {
		return out, err
	}
	if err := checkJournal(); err != nil {
		return out, err
	}
	orig, err := ReadState()
	if err != nil {
		return out, err
	}
	if orig.swapActive(ZramDev) {
		return out, fmt.Errorf("%s is already an active swap device; refusing to touch it", ZramDev)
	}
	if orig.ZramDisksize != 0 {
		return out, fmt.Errorf("%s is in use (disksize %d); refusing to reset it", ZramDev, orig.ZramDisksize)
	}
	if len(orig.Swaps) > 0 && !opts.Force {
		return out, fmt.Errorf("swap is already active (%s); refusing to change swap settings on a machine that swaps (-force to run anyway)", orig.Swaps[0].Filename)
	}
	orders, err := pickOrders(opts.Orders, orig)
	if err != nil {
		return out, err
	}
	if big := 1 << slices.Max(orders); opts.Pages%big != 0 {
		return out, fmt.Errorf("pages %d: want a multiple of %d, the pages of the largest folio probed (%s)", opts.Pages, big, SizeName(slices.Max(orders)))
	}

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu, unpin, err := pin(opts.CPU)
	if err != nil {
		return out, err
	}
	defer unpin()

	out.Header = append(out.Header, Conditions()...)
	out.Header = append(out.Header, fmt.Sprintf("nproc: %d", runtime.NumCPU()), fmt.Sprintf("probe-cpu: %d", cpu), fmt.Sprintf("probe-orders: %s", joinInts(orders)))
	start, err := sample(cpu)
	if err != nil {
		return out, err
	}
	out.Header = append(out.Header, fmt.Sprintf("load-start: %.2f %.2f %.2f", start.load[0], start.load[1], start.load[2]))
	defer func() {
		if end, serr := sample(cpu); serr == nil {
			d := end.since(start)
			out.Header = append(out.Header, fmt.Sprintf("load-end: %.2f %.2f %.2f", end.load[0], end.load[1], end.load[2]),
				fmt.Sprintf("run-steal-pct: %.1f", d.stealPct()), fmt.Sprintf("run-other-pct: %.1f", d.otherPct()))
		}
	}()
	if vm, err := readVmstat(); err == nil && vm["zswpout"]+vm["zswpin"] > 0 && slices.Max(orders) > 0 {
		logf(opts.Log, "# probe: zswap has stored pages since boot (zswpout=%d zswpin=%d in %s): it was enabled, so large folio swapins should fall back to order 0; the first order-N round checks it", vm["zswpout"], vm["zswpin"], fileVmstat)
	}

	j := &Journal{Pid: os.Getpid(), Started: time.Now(), State: orig}
	if err := j.Write(); err != nil {
		return out, err
	}
	out.Changed = true
	logf(opts.Log, "# probe: original settings: %s (journal %s)", orig, JournalPath())
	sf := &swapFile{dir: opts.SwapfileDir, journal: j}
	defer func() {
		if rerr := restore(orig, sf); rerr != nil {
			err = errors.Join(err, fmt.Errorf("restoring settings: %v; they stay in %s for swapbench probe -restore", rerr, JournalPath()))
			err = errors.New(strings.ReplaceAll(err.Error(), "\n", "; "))
			return
		}
		if rerr := os.Remove(JournalPath()); rerr != nil {
			err = errors.Join(err, fmt.Errorf("removing the journal: %v", unwrapPath(rerr)))
			return
		}
		logf(opts.Log, "# probe: settings restored: %s", orig)
	}()

	if err := writeSetting(filePageCluster, "0"); err != nil {
		return out, err
	}
	phases, skipped, err := makePlan(opts, orig, orders)
	if err != nil {
		return out, err
	}
	for _, s := range skipped {
		logf(opts.Log, "# probe: skipped %s", s)
	}
	contents := map[string]workloads.Content{}
	for _, d := range opts.Data {
		c, err := workloads.NewContent(d, opts.Seed)
		if err != nil {
			return out, err
		}
		contents[d] = c
	}
	m, err := newMeter(opts.Pages, cpu, orig)
	if err != nil {
		return out, err
	}
	defer m.close()

	var all []*Result
	defer func() {
		for _, r := range all {
			if len(r.Rounds) == 0 {
				continue
			}
			r.ComprBytes /= float64(len(r.Rounds))
			r.Mismatch = Check(r.Config, r.Pages(), r.Vmstat)
			r.Cond = m.cond(r)
			out.Results = append(out.Results, r)
		}
	}()
	for _, ph := range phases {
		for _, st := range ph.steps {
			all = append(all, st.results...)
		}
	}
	// left counts the configuration rounds still to run, from phase pi's
	// round after the one that just ended, for the ETA of the round line.
	left := func(pi, round int) int {
		n := 0
		for i := pi; i < len(phases); i++ {
			rounds := opts.Rounds
			if i == pi {
				rounds -= round + 1
			}
			for _, st := range phases[i].steps {
				for _, r := range st.results {
					if !st.dead && r.Fallback == "" {
						n += rounds
					}
				}
			}
		}
		return n
	}
	began, measured := time.Now(), 0
	for pi, ph := range phases {
		for round := 0; round < opts.Rounds; round++ {
			pass, err := sample(cpu)
			if err != nil {
				return out, err
			}
			ran := 0
			for _, st := range ph.steps {
				if st.dead {
					continue
				}
				if err := ctx.Err(); err != nil {
					return out, fmt.Errorf("interrupted: %v", err)
				}
				if err := configure(st, orig, sf); err != nil {
					// A compressor the kernel lists but cannot set (a missing
					// crypto module) is skipped, not fatal.
					if st.optional {
						logf(opts.Log, "# probe: skipped backend=%s comp=%s: %v", st.backend, st.comp, err)
						st.dead = true
						continue
					}
					return out, err
				}
				for _, r := range st.results {
					if r.Fallback != "" {
						continue
					}
					if err := ctx.Err(); err != nil {
						return out, fmt.Errorf("interrupted: %v", err)
					}
					if err := m.round(r, contents[r.Data], uint64(round)); err != nil {
						return out, err
					}
					ran++
					if r.Order > 0 {
						if fb := MthpCheck(r.Config, r.Pages(), r.Large, r.Mthp); fb != "" && (round == opts.Rounds-1 || strings.HasPrefix(fb, ZswapFallback)) {
							r.Fallback = fb
						}
					}
				}
			}
			if round == 0 {
				if note := zswapNote(all); note != "" && !slices.Contains(out.Notes, note) {
					out.Notes = append(out.Notes, note)
					logf(opts.Log, "# probe: %s", note)
					for _, r := range all {
						if r.Order > 0 && r.Fallback == "" {
							r.Fallback = ZswapFallback + ": skipped after the first order-N round showed it"
						}
					}
				}
			}
			end, err := sample(cpu)
			if err != nil {
				return out, err
			}
			d := end.since(pass)
			measured += ran
			eta := "?"
			if measured > 0 {
				eta = (time.Since(began) / time.Duration(measured) * time.Duration(left(pi, round))).Round(time.Second).String()
			}
			logf(opts.Log, "# probe: %s round %d/%d: %d configurations in %.1f s, load %.2f, steal %.1f%%, other tasks %.1f%% of CPU %d; ETA %s",
				ph.name, round+1, opts.Rounds, ran, d.wall.Seconds(), end.load[0], d.stealPct(), d.otherPct(), cpu, eta)
			if why := disturbed(d, end.load[0]); why != "" {
				out.Disturbed++
				logf(opts.Log, "# probe: WARNING: %s round %d: %s: its times are inflated; see the # conditions lines", ph.name, round+1, why)
			}
		}
	}
	if !slices.ContainsFunc(all, func(r *Result) bool { return len(r.Rounds) > 0 }) {
		return out, fmt.Errorf("no configuration could be set up")
	}
	return out, nil
}

// zswapNote is the one line that says the kernel swapped large folios in
// at order 0 because zswap was enabled since boot, or "".
func zswapNote(rs []*Result) string {
	for _, r := range rs {
		if r.Order > 0 && strings.HasPrefix(r.Fallback, ZswapFallback) {
			return fmt.Sprintf("large folios: %s swapins fell back to order 0: %s; order-N configurations are not measured (reboot, and probe before any zswap use)", SizeName(r.Order), r.Fallback)
		}
	}
	return ""
}

// disturbed says what about a stretch of the run would distort its
// times, or "": the hypervisor stealing more than 2% of the pinned CPU,
// other tasks taking more than 5% of it, or a load average at or over
// the CPUs less half of one (the probe itself is one runnable task).
func disturbed(d delta, load float64) string {
	var why []string
	if p := d.stealPct(); p > 2 {
		why = append(why, fmt.Sprintf("steal %.1f%% of the pinned CPU", p))
	}
	if p := d.otherPct(); p > 5 {
		why = append(why, fmt.Sprintf("other tasks took %.1f%% of the pinned CPU", p))
	}
	if n := float64(runtime.NumCPU()); load >= n-0.5 {
		why = append(why, fmt.Sprintf("load average %.2f on %d CPUs", load, runtime.NumCPU()))
	}
	return strings.Join(why, ", ")
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// pickOrders is the folio orders to probe: the requested ones, each an
// mTHP size the kernel offers below the PMD size, or by default 0 and
// every offered size from 16 to 128 KiB.
func pickOrders(want []int, orig *State) ([]int, error) {
	pmd := -1
	if b, err := readFile(thpDir + "/hpage_pmd_size"); err == nil {
		if n, err := ParseInt(b, thpDir+"/hpage_pmd_size"); err == nil {
			pmd = OrderOf(fmt.Sprintf("%dkB", n>>10))
		}
	}
	offered := map[int]bool{}
	var names []string
	for size := range orig.THP {
		if o := OrderOf(size); o > 0 && (pmd < 0 || o < pmd) {
			offered[o] = true
			names = append(names, size)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return kb(a) - kb(b) })
	if want == nil {
		out := []int{0}
		for o := 2; o <= 5; o++ {
			if offered[o] {
				out = append(out, o)
			}
		}
		return out, nil
	}
	for _, o := range want {
		if o != 0 && !offered[o] {
			return nil, fmt.Errorf("order %d (%s): not an mTHP size this kernel offers below the PMD size (%s/hugepages-*: %s)", o, SizeName(o), thpDir, strings.Join(names, " "))
		}
	}
	return want, nil
}

// pin binds the calling thread (locked by the caller) to one CPU of its
// affinity mask: cpu, or the highest one when cpu < 0. unpin restores
// the mask.
func pin(cpu int) (int, func(), error) {
	var orig unix.CPUSet
	if err := unix.SchedGetaffinity(0, &orig); err != nil {
		return 0, nil, fmt.Errorf("sched_getaffinity: %v", err)
	}
	if cpu < 0 {
		for c := 0; c < len(orig)*64; c++ {
			if orig.IsSet(c) {
				cpu = c
			}
		}
	}
	if !orig.IsSet(cpu) {
		return 0, nil, fmt.Errorf("cpu %d: not in this process's affinity mask (%d CPUs allowed)", cpu, orig.Count())
	}
	var one unix.CPUSet
	one.Set(cpu)
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		return 0, nil, fmt.Errorf("sched_setaffinity cpu %d: %v", cpu, err)
	}
	return cpu, func() { unix.SchedSetaffinity(0, &orig) }, nil
}

// phase is a set of backend set-ups whose configurations run interleaved,
// round after round.
type phase struct {
	name  string
	steps []*step
}

// step is one backend set-up and the configurations measured under it.
type step struct {
	backend, comp string
	optional      bool
	dead          bool // could not be set up: skipped
	results       []*Result
}

// makePlan lists the backend set-ups in two phases: zswap off (zram with
// each algorithm: every data class on every path at order 0, and on the
// bypass path at each order above 0), then zswap on (in front of zram,
// then of a swap file, with each compressor; order 0).
func makePlan(opts Options, orig *State, orders []int) ([]phase, []string, error) {
	off := phase{name: "zswap off"}
	on := phase{name: "zswap on"}
	var skipped []string
	var offered []string // zswap compressors, read once
	configs := func(st *step) {
		for _, d := range opts.Data {
			for _, o := range orders {
				for _, p := range opts.Paths {
					if o > 0 && (p != PathBypass || st.backend != BackendZram) {
						continue // large folios are swapped in on the bypass only
					}
					st.results = append(st.results, &Result{Config: Config{Path: p, Backend: st.backend, Comp: st.comp, Data: d, Order: o}, Vmstat: map[string]int64{}})
				}
			}
		}
	}
	for _, b := range opts.Backends {
		switch b {
		case BackendZram:
			comps := opts.ZramComps
			if len(comps) == 0 {
				comps = orig.ZramComps
			}
			for _, c := range comps {
				if !slices.Contains(orig.ZramComps, c) {
					skipped = append(skipped, fmt.Sprintf("backend=zram comp=%s: not in %s/comp_algorithm (%s)", c, zramDir, strings.Join(orig.ZramComps, " ")))
					continue
				}
				st := &step{backend: b, comp: c}
				configs(st)
				off.steps = append(off.steps, st)
			}
		case BackendZswapZram, BackendZswapFile:
			if offered == nil {
				b2, err := readFile(fileCrypto)
				if err != nil {
					return nil, nil, err
				}
				if offered, err = ParseCompressors(b2, fileCrypto); err != nil {
					return nil, nil, err
				}
				if !slices.Contains(offered, orig.ZswapCompressor) {
					offered = append(offered, orig.ZswapCompressor)
				}
			}
			comps := opts.ZswapComps
			if len(comps) == 0 {
				comps = offered
			}
			for _, c := range comps {
				if !slices.Contains(offered, c) {
					skipped = append(skipped, fmt.Sprintf("backend=%s comp=%s: not a compressor in %s (%s)", b, c, fileCrypto, strings.Join(offered, " ")))
					continue
				}
				st := &step{backend: b, comp: c, optional: true}
				configs(st)
				on.steps = append(on.steps, st)
			}
		}
	}
	var phases []phase
	for _, ph := range []phase{off, on} {
		if len(ph.steps) > 0 {
			phases = append(phases, ph)
		}
	}
	if len(phases) == 0 {
		return nil, skipped, fmt.Errorf("nothing to probe: %s", strings.Join(skipped, "; "))
	}
	return phases, skipped, nil
}

// configure sets up one backend from scratch: zram0 reset and the swap
// file swapped off; then zram0 with the algorithm (zram backend) or the
// original one (zswap+zram), a swap header and swapon, or the swap file
// (created the first time) swapped on (zswap+file); zswap on with the
// compressor, or off.
func configure(s *step, orig *State, sf *swapFile) error {
	if err := zramDown(); err != nil {
		return err
	}
	if err := sf.down(); err != nil {
		return err
	}
	if s.backend == BackendZswapFile {
		if err := sf.up(); err != nil {
			return err
		}
		return zswapOn(s.comp)
	}
	zalg := orig.ZramComp
	if s.backend == BackendZram {
		zalg = s.comp
	}
	if err := writeSetting(zramDir+"/comp_algorithm", zalg); err != nil {
		return err
	}
	const size = 512 << 20 // only what is stored uses memory
	if err := writeSetting(zramDir+"/disksize", strconv.Itoa(size)); err != nil {
		return err
	}
	if err := writeSwapHeader(path(ZramDev), size); err != nil {
		return err
	}
	if err := sys.Swapon(path(ZramDev), swapPrio); err != nil {
		return err
	}
	if s.backend == BackendZswapZram {
		return zswapOn(s.comp)
	}
	st, err := ReadState()
	if err != nil {
		return err
	}
	if st.ZswapEnabled {
		return writeSetting(zswapDir+"/enabled", "N")
	}
	return nil
}

// zswapOn sets zswap's compressor, checks it took, and enables zswap.
func zswapOn(comp string) error {
	if err := writeSetting(zswapDir+"/compressor", comp); err != nil {
		return err
	}
	got, err := readFile(zswapDir + "/compressor")
	if err != nil {
		return err
	}
	if w, _ := ParseWord(got, zswapDir+"/compressor"); w != comp {
		return fmt.Errorf("%s/compressor: wrote %s, reads back %s", zswapDir, comp, w)
	}
	return writeSetting(zswapDir+"/enabled", "Y")
}

// swapfileSize is the zswap+file backend's swap file: room for a round's
// pages many times over (zswap holds them; the file only backs the slots).
const swapfileSize = 64 << 20

// swapFile is the zswap+file backend's swap file, created in dir the
// first time a configuration needs it (its path in the journal first),
// swapped on by up and off by down, and removed by remove.
type swapFile struct {
	dir, path string
	journal   *Journal
}

// up creates the swap file if it does not exist yet (written out in
// full: swapon refuses a file with holes) with its swap header, and
// swaps it on.
func (f *swapFile) up() error {
	if f.path == "" {
		if err := f.create(); err != nil {
			return err
		}
	}
	if err := sys.Swapon(f.path, swapPrio); err != nil {
		return fmt.Errorf("%v (the filesystem of %s cannot hold swap: tmpfs and overlayfs cannot; use -swapfile-dir)", err, filepath.Dir(f.path))
	}
	return nil
}

func (f *swapFile) create() error {
	dir, err := filepath.Abs(f.dir)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir) // /proc/swaps shows the real path
	}
	if err != nil {
		return fmt.Errorf("swap file directory %s: %v", f.dir, unwrapPath(err))
	}
	p := filepath.Join(dir, fmt.Sprintf("swapbench-%d.swap", os.Getpid()))
	if f.journal != nil {
		f.journal.SwapFile = p
		if err := f.journal.Write(); err != nil {
			return err
		}
	}
	file, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // 0600, as swapon wants
	if err != nil {
		return fmt.Errorf("swap file %s: %v", p, unwrapPath(err))
	}
	f.path = p
	zeros := make([]byte, 1<<20)
	for n := 0; n < swapfileSize && err == nil; n += len(zeros) {
		_, err = file.Write(zeros)
	}
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing swap file %s: %v", f.path, unwrapPath(err))
	}
	return writeSwapHeader(f.path, swapfileSize)
}

// down swaps the file off if it is on.
func (f *swapFile) down() error {
	if f.path == "" {
		return nil
	}
	st, err := ReadState()
	if err != nil {
		return err
	}
	if st.swapActive(f.path) {
		return sys.Swapoff(f.path)
	}
	return nil
}

// remove swaps the file off and removes it.
func (f *swapFile) remove() error {
	if err := f.down(); err != nil {
		return err
	}
	if f.path == "" {
		return nil
	}
	if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing swap file %s: %v", f.path, unwrapPath(err))
	}
	f.path = ""
	return nil
}

// zramDown takes zram0 out of swap if it is in, and resets it if it has a
// disk size.
func zramDown() error {
	st, err := ReadState()
	if err != nil {
		return err
	}
	if st.swapActive(ZramDev) {
		if err := sys.Swapoff(path(ZramDev)); err != nil {
			return err
		}
	}
	if st.ZramDisksize != 0 {
		if err := writeSetting(zramDir+"/reset", "1"); err != nil {
			return err
		}
	}
	return nil
}

// restore puts back every setting of orig, swapping off and removing the
// swap file if there is one, doing all it can and returning every
// failure, then checks that the settings read back equal orig.
func restore(orig *State, sf *swapFile) error {
	var errs []string
	note := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	note(zramDown())
	note(sf.remove())
	if st, err := ReadState(); err != nil {
		note(err)
	} else {
		if st.ZramComp != orig.ZramComp {
			note(writeSetting(zramDir+"/comp_algorithm", orig.ZramComp))
		}
		if st.ZswapEnabled != orig.ZswapEnabled {
			v := "N"
			if orig.ZswapEnabled {
				v = "Y"
			}
			note(writeSetting(zswapDir+"/enabled", v))
		}
		if st.ZswapCompressor != orig.ZswapCompressor {
			note(writeSetting(zswapDir+"/compressor", orig.ZswapCompressor))
		}
		if st.PageCluster != orig.PageCluster {
			note(writeSetting(filePageCluster, strconv.FormatInt(orig.PageCluster, 10)))
		}
		for _, size := range sortedSizes(orig.THP) {
			if st.THP[size] != orig.THP[size] {
				note(writeSetting(thpEnabled(size), orig.THP[size]))
			}
		}
	}
	if st, err := ReadState(); err != nil {
		note(err)
	} else if d := orig.Diff(st); len(d) > 0 {
		errs = append(errs, "still changed: "+strings.Join(d, ", "))
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// Restore puts back the settings a probe saved in its journal
// (JournalFile) and removes the journal: what `swapbench probe -restore`
// does after a probe was killed. It returns the settings restored, or
// nil with no error when there is no journal. It refuses while the
// journal's process is alive, and keeps the journal when a setting
// cannot be restored.
func Restore() (*State, error) {
	p := JournalPath()
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal %s: %v", p, unwrapPath(err))
	}
	j, err := ReadJournal(data, p)
	if err != nil {
		return nil, err
	}
	if j.Pid != os.Getpid() && alive(j.Pid) {
		return nil, fmt.Errorf("%s: pid %d, which wrote it, is alive: stop that probe first (it restores the settings itself)", p, j.Pid)
	}
	if err := sys.Privileged(); err != nil {
		return nil, err
	}
	if err := restore(j.State, &swapFile{path: j.SwapFile}); err != nil {
		return nil, fmt.Errorf("restoring from %s: %v (the journal stays)", p, err)
	}
	if err := os.Remove(p); err != nil {
		return nil, fmt.Errorf("removing %s: %v", p, unwrapPath(err))
	}
	return j.State, nil
}

// writeSwapHeader writes a version-1 swap header (what mkswap writes) for
// a device of size bytes.
func writeSwapHeader(dev string, size int64) error {
	h := make([]byte, pageSize)
	le := func(off int, v uint32) {
		h[off], h[off+1], h[off+2], h[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	le(1024, 1)                         // version
	le(1028, uint32(size/pageSize-1))   // last_page
	le(1032, 0)                         // nr_badpages
	copy(h[1024+12+16:], "swapbench")   // volume name after the uuid
	copy(h[pageSize-10:], "SWAPSPACE2") // magic
	f, err := os.OpenFile(dev, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("%s: %v", dev, unwrapPath(err))
	}
	_, err = f.WriteAt(h, 0)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing a swap header to %s: %v", dev, unwrapPath(err))
	}
	return nil
}

// readVmstat reads /proc/vmstat after folding the per-CPU differences of
// the gauges (nr_swapcached) into their totals through
// /proc/sys/vm/stat_refresh, which changes no setting; without it a gauge
// lags by up to a per-CPU threshold.
func readVmstat() (Vmstat, error) {
	if f, err := os.OpenFile(path("/proc/sys/vm/stat_refresh"), os.O_WRONLY, 0); err == nil {
		f.Write([]byte("1"))
		f.Close()
	}
	b, err := readFile(fileVmstat)
	if err != nil {
		return nil, err
	}
	return ParseVmstat(b, fileVmstat)
}

// storedBytes is the compressed bytes the backend holds: zram's
// compr_data_size, or zswap's pool size from /proc/meminfo.
func storedBytes(backend string) (float64, error) {
	if backend == BackendZram {
		b, err := readFile(zramDir + "/mm_stat")
		if err != nil {
			return 0, err
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			return 0, fmt.Errorf("%s/mm_stat: %q: want at least 2 fields", zramDir, strings.TrimSpace(string(b)))
		}
		n, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return 0, fmt.Errorf("%s/mm_stat: compr_data_size %q: want a number", zramDir, f[1])
		}
		return n, nil
	}
	b, err := readFile(fileMeminfo)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Zswap:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				if n, err := strconv.ParseFloat(f[0], 64); err == nil {
					return n * 1024, nil
				}
			}
			return 0, fmt.Errorf("%s: %q: want Zswap: N kB", fileMeminfo, line)
		}
	}
	return 0, nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// Kernel is uname -r.
func Kernel() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}
