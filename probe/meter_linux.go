//go:build linux

package probe

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/swapbench/swapbench/workloads"
)

// userHZ is the unit of /proc/stat's CPU times (USER_HZ, 100 on every
// architecture Linux runs the probe on).
const userHZ = 100

// snapshot is what the machine was doing at one moment: the load
// averages, the pinned CPU's times, the measuring thread's own CPU time.
type snapshot struct {
	at   time.Time
	load [3]float64
	cpu  CPUTime
	own  time.Duration
}

func sample(cpu int) (snapshot, error) {
	s := snapshot{at: time.Now()}
	b, err := readFile(fileLoadavg)
	if err != nil {
		return s, err
	}
	if s.load, err = ParseLoadavg(b, fileLoadavg); err != nil {
		return s, err
	}
	if b, err = readFile(fileStat); err != nil {
		return s, err
	}
	if s.cpu, err = ParseCPUStat(b, cpu, fileStat); err != nil {
		return s, err
	}
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return s, fmt.Errorf("getrusage: %v", err)
	}
	s.own = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return s, nil
}

// delta is what happened between two snapshots.
type delta struct {
	wall time.Duration
	cpu  CPUTime
	own  time.Duration
}

func (s snapshot) since(t snapshot) delta {
	return delta{s.at.Sub(t.at), s.cpu.Sub(t.cpu), s.own - t.own}
}

func (d delta) add(e delta) delta {
	return delta{d.wall + e.wall, CPUTime{d.cpu.Total + e.cpu.Total, d.cpu.Idle + e.cpu.Idle, d.cpu.Steal + e.cpu.Steal}, d.own + e.own}
}

// stealPct is the share of the pinned CPU's time the hypervisor took.
func (d delta) stealPct() float64 {
	if d.cpu.Total == 0 {
		return 0
	}
	return 100 * float64(d.cpu.Steal) / float64(d.cpu.Total)
}

// otherPct is the share of the pinned CPU's time that went to anything
// but the measuring thread: its busy time less the thread's own CPU time
// (the thread runs nowhere else). /proc/stat counts in ticks, so a short
// stretch reads to within a tick or two.
func (d delta) otherPct() float64 {
	if d.cpu.Total == 0 {
		return 0
	}
	other := float64(d.cpu.Busy()) - d.own.Seconds()*userHZ
	return 100 * max(other, 0) / float64(d.cpu.Total)
}

// meter holds the buffers of the measurement, allocated once, and the
// conditions of every configuration's rounds.
type meter struct {
	pages, cpu int
	// dts and ctl are the per-folio samples and their controls; mmapped
	// MADV_DONTFORK so that the holder child's fork does not make them
	// copy-on-write (a write to them would then fault in the timed loop).
	buf      []byte
	dts, ctl []int64
	samples  []float64
	want     []byte
	shm      []byte            // a shmem mapping for the minor-fault baseline, its pages in the page cache
	orig     map[string]string // the mTHP settings as found
	thp      map[string]string // and as last written
	acc      map[*Result]*condAcc
}

type condAcc struct {
	before, after []float64
	d             delta
}

func newMeter(pages, cpu int, orig *State) (*meter, error) {
	buf, err := unix.Mmap(-1, 0, 2*pages*8, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("mmap %d bytes: %v", 2*pages*8, err)
	}
	m := &meter{pages: pages, cpu: cpu, buf: buf, want: make([]byte, pageSize), samples: make([]float64, pages),
		orig: orig.THP, thp: map[string]string{}, acc: map[*Result]*condAcc{}}
	for k, v := range orig.THP {
		m.thp[k] = v
	}
	all := unsafe.Slice((*int64)(unsafe.Pointer(&buf[0])), 2*pages)
	m.dts, m.ctl = all[:pages], all[pages:]
	if err := unix.Madvise(buf, unix.MADV_DONTFORK); err != nil {
		m.close()
		return nil, fmt.Errorf("madvise MADV_DONTFORK: %v", err)
	}
	fd, err := unix.MemfdCreate("swapbench-minor-fault", unix.MFD_CLOEXEC)
	if err != nil {
		m.close()
		return nil, fmt.Errorf("memfd_create: %v", err)
	}
	defer unix.Close(fd)
	if err := unix.Ftruncate(fd, int64(pages*pageSize)); err != nil {
		m.close()
		return nil, fmt.Errorf("ftruncate memfd: %v", err)
	}
	if m.shm, err = unix.Mmap(fd, 0, pages*pageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		m.close()
		return nil, fmt.Errorf("mmap memfd: %v", err)
	}
	if err := unix.Madvise(m.shm, unix.MADV_DONTFORK); err != nil {
		m.close()
		return nil, fmt.Errorf("madvise MADV_DONTFORK: %v", err)
	}
	writeLoop(m.shm) // into the page cache, for good
	return m, nil
}

