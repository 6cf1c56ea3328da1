package probe

import (
	"fmt"
	"os"
	"path/filepath"
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
	return s, nil
}

// String is the state on one line.
func (s *State) String() string {
	sw := make([]string, len(s.Swaps))
	for i, x := range s.Swaps {
		sw[i] = x.Filename
	}
	return fmt.Sprintf("swaps=[%s] zram0.disksize=%d zram0.comp_algorithm=%s zswap.enabled=%v zswap.compressor=%s vm.page-cluster=%d",
		strings.Join(sw, ","), s.ZramDisksize, s.ZramComp, s.ZswapEnabled, s.ZswapCompressor, s.PageCluster)
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
