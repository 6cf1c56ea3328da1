package probe

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Vmstat is a snapshot of /proc/vmstat: counter name to value.
type Vmstat map[string]uint64

// ParseVmstat parses /proc/vmstat ("name value" lines); name labels errors.
func ParseVmstat(data []byte, name string) (Vmstat, error) {
	v := Vmstat{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		f := strings.Fields(text)
		if len(f) != 2 {
			return nil, fmt.Errorf("%s:%d: %q: want NAME VALUE", name, line, text)
		}
		n, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			// A few counters (nr_* gauges) can be transiently negative per CPU
			// but /proc/vmstat clamps them; anything else is not vmstat.
			if _, err2 := strconv.ParseInt(f[1], 10, 64); err2 != nil {
				return nil, fmt.Errorf("%s:%d: %s %q: want a number", name, line, f[0], f[1])
			}
			n = 0
		}
		v[f[0]] = n
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(v) == 0 {
		return nil, fmt.Errorf("%s: empty; want NAME VALUE lines", name)
	}
	return v, nil
}

// SwapCounter reports whether a vmstat counter is one the probe records:
// pswpin/pswpout, zswpin/zswpout, swap_ra/swap_ra_hit and any name that
// contains "swap" or "zswp".
func SwapCounter(name string) bool {
	return strings.Contains(name, "swap") || strings.Contains(name, "zswp") ||
		strings.HasPrefix(name, "pswp") || strings.HasPrefix(name, "swpin") || strings.HasPrefix(name, "swpout")
}

// Delta is after minus before for the swap counters (SwapCounter) present
// in both; gauges that went down give negative values.
func Delta(before, after Vmstat) map[string]int64 {
	d := map[string]int64{}
	for k, a := range after {
		if !SwapCounter(k) {
			continue
		}
		b, ok := before[k]
		if !ok {
			continue
		}
		d[k] = int64(a) - int64(b)
	}
	return d
}

// FormatDelta formats a delta as sorted "name=value" fields, leaving out
// zeros except the ones named in always.
func FormatDelta(d map[string]int64, always ...string) string {
	keys := make([]string, 0, len(d))
	for k, v := range d {
		if v != 0 || slices.Contains(always, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, d[k])
	}
	return b.String()
}

// Swap is one line of /proc/swaps.
type Swap struct {
	Filename string // octal escapes (\040) decoded
	Type     string // partition or file
	SizeKiB  uint64
	UsedKiB  uint64
	Priority int
}

// ParseSwaps parses /proc/swaps; name labels errors.
func ParseSwaps(data []byte, name string) ([]Swap, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	var out []Swap
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			if !strings.HasPrefix(text, "Filename") {
				return nil, fmt.Errorf("%s:1: %q: want the Filename Type Size Used Priority header", name, text)
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		f := strings.Fields(text)
		if len(f) != 5 {
			return nil, fmt.Errorf("%s:%d: %q: want FILENAME TYPE SIZE USED PRIORITY", name, line, text)
		}
		size, err1 := strconv.ParseUint(f[2], 10, 64)
		used, err2 := strconv.ParseUint(f[3], 10, 64)
		prio, err3 := strconv.Atoi(f[4])
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("%s:%d: %q: want numeric size, used and priority", name, line, text)
		}
		out = append(out, Swap{Filename: unescapeOctal(f[0]), Type: f[1], SizeKiB: size, UsedKiB: used, Priority: prio})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if line == 0 {
		return nil, fmt.Errorf("%s: empty; want the Filename header", name)
	}
	return out, nil
}

// unescapeOctal decodes the \ooo escapes the kernel uses for spaces and
// other special characters in /proc/swaps and /proc/mounts.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ParseChoice parses a sysfs list of choices with the current one in
// brackets, as in /sys/block/zram0/comp_algorithm ("lzo [lz4] zstd"). It
// returns the choices in order and the selected one; name labels errors.
func ParseChoice(data []byte, name string) (choices []string, selected string, err error) {
	for _, f := range strings.Fields(string(data)) {
		if strings.HasPrefix(f, "[") || strings.HasSuffix(f, "]") {
			if !strings.HasPrefix(f, "[") || !strings.HasSuffix(f, "]") || len(f) < 3 {
				return nil, "", fmt.Errorf("%s: %q: unbalanced brackets", name, f)
			}
			if selected != "" {
				return nil, "", fmt.Errorf("%s: two selected choices [%s] and %s", name, selected, f)
			}
			f = f[1 : len(f)-1]
			selected = f
		}
		choices = append(choices, f)
	}
	if len(choices) == 0 {
		return nil, "", fmt.Errorf("%s: empty; want choices like \"lzo [lz4] zstd\"", name)
	}
	if selected == "" {
		return nil, "", fmt.Errorf("%s: %q: no [selected] choice", name, strings.TrimSpace(string(data)))
	}
	return choices, selected, nil
}

// ParseBool parses a module boolean parameter (Y/N, 1/0) as
// /sys/module/zswap/parameters/enabled holds it; name labels errors.
func ParseBool(data []byte, name string) (bool, error) {
	switch s := strings.TrimSpace(string(data)); s {
	case "Y", "y", "1":
		return true, nil
	case "N", "n", "0":
		return false, nil
	default:
		return false, fmt.Errorf("%s: %q: want Y or N", name, s)
	}
}

// ParseWord parses a single-word parameter such as
// /sys/module/zswap/parameters/compressor; name labels errors.
func ParseWord(data []byte, name string) (string, error) {
	f := strings.Fields(string(data))
	if len(f) != 1 {
		return "", fmt.Errorf("%s: %q: want one word", name, strings.TrimSpace(string(data)))
	}
	return f[0], nil
}

// ParseInt parses a single integer such as /proc/sys/vm/page-cluster or
// /sys/block/zram0/disksize; name labels errors.
func ParseInt(data []byte, name string) (int64, error) {
	s := strings.TrimSpace(string(data))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q: want an integer", name, s)
	}
	return n, nil
}

// ParseCompressors lists the compression algorithms in /proc/crypto (type
// scomp, acomp or compression), in file order without repeats; these are
// what zswap's compressor parameter can take. name labels errors.
func ParseCompressors(data []byte, name string) ([]string, error) {
	var out []string
	cur, typ := "", ""
	flush := func() {
		if cur != "" && (typ == "scomp" || typ == "acomp" || typ == "compression") && !slices.Contains(out, cur) {
			out = append(out, cur)
		}
		cur, typ = "", ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(text, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: %q: want KEY : VALUE", name, line, text)
		}
		switch strings.TrimSpace(k) {
		case "name":
			flush()
			cur = strings.TrimSpace(v)
		case "type":
			typ = strings.TrimSpace(v)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return out, nil
}
