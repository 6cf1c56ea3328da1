package workloads

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// anonRange is one anonymous private writable mapping, in pages.
type anonRange struct{ start, pages uint64 }

// Capture samples up to maxPages pages of the anonymous private writable
// memory of the live process pid and writes them to w as a corpus file
// (see WriteCorpus). It returns the number of pages written.
//
// The mappings are the rw-p lines of /proc/PID/maps without a file: no
// path, [heap], [stack] or [anon:NAME]. Pages are drawn uniformly without
// replacement over all of them, a pure function of seed and the maps, and
// read with pread on /proc/PID/mem; pages that cannot be read (say, a
// range unmapped meanwhile) are skipped, so fewer than maxPages may be
// written. Reading another process's memory needs ptrace access to it (the
// same user and, under Yama ptrace_scope 1, being its ancestor; or root).
// It works on Linux only.
func Capture(pid int, maxPages int, seed uint64, w io.Writer) (n int, err error) {
	if maxPages < 1 {
		return 0, fmt.Errorf("capture pid %d: maxPages %d; want at least 1", pid, maxPages)
	}
	proc := "/proc/" + strconv.Itoa(pid)
	maps, err := os.ReadFile(proc + "/maps")
	if err != nil {
		return 0, fmt.Errorf("capture pid %d: %v", pid, err)
	}
	ranges, total, err := parseMaps(maps)
	if err != nil {
		return 0, fmt.Errorf("capture pid %d: %s/maps: %v", pid, proc, err)
	}
	if total == 0 {
		return 0, fmt.Errorf("capture pid %d: %s/maps lists no anonymous private writable mapping", pid, proc)
	}
	mem, err := os.Open(proc + "/mem")
	if err != nil {
		return 0, fmt.Errorf("capture pid %d: %v", pid, err)
	}
	defer mem.Close()

	picks := samplePages(total, uint64(maxPages), seed)
	buf := make([]byte, len(picks)*PageSize)
	var pages [][]byte
	ri, before := 0, uint64(0) // ranges[ri] holds pages [before, before+pages)
	var lastErr error
	for _, p := range picks {
		for p >= before+ranges[ri].pages {
			before += ranges[ri].pages
			ri++
		}
		addr := (ranges[ri].start + p - before) * PageSize
		page := buf[len(pages)*PageSize : (len(pages)+1)*PageSize]
		if _, err := mem.ReadAt(page, int64(addr)); err != nil {
			lastErr = err
			continue
		}
		pages = append(pages, page)
	}
	if len(pages) == 0 {
		return 0, fmt.Errorf("capture pid %d: none of %d sampled pages could be read from %s/mem: %v", pid, len(picks), proc, lastErr)
	}
	comm, _ := os.ReadFile(proc + "/comm")
	source := fmt.Sprintf("pid=%d comm=%s sampled=%d/%d seed=%d",
		pid, strings.Join(strings.Fields(string(comm)), "_"), len(pages), total, seed)
	if err := WriteCorpus(w, source, pages); err != nil {
		return 0, fmt.Errorf("capture pid %d: %v", pid, err)
	}
	return len(pages), nil
}

// parseMaps returns the anonymous private writable mappings of a
// /proc/PID/maps text, in address order, and their total size in pages.
func parseMaps(maps []byte) ([]anonRange, uint64, error) {
	var rs []anonRange
	var total uint64
	sc := bufio.NewScanner(bytes.NewReader(maps))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			return nil, 0, fmt.Errorf("bad line %q", sc.Text())
		}
		if f[1] != "rw-p" {
			continue
		}
		path := strings.Join(f[5:], " ")
		if path != "" && path != "[heap]" && path != "[stack]" && !strings.HasPrefix(path, "[anon:") {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil || end < start || start%PageSize != 0 {
			return nil, 0, fmt.Errorf("bad address range %q", f[0])
		}
		if pages := (end - start) / PageSize; pages > 0 {
			rs = append(rs, anonRange{start / PageSize, pages})
			total += pages
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, err
	}
	return rs, total, nil
}

// samplePages returns min(k, total) distinct page numbers in [0, total),
// sorted, drawn uniformly with Floyd's algorithm from a generator seeded
// with seed.
func samplePages(total, k, seed uint64) []uint64 {
	if k >= total {
		all := make([]uint64, total)
		for i := range all {
			all[i] = uint64(i)
		}
		return all
	}
	r := rng{mix(seed ^ 0xca97)}
	set := make(map[uint64]struct{}, k)
	picks := make([]uint64, 0, k)
	for j := total - k; j < total; j++ {
		t := r.below(j + 1)
		if _, dup := set[t]; dup {
			t = j
		}
		set[t] = struct{}{}
		picks = append(picks, t)
	}
	slices.Sort(picks)
	return picks
}
