package probe

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// JournalFile is where a running probe keeps the settings it found
// (relative to Root): written before it changes any, updated before it
// creates a swap file, removed once it has restored them. /run is
// cleared at boot, as the settings are.
const JournalFile = "/run/swapbench-probe.journal"

// JournalPath is the journal's path on this machine (under Root).
func JournalPath() string { return path(JournalFile) }

// Journal is what a probe writes before it changes a setting: every
// setting as it found it and the swap file it may have created, so that
// `swapbench probe -restore` can put them back after a SIGKILL.
type Journal struct {
	Pid      int
	Started  time.Time
	State    *State
	SwapFile string // "" when none was created
}

const journalHead = "# swapbench probe journal: the settings as they were before the probe changed them; swapbench probe -restore puts them back and removes this file"

// Write writes the journal atomically (a temporary file in the same
// directory, synced, then renamed over it).
func (j *Journal) Write() error {
	s := j.State
	var b strings.Builder
	fmt.Fprintln(&b, journalHead)
	fmt.Fprintf(&b, "pid: %d\nstarted: %s\n", j.Pid, j.Started.UTC().Format(time.RFC3339))
	var sw []string
	for _, x := range s.Swaps {
		sw = append(sw, fmt.Sprintf("%s:%d", x.Filename, x.Priority))
	}
	fmt.Fprintf(&b, "swaps: %s\n", strings.Join(sw, ","))
	fmt.Fprintf(&b, "zram0.disksize: %d\nzram0.comp_algorithm: %s\n", s.ZramDisksize, s.ZramComp)
	fmt.Fprintf(&b, "zswap.enabled: %v\nzswap.compressor: %s\nvm.page-cluster: %d\n", s.ZswapEnabled, s.ZswapCompressor, s.PageCluster)
	if len(s.THP) > 0 {
		fmt.Fprintf(&b, "thp: %s\n", s.thpString())
	}
	if j.SwapFile != "" {
		fmt.Fprintf(&b, "swapfile: %s\n", j.SwapFile)
	}
	p := JournalPath()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("journal %s: %v", p, unwrapPath(err))
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".swapbench-probe.journal-*")
	if err != nil {
		return fmt.Errorf("journal %s: %v", p, unwrapPath(err))
	}
	_, err = tmp.WriteString(b.String())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing journal %s: %v", p, unwrapPath(err))
	}
	return nil
}

// ReadJournal reads the journal at p; name labels errors.
func ReadJournal(data []byte, name string) (*Journal, error) {
	j := &Journal{State: &State{THP: map[string]string{}}}
	s := j.State
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.HasPrefix(text, "#") || strings.TrimSpace(text) == "" {
			continue
		}
		k, v, ok := strings.Cut(text, ": ")
		if !ok {
			k, v, ok = strings.Cut(text, ":") // an empty value
			if !ok || strings.TrimSpace(v) != "" {
				return nil, fmt.Errorf("%s:%d: %q: want KEY: VALUE", name, line, text)
			}
		}
		bad := func(what string) error { return fmt.Errorf("%s:%d: %s %q: want %s", name, line, k, v, what) }
		var err error
		seen[k] = true
		switch k {
		case "pid":
			if j.Pid, err = strconv.Atoi(v); err != nil {
				return nil, bad("a process id")
			}
		case "started":
			if j.Started, err = time.Parse(time.RFC3339, v); err != nil {
				return nil, bad("an RFC 3339 time")
			}
		case "swaps":
			for _, x := range strings.Split(v, ",") {
				if x == "" {
					continue
				}
				i := strings.LastIndexByte(x, ':')
				prio, err := strconv.Atoi(x[i+1:])
				if i < 1 || err != nil {
					return nil, bad("FILE:PRIORITY,...")
				}
				s.Swaps = append(s.Swaps, Swap{Filename: x[:i], Priority: prio})
			}
		case "zram0.disksize":
			if s.ZramDisksize, err = strconv.ParseInt(v, 10, 64); err != nil {
				return nil, bad("an integer")
			}
		case "zram0.comp_algorithm":
			s.ZramComp = v
		case "zswap.enabled":
			if s.ZswapEnabled, err = strconv.ParseBool(v); err != nil {
				return nil, bad("true or false")
			}
		case "zswap.compressor":
			s.ZswapCompressor = v
		case "vm.page-cluster":
			if s.PageCluster, err = strconv.ParseInt(v, 10, 64); err != nil {
				return nil, bad("an integer")
			}
		case "thp":
			for _, x := range strings.Split(v, ",") {
				size, set, ok := strings.Cut(x, ":")
				if !ok || OrderOf(size) < 0 || set == "" {
					return nil, bad("SIZE:SETTING,... such as 64kB:never")
				}
				s.THP[size] = set
			}
		case "swapfile":
			j.SwapFile = v
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", name, line, k)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	for _, k := range []string{"pid", "zram0.comp_algorithm", "zswap.enabled", "zswap.compressor", "vm.page-cluster"} {
		if !seen[k] {
			return nil, fmt.Errorf("%s: no %q line; want a journal written by swapbench probe", name, k)
		}
	}
	return j, nil
}

// checkJournal refuses to start while a journal exists: an earlier probe
// was killed before it restored its settings (or is still running), and
// the settings read now may be its changes, not the machine's.
func checkJournal() error {
	p := JournalPath()
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal %s: %v", p, unwrapPath(err))
	}
	who := "an earlier probe"
	if j, err := ReadJournal(data, p); err == nil {
		who = fmt.Sprintf("the probe of pid %d (started %s)", j.Pid, j.Started.UTC().Format(time.RFC3339))
		if syscall.Kill(j.Pid, 0) == nil {
			return fmt.Errorf("%s exists and pid %d is alive: another probe may be running; if it is not, swapbench probe -restore puts back the settings it saved", p, j.Pid)
		}
	}
	return fmt.Errorf("%s exists: %s stopped before restoring the settings it changed; swapbench probe -restore puts them back", p, who)
}
