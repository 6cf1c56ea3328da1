//go:build linux

package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeSystem emulates, under Root, the sysfs and procfs files the probe
// changes, as the kernel would answer: writing zram0's reset clears its
// disksize, comp_algorithm and the mTHP enabled files select a choice
// ("lzo [lz4]"), swapon and swapoff edit /proc/swaps. block, if set
// ("FILE=VALUE"), makes that write, then hangs: the test kills the
// process there, mid-run, with the settings changed.
type fakeSystem struct{ block string }

func (fakeSystem) Privileged() error { return nil }

func (f fakeSystem) Write(p, v string) error {
	file := path(p)
	old, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("%s: %v", p, unwrapPath(err))
	}
	out := v
	switch {
	case p == zramDir+"/reset":
		if err := os.WriteFile(path(zramDir+"/disksize"), []byte("0\n"), 0o644); err != nil {
			return err
		}
		out = "0"
	case p == zramDir+"/comp_algorithm" || strings.HasPrefix(p, thpDir+"/hugepages-"):
		choices, _, err := ParseChoice(old, p)
		if err != nil {
			return err
		}
		if !slices.Contains(choices, v) {
			return fmt.Errorf("writing %q to %s: invalid argument", v, p)
		}
		for i, c := range choices {
			if c == v {
				choices[i] = "[" + c + "]"
			}
		}
		out = strings.Join(choices, " ")
	}
	if err := os.WriteFile(file, []byte(out+"\n"), 0o644); err != nil {
		return err
	}
	if f.block != "" && f.block == p+"="+v {
		os.WriteFile(path("/blocked"), nil, 0o644)
		time.Sleep(time.Hour)
	}
	return nil
}

// name is how /proc/swaps names a swap: the path as the probe opened it,
// but zram0, which the probe opens under Root, as /dev/zram0.
func (fakeSystem) name(file string) string {
	if file == path(ZramDev) {
		return ZramDev
	}
	return file
}

func (f fakeSystem) Swapon(file string, prio int) error {
	b, err := readFile(fileSwaps)
	if err != nil {
		return err
	}
	if strings.Contains(string(b), f.name(file)+" ") {
		return fmt.Errorf("swapon %s: device or resource busy", file)
	}
	line := fmt.Sprintf("%s partition 524284 0 %d\n", f.name(file), prio)
	return os.WriteFile(path(fileSwaps), append(b, line...), 0o644)
}

func (f fakeSystem) Swapoff(file string) error {
	b, err := readFile(fileSwaps)
	if err != nil {
		return err
	}
	var keep []string
	found := false
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if strings.HasPrefix(l, f.name(file)+" ") {
			found = true
			continue
		}
		keep = append(keep, l)
	}
	if !found {
		return fmt.Errorf("swapoff %s: invalid argument", file)
	}
	return os.WriteFile(path(fileSwaps), []byte(strings.Join(keep, "")), 0o644)
}