func (m *meter) close() {
	if m.buf != nil {
		unix.Munmap(m.buf)
	}
	if m.shm != nil {
		unix.Munmap(m.shm)
	}
}

// cond is the conditions of r's rounds so far.
func (m *meter) cond(r *Result) *Cond {
	a := m.acc[r]
	if a == nil {
		return nil
	}
	return &Cond{CPU: m.cpu, LoadBefore: a.before, LoadAfter: a.after, StealPct: a.d.stealPct(), OtherPct: a.d.otherPct()}
}

// setTHP sets the mTHP sizes for an order: for order N the size's
// enabled setting madvise and every other size's (the PMD size
// included) never, so that the MADV_HUGEPAGE region gets folios of that
// order and no other; for order 0 the settings as found (the region is
// MADV_NOHUGEPAGE, which no setting overrides). It writes only what
// differs from what it last wrote.
func (m *meter) setTHP(order int) error {
	for _, size := range sortedSizes(m.orig) {
		want := m.orig[size]
		if order > 0 {
			want = "never"
			if OrderOf(size) == order {
				want = "madvise"
			}
		}
		if m.thp[size] == want {
			continue
		}
		if err := writeSetting(thpEnabled(size), want); err != nil {
			return err
		}
		m.thp[size] = want
	}
	return nil
}

// sink keeps the touch loops' reads from being optimised away.
var sink uint32

// readLoop reads one word of each page of every other folio of mem
// (folios of nr pages, from folio first), timed as one loop, and
// returns its time.
//
//go:noinline
func readLoop(mem []byte, nr, first int) int64 {
	folios := len(mem) / (nr * pageSize)
	var sum uint32
	t := time.Now()
	for u := first; u < folios; u += 2 {
		for i := u * nr; i < (u+1)*nr; i++ {
			sum += atomic.LoadUint32((*uint32)(unsafe.Pointer(&mem[i*pageSize])))
		}
	}
	d := int64(time.Since(t))
	sink += sum
	return d
}

// readEach reads the pages of every other folio of mem as readLoop
// does, timing each folio alone into dts, and returns how many it timed.
//
//go:noinline
func readEach(mem []byte, nr, first int, dts []int64) int {
	folios := len(mem) / (nr * pageSize)
	var sum uint32
	k := 0
	for u := first; u < folios; u += 2 {
		t := time.Now()
		for i := u * nr; i < (u+1)*nr; i++ {
			sum += atomic.LoadUint32((*uint32)(unsafe.Pointer(&mem[i*pageSize])))
		}
		dts[k] = int64(time.Since(t))
		k++
	}
	sink += sum
	return k
}

// writeLoop writes one word of each page of mem, timed as one loop.
//
//go:noinline
func writeLoop(mem []byte) int64 {
	t := time.Now()
	for i := 0; i < len(mem); i += pageSize {
		atomic.StoreUint32((*uint32)(unsafe.Pointer(&mem[i])), uint32(i))
	}
	return int64(time.Since(t))
}

// anonFault is the first-touch write fault on fresh anonymous memory (4
// KiB pages), per page, less the same loop once resident.
func (m *meter) anonFault() (float64, error) {
	n := m.pages
	mem, err := unix.Mmap(-1, 0, n*pageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return 0, fmt.Errorf("mmap %d pages: %v", n, err)
	}
	defer unix.Munmap(mem)
	if err := unix.Madvise(mem, unix.MADV_NOHUGEPAGE); err != nil {
		return 0, fmt.Errorf("madvise MADV_NOHUGEPAGE: %v", err)
	}
	t := writeLoop(mem)
	return float64(t-writeLoop(mem)) / float64(n), nil
}

