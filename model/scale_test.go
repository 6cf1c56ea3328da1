package model_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swapbench/swapbench/model"
)

// scaleChildEnv carries the child's job: "BASE PAGES".
const scaleChildEnv = "SWAPBENCH_SCALE_CHILD"

// scaleResult is what a child reports.
type scaleResult struct {
	Entries   int     // zswap entries after the build
	PeakRSS   int64   // VmHWM, bytes
	Faults    int     // swapins exercised after the build
	Lost      int     // pages the oracle saw lost
	Seconds   float64 // build and exercise
	Violation string  // the first violation, if any
}

// TestScale fills zswap through the model (reclaim of every page of one
// address space, RegenerateContent) and then swaps random pages back in
// through do_swap_page, in a child process so that its peak RSS is its own.
// By default 2^20 entries per kernel base; with SWAPBENCH_SCALE=1, the
// issue's 2^24 (64 GiB of simulated swap), which takes about a minute per
// base and 1.7 GiB. Either way the peak must stay within 2 GiB scaled to
// the size, plus what the Go runtime and test binary hold on their own.
func TestScale(t *testing.T) {
	if job := os.Getenv(scaleChildEnv); job != "" {
		scaleChild(job)
		return
	}
	if testing.Short() {
		t.Skip("builds a million-entry zswap per kernel base")
	}
	pages := 1 << 20
	if os.Getenv("SWAPBENCH_SCALE") == "1" {
		pages = 1 << 24
	}
	const perPage = (2 << 30) >> 24 // 2 GiB for 2^24 pages
	const runtimeBytes = 48 << 20
	budget := int64(pages)*perPage + runtimeBytes
	for _, kb := range model.KernelBases() {
		t.Run("kernel="+kb.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestScale$", "-test.count=1")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d", scaleChildEnv, kb, pages))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var r scaleResult
			line := out
			if i := strings.Index(string(out), "{"); i >= 0 {
				line = out[i:]
			}
			if err := json.NewDecoder(strings.NewReader(string(line))).Decode(&r); err != nil {
				t.Fatalf("child output %q: %v", out, err)
			}
			t.Logf("%d pages: %d zswap entries, %d swapins, peak RSS %.0f MiB (%.1f bytes per entry), %.1f s",
				pages, r.Entries, r.Faults, float64(r.PeakRSS)/(1<<20), float64(r.PeakRSS)/float64(r.Entries), r.Seconds)
			if r.Entries != pages {
				t.Errorf("zswap holds %d entries, want %d", r.Entries, pages)
			}
			if r.Lost != 0 || r.Violation != "" {
				t.Errorf("%d pages lost; first violation: %s", r.Lost, r.Violation)
			}
			if r.PeakRSS > budget {
				t.Errorf("peak RSS %d bytes, over the budget of %d", r.PeakRSS, budget)
			}
		})
	}
}

func scaleChild(job string) {
	var base string
	var pages int
	if _, err := fmt.Sscan(job, &base, &pages); err != nil {
		panic(err)
	}
	kb, err := model.ParseKernelBase(base)
	if err != nil {
		panic(err)
	}
	start := time.Now()
	// Content: the built-in pattern, which zswap takes (compressible, not
	// same-filled), so every page becomes a zswap entry.
	k, err := model.NewKernel(model.Config{Kernel: kb, Backend: model.BackendZswapZram,
		SwapPages: pages + model.SwapSlotsCacheSize, FastOracle: true, RegenerateContent: true})
	if err != nil {
		panic(err)
	}
	mm, err := k.NewEmptyMM(pages)
	if err != nil {
		panic(err)
	}
	r := k.NewReclaim("reclaim", 0, mm, 0)
	for addr := range uint64(pages) {
		k.Populate(mm, addr)
		r.Reset(mm, addr)
		if err := k.Run(r); err != nil {
			panic(err)
		}
	}
	res := scaleResult{Entries: k.ZswapEntries()}
	a := k.NewAccess("fault", 1, mm, 0, false)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1 << 16 {
		addr := rng.Uint64N(uint64(pages))
		if _, swapped := mm.Entry(addr); !swapped {
			continue
		}
		a.Reset(mm, addr, false)
		if err := k.Run(a); err != nil {
			panic(err)
		}
		if want := wantPath(kb); !a.ZswapHit || a.LastPath != want {
			res.Violation = fmt.Sprintf("page %d: zswap hit %v via %v, want a zswap hit via %v", addr, a.ZswapHit, a.LastPath, want)
		}
		if err := k.Run(k.NewZapper("zap", 0, mm, addr)); err != nil {
			panic(err)
		}
		res.Faults++
	}
	res.Lost = k.LostPages()
	if v := k.Violations(); len(v) > 0 && res.Violation == "" {
		res.Violation = v[0].String()
	}
	res.Seconds = time.Since(start).Seconds()
	res.PeakRSS = peakRSS()
	json.NewEncoder(os.Stdout).Encode(res)
}

// peakRSS is VmHWM from /proc/self/status, in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		panic(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				panic(err)
			}
			return kb << 10
		}
	}
	panic("no VmHWM in /proc/self/status")
}
