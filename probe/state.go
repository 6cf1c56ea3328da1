package probe

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The files the probe reads and the settings it changes, relative to Root.
const (
	ZramDev         = "/dev/zram0"
	zramDir         = "/sys/block/zram0"
	zswapDir        = "/sys/module/zswap/parameters"
	fileSwaps       = "/proc/swaps"
	fileVmstat      = "/proc/vmstat"
	fileMeminfo     = "/proc/meminfo"
	fileCrypto      = "/proc/crypto"
	filePageCluster = "/proc/sys/vm/page-cluster"
)

// Root prefixes every /proc and /sys path read (tests point it at a copy).
var Root = "/"

// system is how the probe changes the machine: writes to sysfs and
// procfs settings (p relative to Root) and swapon(2)/swapoff(2) of a
// device or file (its path as opened, Root included). Tests replace it
// with one that emulates those files under a copy at Root.
type system interface {
	// Privileged says why the probe may not change settings, or nil.
	Privileged() error
	Write(p, v string) error
	Swapon(file string, prio int) error
	Swapoff(file string) error
}

// sys is the real system on Linux (probe_linux.go).
var sys system = realSystem{}

func path(p string) string { return filepath.Join(Root, p) }

func readFile(p string) ([]byte, error) {
	b, err := os.ReadFile(path(p))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", p, unwrapPath(err))
	}
	return b, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// State is every setting the probe may change, as read before it changes
// any; Restore puts it back.
type State struct {
	Swaps           []Swap
	ZramDisksize    int64
	ZramComps       []string // offered
	ZramComp        string   // selected
	ZswapEnabled    bool
	ZswapCompressor string
	PageCluster     int64
	// THP is each mTHP size's enabled setting
	// (/sys/kernel/mm/transparent_hugepage/hugepages-SIZE/enabled) by
	// size ("64kB": "never"); empty on a kernel without them.
	THP map[string]string
}

// ReadState reads the settings.
func ReadState() (*State, error) {
	s := &State{}
	b, err := readFile(fileSwaps)
	if err != nil {
		return nil, err
	}
	if s.Swaps, err = ParseSwaps(b, fileSwaps); err != nil {
		return nil, err
	}
	if b, err = readFile(zramDir + "/disksize"); err != nil {
		return nil, err
	}
	if s.ZramDisksize, err = ParseInt(b, zramDir+"/disksize"); err != nil {
		return nil, err
	}
	if b, err = readFile(zramDir + "/comp_algorithm"); err != nil {
		return nil, err
	}
	if s.ZramComps, s.ZramComp, err = ParseChoice(b, zramDir+"/comp_algorithm"); err != nil {
		return nil, err
	}
	if b, err = readFile(zswapDir + "/enabled"); err != nil {
		return nil, err
	}
	if s.ZswapEnabled, err = ParseBool(b, zswapDir+"/enabled"); err != nil {
		return nil, err
	}
	if b, err = readFile(zswapDir + "/compressor"); err != nil {
		return nil, err
	}
	if s.ZswapCompressor, err = ParseWord(b, zswapDir+"/compressor"); err != nil {
		return nil, err
	}
	if b, err = readFile(filePageCluster); err != nil {
		return nil, err
	}
	if s.PageCluster, err = ParseInt(b, filePageCluster); err != nil {
		return nil, err
	}
	s.THP = map[string]string{}
	for _, size := range thpSizes() {
		p := thpEnabled(size)
		if b, err = readFile(p); err != nil {
			return nil, err
		}
		if _, s.THP[size], err = ParseChoice(b, p); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// thpEnabled is the enabled setting of an mTHP size.
func thpEnabled(size string) string { return thpDir + "/hugepages-" + size + "/enabled" }

// thpString is the THP settings as "16kB:never,...", smallest size first.
func (s *State) thpString() string {
	var kv []string
	for _, size := range sortedSizes(s.THP) {
		kv = append(kv, size+":"+s.THP[size])
	}
	return strings.Join(kv, ",")
}

func sortedSizes(m map[string]string) []string {
	sizes := make([]string, 0, len(m))
	for k := range m {
		sizes = append(sizes, k)
	}
	slices.SortFunc(sizes, func(a, b string) int { return kb(a) - kb(b) })
	return sizes
}

// String is the state on one line.
func (s *State) String() string {
	sw := make([]string, len(s.Swaps))
	for i, x := range s.Swaps {
		sw[i] = x.Filename
	}
	str := fmt.Sprintf("swaps=[%s] zram0.disksize=%d zram0.comp_algorithm=%s zswap.enabled=%v zswap.compressor=%s vm.page-cluster=%d",
		strings.Join(sw, ","), s.ZramDisksize, s.ZramComp, s.ZswapEnabled, s.ZswapCompressor, s.PageCluster)
	if len(s.THP) > 0 {
		str += " thp=" + s.thpString()
	}
	return str
}

// Diff lists the settings that differ between s and t (swap usage and
// sizes are not settings; the set of active swap files is).
func (s *State) Diff(t *State) []string {
	var d []string
	add := func(name string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			d = append(d, fmt.Sprintf("%s: %v -> %v", name, a, b))
		}
	}
	names := func(sw []Swap) string {
		n := make([]string, len(sw))
		for i, x := range sw {
			n[i] = fmt.Sprintf("%s(prio %d)", x.Filename, x.Priority)
		}
		return strings.Join(n, ",")
	}
	add("swaps", names(s.Swaps), names(t.Swaps))
	add("zram0 disksize", s.ZramDisksize, t.ZramDisksize)
	add("zram0 comp_algorithm", s.ZramComp, t.ZramComp)
	add("zswap enabled", s.ZswapEnabled, t.ZswapEnabled)
	add("zswap compressor", s.ZswapCompressor, t.ZswapCompressor)
	add("vm.page-cluster", s.PageCluster, t.PageCluster)
	for _, size := range sortedSizes(s.THP) {
		add("hugepages-"+size+" enabled", s.THP[size], t.THP[size])
	}
	return d
}

// swapActive reports whether dev is in the active swaps.
func (s *State) swapActive(dev string) bool {
	for _, x := range s.Swaps {
		if x.Filename == dev {
			return true
		}
	}
	return false
}
