package probe

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/swapbench/swapbench/workloads"
)

// The files the conditions come from, relative to Root.
const (
	fileLoadavg     = "/proc/loadavg"
	fileStat        = "/proc/stat"
	fileVersion     = "/proc/version"
	fileClocksource = "/sys/devices/system/clocksource/clocksource0/current_clocksource"
	vulnDir         = "/sys/devices/system/cpu/vulnerabilities"
	thpDir          = "/sys/kernel/mm/transparent_hugepage"
)

// ParseLoadavg reads the 1-, 5- and 15-minute load averages of
// /proc/loadavg; name labels errors.
func ParseLoadavg(data []byte, name string) ([3]float64, error) {
	var l [3]float64
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return l, fmt.Errorf("%s: %q: want three load averages", name, strings.TrimSpace(string(data)))
	}
	for i := range l {
		x, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return l, fmt.Errorf("%s: %q: want a load average", name, f[i])
		}
		l[i] = x
	}
	return l, nil
}

// CPUTime is one CPU's line of /proc/stat, in USER_HZ ticks.
type CPUTime struct {
	Total, Idle, Steal uint64 // Idle includes iowait; Total every field but guest time, which user already counts
}

// Busy is the time the CPU ran something: neither idle nor stolen.
func (t CPUTime) Busy() uint64 { return t.Total - t.Idle - t.Steal }

// Sub is t - u, field by field.
func (t CPUTime) Sub(u CPUTime) CPUTime {
	return CPUTime{t.Total - u.Total, t.Idle - u.Idle, t.Steal - u.Steal}
}

// ParseCPUStat reads the "cpuN" line of /proc/stat (cpu < 0: the "cpu"
// line summed over all CPUs); name labels errors.
func ParseCPUStat(data []byte, cpu int, name string) (CPUTime, error) {
	want := "cpu"
	if cpu >= 0 {
		want = "cpu" + strconv.Itoa(cpu)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != want {
			continue
		}
		if len(f) < 9 {
			return CPUTime{}, fmt.Errorf("%s: %s: %d fields, want user nice system idle iowait irq softirq steal", name, want, len(f)-1)
		}
		var v [8]uint64
		for i := range v {
			n, err := strconv.ParseUint(f[i+1], 10, 64)
			if err != nil {
				return CPUTime{}, fmt.Errorf("%s: %s: %q: want a tick count", name, want, f[i+1])
			}
			v[i] = n
		}
		var t CPUTime
		for _, n := range v {
			t.Total += n
		}
		t.Idle = v[3] + v[4]
		t.Steal = v[7]
		return t, nil
	}
	return CPUTime{}, fmt.Errorf("%s: no %s line", name, want)
}

// Conditions are the header lines ("key: value") that describe the
// machine a run measured: /proc/version, the clocksource, the CPU
// vulnerabilities and their mitigations, the THP and mTHP settings,
// zswap's parameters and zram's algorithms. Files that are missing are
// left out; nothing here is a setting the probe changes (those it
// records in its State and restores).
func Conditions() []string {
	var out []string
	one := func(key, p string) {
		if b, err := readFile(p); err == nil {
			if v := strings.Join(strings.Fields(string(b)), " "); v != "" {
				out = append(out, key+": "+v)
			}
		}
	}
	one("kernel-version", fileVersion)
	one("clocksource", fileClocksource)
	dir := func(prefix, d string) {
		ents, err := os.ReadDir(path(d))
		if err != nil {
			return
		}
		for _, e := range ents {
			if !e.IsDir() {
				one(prefix+e.Name(), d+"/"+e.Name())
			}
		}
	}
	dir("vulnerability-", vulnDir)
	one("thp-enabled", thpDir+"/enabled")
	one("thp-defrag", thpDir+"/defrag")
	for _, s := range thpSizes() {
		one("thp-"+s+"-enabled", thpDir+"/hugepages-"+s+"/enabled")
	}
	dir("zswap-", zswapDir)
	one("zram-comp_algorithm", zramDir+"/comp_algorithm")
	return out
}

// thpSizes lists the hugepages-SIZE directories that have an enabled
// setting ("16kB", "2048kB"), smallest first.
func thpSizes() []string {
	ms, _ := filepath.Glob(path(thpDir + "/hugepages-*kB/enabled"))
	var sizes []string
	for _, m := range ms {
		s := strings.TrimPrefix(filepath.Base(filepath.Dir(m)), "hugepages-")
		if _, err := strconv.Atoi(strings.TrimSuffix(s, "kB")); err == nil {
			sizes = append(sizes, s)
		}
	}
	slices.SortFunc(sizes, func(a, b string) int { return kb(a) - kb(b) })
	return sizes
}

func kb(size string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(size, "kB"))
	return n
}

// OrderOf is the folio order of a size ("64kB": 4), or -1.
func OrderOf(size string) int {
	n := kb(size) * 1024 / workloads.PageSize
	for o := 0; o < 21; o++ {
		if 1<<o == n {
			return o
		}
	}
	return -1
}