// minorFault is the write fault on a shmem page that is in the page
// cache but not mapped (MADV_DONTNEED zaps the PTEs, the pages stay), per
// page, less the same loop once mapped. It does no allocation and no I/O:
// fault entry and exit, the page walk, the page cache lookup, the PTE.
// A write, not a read: a read fault on a file maps its neighbours too
// (fault-around), a write fault on a shared mapping maps one page.
func (m *meter) minorFault() (float64, error) {
	if err := unix.Madvise(m.shm, unix.MADV_DONTNEED); err != nil {
		return 0, fmt.Errorf("madvise MADV_DONTNEED: %v", err)
	}
	t := writeLoop(m.shm)
	return float64(t-writeLoop(m.shm)) / float64(m.pages), nil
}

// region maps n pages of anonymous memory for a round, aligned to 2 MiB
// so that every folio of an order-N round is naturally aligned (the
// fault and the swapin allocate a large folio only for an aligned range
// inside the VMA), MADV_HUGEPAGE for order N and MADV_NOHUGEPAGE for 0.
// raw is what to unmap.
func region(n, order int) (raw, mem []byte, err error) {
	const align = 2 << 20
	raw, err = unix.Mmap(-1, 0, n*pageSize+align, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap %d pages: %v", n, err)
	}
	addr := uintptr(unsafe.Pointer(&raw[0]))
	off := int((align - addr%align) % align)
	mem = raw[off : off+n*pageSize]
	adv, name := unix.MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE"
	if order > 0 {
		adv, name = unix.MADV_HUGEPAGE, "MADV_HUGEPAGE"
	}
	if err := unix.Madvise(mem, adv); err != nil {
		unix.Munmap(raw)
		return nil, nil, fmt.Errorf("madvise %s: %v", name, err)
	}
	return raw, mem, nil
}

// mthpStats reads the counters of an mTHP size.
func mthpStats(order int) (map[string]uint64, error) {
	dir := thpDir + "/hugepages-" + SizeName(order) + "/stats"
	ents, err := os.ReadDir(path(dir))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, unwrapPath(err))
	}
	out := map[string]uint64{}
	for _, e := range ents {
		b, err := readFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		n, err := ParseInt(b, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = uint64(n)
	}
	return out, nil
}

// The /proc/kpageflags bits of a compound page (Documentation/admin-guide/mm/pagemap.rst).
const (
	kpfCompoundHead = 1 << 15
	kpfCompoundTail = 1 << 16
	pmPresent       = 1 << 63
	pmPFN           = 1<<55 - 1
)

// countLarge counts the folios of mem of exactly the order that are
// mapped as one: physically contiguous pages (/proc/self/pagemap), the
// first a compound head and the others its tails, the page after them
// not a tail (/proc/kpageflags).
func countLarge(mem []byte, order int) (int, error) {
	nr := 1 << order
	n := len(mem) / pageSize
	pm, err := os.Open(path("/proc/self/pagemap"))
	if err != nil {
		return 0, fmt.Errorf("/proc/self/pagemap: %v", unwrapPath(err))
	}
	defer pm.Close()
	ents := make([]byte, n*8)
	if _, err := pm.ReadAt(ents, int64(uintptr(unsafe.Pointer(&mem[0]))/pageSize)*8); err != nil {
		return 0, fmt.Errorf("reading /proc/self/pagemap: %v", err)
	}
	kf, err := os.Open(path("/proc/kpageflags"))
	if err != nil {
		return 0, fmt.Errorf("/proc/kpageflags: %v", unwrapPath(err))
	}
	defer kf.Close()
	le := binary.LittleEndian
	flags := make([]byte, (nr+1)*8)
	large := 0
folio:
	for u := 0; u < n/nr; u++ {
		e0 := le.Uint64(ents[u*nr*8:])
		pfn := e0 & pmPFN
		if e0&pmPresent == 0 || pfn == 0 {
			continue
		}
		for i := 1; i < nr; i++ {
			e := le.Uint64(ents[(u*nr+i)*8:])
			if e&pmPresent == 0 || e&pmPFN != pfn+uint64(i) {
				continue folio
			}
		}
		k, _ := kf.ReadAt(flags, int64(pfn)*8)
		if k < nr*8 || le.Uint64(flags)&kpfCompoundHead == 0 {
			continue
		}
		for i := 1; i < nr; i++ {
			if le.Uint64(flags[i*8:])&kpfCompoundTail == 0 {
				continue folio
			}
		}
		if k == len(flags) && le.Uint64(flags[nr*8:])&kpfCompoundTail != 0 {
			continue // part of a larger folio
		}
		large++
	}
	return large, nil
}

