//go:build linux

package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
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

// Supported reports why the probe cannot run here, or nil: it needs root,
// /dev/zram0 with its sysfs directory, and zswap's module parameters.
func Supported() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root: it changes swap devices, zram and zswap settings (run with sudo)")
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
// records every setting it may change before changing any, and restores
// them all before it returns: on success, on error and when ctx is
// cancelled (the caller cancels it on SIGINT/SIGTERM). A failure to
// restore is part of the returned error, naming what is left changed.
func Run(ctx context.Context, opts Options) (results []*Result, err error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if err := Supported(); err != nil {
		return nil, err
	}
	orig, err := ReadState()
	if err != nil {
		return nil, err
	}
	if orig.swapActive(ZramDev) {
		return nil, fmt.Errorf("%s is already an active swap device; refusing to touch it", ZramDev)
	}
	if orig.ZramDisksize != 0 {
		return nil, fmt.Errorf("%s is in use (disksize %d); refusing to reset it", ZramDev, orig.ZramDisksize)
	}
	if len(orig.Swaps) > 0 && !opts.Force {
		return nil, fmt.Errorf("swap is already active (%s); refusing to change swap settings on a machine that swaps (-force to run anyway)", orig.Swaps[0].Filename)
	}
	logf(opts.Log, "# probe: original settings: %s", orig)
	sf := &swapFile{dir: opts.SwapfileDir}
	defer func() {
		if rerr := restore(orig, sf); rerr != nil {
			err = errors.Join(err, fmt.Errorf("restoring settings: %v", rerr))
			if err != nil {
				err = errors.New(strings.ReplaceAll(err.Error(), "\n", "; "))
			}
			return
		}
		logf(opts.Log, "# probe: settings restored: %s", orig)
	}()

	if err := writeSetting(filePageCluster, "0"); err != nil {
		return nil, err
	}
	plan, skipped, err := makePlan(opts, orig)
	if err != nil {
		return nil, err
	}
	for _, s := range skipped {
		logf(opts.Log, "# probe: skipped %s", s)
	}
	contents := map[string]workloads.Content{}
	for _, d := range opts.Data {
		c, err := workloads.NewContent(d, opts.Seed)
		if err != nil {
			return nil, err
		}
		contents[d] = c
	}
	m, err := newMeter(opts.Pages)
	if err != nil {
		return nil, err
	}
	defer m.close()

	for _, step := range plan {
		if err := configure(step, orig, sf); err != nil {
			// A compressor the kernel lists but cannot set (a missing
			// crypto module) is skipped, not fatal.
			if step.optional {
				logf(opts.Log, "# probe: skipped backend=%s comp=%s: %v", step.backend, step.comp, err)
				continue
			}
			return results, err
		}
		if sf.path != "" {
			logf(opts.Log, "# probe: backend=%s comp=%s swap file %s", step.backend, step.comp, sf.path)
		} else {
			logf(opts.Log, "# probe: backend=%s comp=%s", step.backend, step.comp)
		}
		var rs []*Result
		for _, d := range opts.Data {
			for _, p := range opts.Paths {
				rs = append(rs, &Result{Config: Config{Path: p, Backend: step.backend, Comp: step.comp, Data: d}, Vmstat: map[string]int64{}})
			}
		}
		for round := 0; round < opts.Rounds; round++ {
			for _, r := range rs {
				if err := ctx.Err(); err != nil {
					return results, fmt.Errorf("interrupted: %v", err)
				}
				if err := m.round(ctx, r, contents[r.Data], uint64(round)); err != nil {
					return results, err
				}
			}
		}
		for _, r := range rs {
			r.ComprBytes /= float64(len(r.Rounds))
			r.Mismatch = Check(r.Config, r.Pages(), r.Vmstat)
			results = append(results, r)
		}
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("no configuration could be set up")
	}
	return results, nil
}

// step is one backend set-up.
type step struct {
	backend, comp string
	optional      bool
}