// fakeRoot writes a machine with zram, zswap, one mTHP size and no swap
// active under dir: zram0 unused with lzo-rle, zswap off with lzo,
// page-cluster 3, 64kB mTHP never.
func fakeRoot(t *testing.T, dir string) {
	t.Helper()
	crypto, err := os.ReadFile("testdata/crypto.txt")
	if err != nil {
		t.Fatal(err)
	}
	var stat strings.Builder
	stat.WriteString("cpu  100 0 100 1000 0 0 0 0 0 0\n")
	for c := 0; c < 1024; c++ {
		fmt.Fprintf(&stat, "cpu%d 100 0 100 1000 0 0 0 0 0 0\n", c)
	}
	files := map[string]string{
		ZramDev:                                 "",
		zramDir + "/comp_algorithm":             "lzo [lzo-rle] lz4",
		zramDir + "/disksize":                   "0",
		zramDir + "/reset":                      "",
		zramDir + "/mm_stat":                    "0 0 0 0 0 0 0 0 0",
		zswapDir + "/enabled":                   "N",
		zswapDir + "/compressor":                "lzo",
		zswapDir + "/max_pool_percent":          "20",
		filePageCluster:                         "3",
		"/proc/sys/vm/stat_refresh":             "",
		fileSwaps:                               "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n",
		fileVmstat:                              "nr_swapcached 0\npswpin 0\npswpout 0\nzswpin 0\nzswpout 0\nswap_ra 0\nswap_ra_hit 0\n",
		fileMeminfo:                             "MemTotal: 1000 kB\nZswap: 0 kB\n",
		fileCrypto:                              string(crypto),
		fileLoadavg:                             "0.50 0.40 0.30 1/100 1234",
		fileStat:                                stat.String(),
		fileVersion:                             "Linux version 6.18.0-fake (gcc) #1 SMP",
		thpDir + "/enabled":                     "always [madvise] never",
		thpDir + "/hugepages-64kB/enabled":      "always inherit madvise [never]",
		thpDir + "/hugepages-64kB/stats/swpin":  "0",
		thpDir + "/hugepages-64kB/stats/swpout": "0",
		thpDir + "/hpage_pmd_size":              "2097152",
		"/sys/devices/system/clocksource/clocksource0/current_clocksource": "kvm-clock",
	}
	for p, v := range files {
		f := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeMachine writes a fake machine in a temporary directory, points
// Root and sys at it for the test, and returns it and its settings.
func fakeMachine(t *testing.T) (string, *State) {
	t.Helper()
	dir := t.TempDir()
	fakeRoot(t, dir)
	onFakeRoot(t, dir, fakeSystem{})
	before, err := ReadState()
	if err != nil {
		t.Fatal(err)
	}
	return dir, before
}

// checkRestored checks that every setting reads as before and that the
// journal is gone after what.
func checkRestored(t *testing.T, before *State, what string) {
	t.Helper()
	after, err := ReadState()
	if err != nil {
		t.Fatal(err)
	}
	if d := before.Diff(after); len(d) > 0 {
		t.Errorf("after %s still changed: %s", what, strings.Join(d, "; "))
	}
	if _, err := os.Stat(JournalPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal after %s: %v, want it removed", what, err)
	}
}

// onFakeRoot points Root and sys at a fake machine in dir for the test.
func onFakeRoot(t *testing.T, dir string, f fakeSystem) {
	oldRoot, oldSys := Root, sys
	Root, sys = dir, f
	t.Cleanup(func() { Root, sys = oldRoot, oldSys })
}

// TestProbeChild is the probe run that TestKilledProbeRestores kills: it
// runs only as that test's child process, on the fake machine it names.
func TestProbeChild(t *testing.T) {
	dir := os.Getenv("SWAPBENCH_FAKE_ROOT")
	if dir == "" {
		t.Skip("the child of TestKilledProbeRestores")
	}
	onFakeRoot(t, dir, fakeSystem{block: os.Getenv("SWAPBENCH_FAKE_BLOCK")})
	opts := QuickOptions()
	opts.Pages, opts.Rounds = 64, 2
	opts.Backends = strings.Split(os.Getenv("SWAPBENCH_FAKE_BACKENDS"), ",")
	opts.Data = []string{"zero"}
	opts.Paths = []string{PathBypass}
	opts.Orders = []int{0, 4}
	opts.SwapfileDir = filepath.Join(dir, "var-tmp")
	os.MkdirAll(opts.SwapfileDir, 0o755)
	_, err := Run(context.Background(), opts)
	t.Fatalf("the probe returned (%v) where the test meant to kill it", err)
}

// TestKilledProbeRestores SIGKILLs a probe mid-run on a fake machine
// (Root) with the settings changed, then checks that a new probe refuses
// to start over the journal it left, naming it and -restore, and that
// Restore puts back every setting as read before the run, removes the
// swap file and the journal.
func TestKilledProbeRestores(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the probe in a child process")
	}
	for _, tc := range []struct {
		name, backends, block string
		changed               []string // settings the kill must leave changed
	}{
		{"zswap+zram", "zswap+zram", zswapDir + "/enabled=Y",
			[]string{"swaps", "zram0 disksize", "zswap enabled", "vm.page-cluster"}},
		{"mthp", "zram", thpDir + "/hugepages-64kB/enabled=madvise",
			[]string{"swaps", "zram0 disksize", "hugepages-64kB enabled", "vm.page-cluster"}},
		{"zswap+file", "zswap+file", zswapDir + "/enabled=Y",
			[]string{"swaps", "zswap enabled", "vm.page-cluster"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, before := fakeMachine(t)
			cmd := exec.Command(os.Args[0], "-test.run=^TestProbeChild$", "-test.v")
			cmd.Env = append(os.Environ(), "SWAPBENCH_FAKE_ROOT="+dir, "SWAPBENCH_FAKE_BLOCK="+tc.block, "SWAPBENCH_FAKE_BACKENDS="+tc.backends)
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(2 * time.Minute)
			for {
				if _, err := os.Stat(path("/blocked")); err == nil {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("the child never reached %s; its output:\n%s", tc.block, out.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()

			mid, err := ReadState()
			if err != nil {
				t.Fatal(err)
			}
			d := strings.Join(before.Diff(mid), "; ")
			for _, c := range tc.changed {
				if !strings.Contains(d, c+":") {
					t.Errorf("after the kill %s is not changed (changed: %s): the test kills too early", c, d)
				}
			}
			data, err := os.ReadFile(JournalPath())
			if err != nil {
				t.Fatalf("no journal after the kill: %v", err)
			}
			j, err := ReadJournal(data, JournalPath())
			if err != nil {
				t.Fatal(err)
			}
			if tc.backends == BackendZswapFile {
				if j.SwapFile == "" {
					t.Fatalf("the journal names no swap file:\n%s", data)
				}
				if _, err := os.Stat(j.SwapFile); err != nil {
					t.Fatalf("the swap file the journal names: %v", err)
				}
			}

			_, err = Run(context.Background(), QuickOptions())
			if err == nil || !strings.Contains(err.Error(), JournalPath()) || !strings.Contains(err.Error(), "swapbench probe -restore") || strings.Contains(err.Error(), "\n") {
				t.Errorf("Run over a journal = %v, want one line naming %s and swapbench probe -restore", err, JournalPath())
			}

			st, err := Restore()
			if err != nil {
				t.Fatalf("Restore: %v", err)
			}
			if d := before.Diff(st); len(d) > 0 {
				t.Errorf("the journal's settings differ from those read before the run: %s", strings.Join(d, "; "))
			}
			checkRestored(t, before, "Restore")
			if j.SwapFile != "" {
				if _, err := os.Stat(j.SwapFile); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("swap file %s after Restore: %v, want it removed", j.SwapFile, err)
				}
			}
			if st, err := Restore(); st != nil || err != nil {
				t.Errorf("Restore without a journal = %v, %v; want nil, nil", st, err)
			}
		})
	}
}

// TestFakeProbeRuns runs a whole probe on the fake machine: it records
// the conditions, restores every setting and removes its journal.
func TestFakeProbeRuns(t *testing.T) {
	_, before := fakeMachine(t)
	opts := QuickOptions()
	opts.Pages, opts.Rounds = 64, 2
	opts.Backends = []string{BackendZram, BackendZswapZram}
	opts.Data = []string{"zero"}
	opts.Orders = []int{0}
	out, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	checkRestored(t, before, "the run")
	h := strings.Join(out.Header, "\n")
	for _, want := range []string{"kernel-version: Linux version 6.18.0-fake", "clocksource: kvm-clock", "thp-64kB-enabled: always inherit madvise [never]", "zswap-max_pool_percent: 20", "load-start: 0.50 0.40 0.30", "load-end: ", "probe-orders: 0"} {
		if !strings.Contains(h, want) {
			t.Errorf("header lacks %q:\n%s", want, h)
		}
	}
	// zram: 3 algorithms; zswap+zram: the compressors of testdata/crypto.txt.
	if len(out.Results) < 4 {
		t.Fatalf("%d results, want zram's 3 algorithms x 2 paths and zswap's", len(out.Results))
	}
	for _, r := range out.Results {
		if len(r.Rounds) != 2 || r.Cond == nil || len(r.Cond.LoadBefore) != 2 {
			t.Errorf("%s: %d rounds, conditions %+v; want 2 rounds, each with its load", r.Key(), len(r.Rounds), r.Cond)
		}
		if x := r.Rounds[0]; x.TimerNS <= 0 || x.AnonFaultNS == 0 || x.MinorFaultNS == 0 {
			t.Errorf("%s: round %+v lacks the timer control or the baselines", r.Key(), x)
		}
	}
}