// round measures one round of r: the baseline faults; a fresh region
// mapped and filled with the data class, paged out in calls of
// PageoutBatch pages (or a folio's, if larger), the holder child forked
// for the swapcache path; every other folio's pages touched in one loop
// timed as a whole, the others' each timed alone (which half goes first
// alternates by round); the same two loops again over the resident pages
// (the controls); the contents checked. It adds the round, its vmstat
// (and mTHP) deltas and its conditions to r.
func (m *meter) round(r *Result, content workloads.Content, version uint64) (err error) {
	before, err := sample(m.cpu)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			return
		}
		after, serr := sample(m.cpu)
		if serr != nil {
			err = serr
			return
		}
		a := m.acc[r]
		if a == nil {
			a = &condAcc{}
			m.acc[r] = a
		}
		a.before = append(a.before, before.load[0])
		a.after = append(a.after, after.load[0])
		a.d = a.d.add(after.since(before))
	}()
	if err := m.setTHP(r.Order); err != nil {
		return err
	}
	n, nr := m.pages, r.FolioPages()
	x := Round{Pages: n}
	if x.AnonFaultNS, err = m.anonFault(); err != nil {
		return err
	}
	if x.MinorFaultNS, err = m.minorFault(); err != nil {
		return err
	}

	// The size's counters before the fill: anon_fault_alloc counts the
	// region's folios as the fill faults them in.
	var th0 map[string]uint64
	if r.Order > 0 {
		if th0, err = mthpStats(r.Order); err != nil {
			return err
		}
	}
	raw, mem, err := region(n, r.Order)
	if err != nil {
		return err
	}
	defer unix.Munmap(raw)
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
	batch := max(PageoutBatch, nr)
	for i := 0; i < n; i += batch {
		end := min(i+batch, n)
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

	// The swapins: the even folios timed as a whole (the mean), the odd
	// ones each alone (the spread).
	var whole int64
	var k int
	if version%2 == 0 {
		whole = readLoop(mem, nr, 0)
		k = readEach(mem, nr, 1, m.dts)
	} else {
		k = readEach(mem, nr, 1, m.dts)
		whole = readLoop(mem, nr, 0)
	}
	vm1, err := readVmstat()
	if err != nil {
		return err
	}
	if r.Order > 0 {
		th1, err := mthpStats(r.Order)
		if err != nil {
			return err
		}
		if r.Mthp == nil {
			r.Mthp = map[string]int64{}
		}
		for name, v := range th1 {
			r.Mthp[name] += int64(v) - int64(th0[name])
		}
		large, err := countLarge(mem, r.Order)
		if err != nil {
			return err
		}
		r.Large += large
	}
	// The controls: the same loops over the same pages, now resident.
	resident := readLoop(mem, nr, 0)
	readEach(mem, nr, 1, m.ctl)

	pagesWhole := (n/nr + 1) / 2 * nr
	x.SwapinNS = float64(whole-resident) / float64(pagesWhole)
	x.ResidentNS = float64(resident) / float64(pagesWhole)
	ctl := m.samples[:k]
	for i := range ctl {
		ctl[i] = float64(m.ctl[i])
	}
	x.TimerNS = Median(ctl)
	s := m.samples[:k]
	for i := range s {
		s[i] = (float64(m.dts[i]) - x.TimerNS) / float64(nr)
	}
	slices.Sort(s)
	x.SwapinP50 = Median(s)
	x.SwapinP99 = s[(len(s)*99)/100]
	x.SwapoutNS = float64(out.Nanoseconds()) / float64(n)

	for i := 0; i < n; i++ {
		content.Fill(m.want, uint64(i), version)
		if !bytes.Equal(m.want, mem[i*pageSize:(i+1)*pageSize]) {
			x.Corrupt++
		}
	}
	r.Rounds = append(r.Rounds, x)
	for k, v := range Delta(vm0, vm1) {
		r.Vmstat[k] += v
	}
	r.ComprBytes += (stored1 - stored0) / float64(n)
	return nil
}

var _ = strings.TrimSpace