// makePlan lists the backend set-ups: zram with each algorithm, then zswap
// in front of zram, then in front of a swap file, with each compressor.
func makePlan(opts Options, orig *State) ([]step, []string, error) {
	var plan []step
	var skipped []string
	var offered []string // zswap compressors, read once
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
				plan = append(plan, step{backend: b, comp: c})
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
				plan = append(plan, step{backend: b, comp: c, optional: true})
			}
		}
	}
	if len(plan) == 0 {
		return nil, skipped, fmt.Errorf("nothing to probe: %s", strings.Join(skipped, "; "))
	}
	return plan, skipped, nil
}

// configure sets up one backend from scratch: zram0 reset and the swap
// file removed; then zram0 with the algorithm (zram backend) or the
// original one (zswap+zram), a swap header and swapon, or a new swap
// file (zswap+file); zswap on with the compressor, or off.
func configure(s step, orig *State, sf *swapFile) error {
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
	if err := writeSwapHeader(ZramDev, size); err != nil {
		return err
	}
	if err := swapon(ZramDev, swapPrio); err != nil {
		return err
	}
	if s.backend == BackendZswapZram {
		return zswapOn(s.comp)
	}
	return writeSetting(zswapDir+"/enabled", "N")
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

// swapFile is the zswap+file backend's swap file, created in dir for a
// configuration and swapped off and removed by down.
type swapFile struct{ dir, path string }

// up creates the swap file (written out in full: swapon refuses a file
// with holes), writes its swap header and swaps it on.
func (f *swapFile) up() error {
	dir, err := filepath.Abs(f.dir)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir) // /proc/swaps shows the real path
	}
	if err != nil {
		return fmt.Errorf("swap file directory %s: %v", f.dir, unwrapPath(err))
	}
	tmp, err := os.CreateTemp(dir, "swapbench-*.swap") // 0600, as swapon wants
	if err != nil {
		return fmt.Errorf("swap file in %s: %v", dir, unwrapPath(err))
	}
	f.path = tmp.Name()
	zeros := make([]byte, 1<<20)
	for n := 0; n < swapfileSize && err == nil; n += len(zeros) {
		_, err = tmp.Write(zeros)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing swap file %s: %v", f.path, unwrapPath(err))
	}
	if err := writeSwapHeader(f.path, swapfileSize); err != nil {
		return err
	}
	if err := swapon(f.path, swapPrio); err != nil {
		return fmt.Errorf("%v (the filesystem of %s cannot hold swap: tmpfs and overlayfs cannot; use -swapfile-dir)", err, dir)
	}
	return nil
}

// down swaps the file off if it is on and removes it.
func (f *swapFile) down() error {
	if f.path == "" {
		return nil
	}
	st, err := ReadState()
	if err != nil {
		return err
	}
	if st.swapActive(f.path) {
		if err := swapoff(f.path); err != nil {
			return err
		}
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
		if err := swapoff(ZramDev); err != nil {
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
	note(sf.down())
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

func writeSetting(p, v string) error {
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

func swapon(dev string, prio int) error {
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

func swapoff(dev string) error {
	p, err := unix.BytePtrFromString(dev)
	if err != nil {
		return err
	}
	if _, _, e := unix.Syscall(unix.SYS_SWAPOFF, uintptr(unsafe.Pointer(p)), 0, 0); e != 0 {
		return fmt.Errorf("swapoff %s: %v", dev, e)
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

// meter holds the buffers of the measurement, allocated once.
type meter struct {
	pages int
	dts   []int64 // per-page times; mmapped MADV_DONTFORK so the child's fork does not make it copy-on-write
	want  []byte
}

func newMeter(pages int) (*meter, error) {
	buf, err := unix.Mmap(-1, 0, pages*8, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("mmap %d bytes: %v", pages*8, err)
	}
	if err := unix.Madvise(buf, unix.MADV_DONTFORK); err != nil {
		unix.Munmap(buf)
		return nil, fmt.Errorf("madvise MADV_DONTFORK: %v", err)
	}
	return &meter{pages: pages, dts: unsafe.Slice((*int64)(unsafe.Pointer(&buf[0])), pages), want: make([]byte, pageSize)}, nil
}

func (m *meter) close() {
	b := unsafe.Slice((*byte)(unsafe.Pointer(&m.dts[0])), len(m.dts)*8)
	unix.Munmap(b)
}

// round measures one round of r: map and fill a fresh region, page it out
// one page at a time, fork the holder child for the swapcache path, touch
// every page, check the contents, and add the round and its vmstat delta
// to r.
func (m *meter) round(ctx context.Context, r *Result, content workloads.Content, version uint64) (err error) {
	n := m.pages
	mem, err := unix.Mmap(-1, 0, n*pageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return fmt.Errorf("mmap %d pages: %v", n, err)
	}
	defer unix.Munmap(mem)
	if err := unix.Madvise(mem, unix.MADV_NOHUGEPAGE); err != nil {
		return fmt.Errorf("madvise MADV_NOHUGEPAGE: %v", err)
	}
	for i := 0; i < n; i++ {
		content.Fill(mem[i*pageSize:(i+1)*pageSize], uint64(i), version)
	}
	stored0, err := storedBytes(r.Backend)
	if err != nil {
		return err
	}
	vm0, err := readVmstat()
	if err != nil {
		return err
	}

	var out time.Duration
	for i := 0; i < n; i += PageoutBatch {
		if i%256 == 0 && ctx.Err() != nil {
			return fmt.Errorf("interrupted: %v", ctx.Err())
		}
		end := min(i+PageoutBatch, n)
		t := time.Now()
		e := unix.Madvise(mem[i*pageSize:end*pageSize], unix.MADV_PAGEOUT)
		out += time.Since(t)
		if e != nil {
			return fmt.Errorf("madvise MADV_PAGEOUT: %v", e)
		}
	}
	stored1, err := storedBytes(r.Backend)
	if err != nil {
		return err
	}

	if r.Path == PathSwapcache {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			return fmt.Errorf("pipe2: %v", err)
		}
		pid, e := forkHolder(p[0], p[1])
		unix.Close(p[0])
		if e != 0 {
			unix.Close(p[1])
			return fmt.Errorf("fork: %v", e)
		}
		defer func() {
			unix.Close(p[1])
			unix.Kill(pid, unix.SIGKILL)
			var ws unix.WaitStatus
			for {
				if _, e := unix.Wait4(pid, &ws, 0, nil); e != unix.EINTR {
					break
				}
			}
		}()
	}

	var sum uint32
	for i := 0; i < n; i++ {
		if i%256 == 0 && ctx.Err() != nil {
			return fmt.Errorf("interrupted: %v", ctx.Err())
		}
		t := time.Now()
		sum += atomic.LoadUint32((*uint32)(unsafe.Pointer(&mem[i*pageSize])))
		m.dts[i] = int64(time.Since(t))
	}
	vm1, err := readVmstat()
	if err != nil {
		return err
	}
	_ = sum

	corrupt := 0
	for i := 0; i < n; i++ {
		content.Fill(m.want, uint64(i), version)
		if !bytes.Equal(m.want, mem[i*pageSize:(i+1)*pageSize]) {
			corrupt++
		}
	}
	var total int64
	for _, d := range m.dts {
		total += d
	}
	sorted := slices.Clone(m.dts)
	slices.Sort(sorted)
	r.Rounds = append(r.Rounds, Round{
		Pages:     n,
		SwapinNS:  float64(total) / float64(n),
		SwapoutNS: float64(out.Nanoseconds()) / float64(n),
		SwapinP99: float64(sorted[(len(sorted)*99)/100]),
		Corrupt:   corrupt,
	})
	for k, v := range Delta(vm0, vm1) {
		r.Vmstat[k] += v
	}
	r.ComprBytes += (stored1 - stored0) / float64(n)
	return nil
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
