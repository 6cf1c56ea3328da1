//go:build ignore

// gen writes the synthetic benchmark files the report and plots tests
// read. They follow the format the bench package emits; the numbers are
// made up, shaped like the published anchors in docs/kernels.md#published-costs.
//
//	go run ./report/testdata/gen.go
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

const header = `goos: linux
goarch: amd64
pkg: github.com/swapbench/swapbench/bench
cpu: Synthetic CPU @ 2.00GHz
swapbench-version: synthetic
profile: x86-2024
seed: 1
`

type fix struct {
	name  string
	syncs []string
	extra float64 // kernel ns added on the bypass path
	dup   bool    // keeps a duplicate compressed copy
	lost  bool    // loses pages
}

var allFixes = []fix{
	{"exclusive", []string{"tick"}, 0, false, true},
	{"always-swapcache", []string{"tick"}, 1150, false, false},
	{"writeback-on-failure", []string{"tick"}, 15, false, false},
	{"non-exclusive", []string{"tick"}, 5, true, false},
	{"merged", []string{"tick", "waitqueue"}, 8, true, false},
	{"never-bypass", []string{"folio-lock"}, 1180, false, false},
}

var codecNs = map[string]float64{"lz4": 700, "zstd": 2900}
var dataFactor = map[string]float64{"zero": 0.1, "text": 1.0}
var compSize = map[string]map[string]float64{
	"lz4":  {"zero": 0, "text": 1900},
	"zstd": {"zero": 0, "text": 1400},
}

func main() {
	dir := filepath.Dir(os.Args[0])
	if d, err := os.Getwd(); err == nil {
		dir = d
	}
	if filepath.Base(dir) != "testdata" {
		dir = filepath.Join(dir, "report", "testdata")
	}
	write(filepath.Join(dir, "swapin.txt"), full())
	write(filepath.Join(dir, "small.txt"), small())
	write(filepath.Join(dir, "disjoint.txt"), disjoint())
	write(filepath.Join(dir, "notbench.txt"), "This is not benchmark output.\nJust some text: with a colon.\n")
	write(filepath.Join(dir, "empty.txt"), "")
}

func write(path, s string) {
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// noise multiplies v by a small random factor, with a rare outlier.
func noise(r *rand.Rand, v, sd float64) float64 {
	f := 1 + r.NormFloat64()*sd
	if r.IntN(20) == 0 {
		f += 0.08
	}
	return v * f
}

func swapinLine(r *rand.Rand, f fix, sync, backend, comp, data string) string {
	base := 1250.0 // bypass path, zram
	extra := f.extra
	if f.name == "always-swapcache" && backend == "zram" {
		extra = 0 // only a folio that zswap had goes to the swap cache
	}
	kern := base + codecNs[comp]*dataFactor[data] + extra
	if backend == "zswap+zram" {
		kern += 180 // zswap lookup
	}
	if sync == "waitqueue" {
		kern += 12
	}
	sim := kern * 0.74
	lookups := 0
	if backend == "zswap+zram" {
		lookups = 1
	}
	swapcache := 0
	if extra > 1000 {
		swapcache = 3
	}
	dup := 0.0
	held := 2100.0
	if f.dup && backend == "zswap+zram" {
		dup = compSize[comp][data]
		held = 5.1e6
	}
	lost := 0
	if f.lost && backend == "zswap+zram" {
		lost = 3
	}
	name := fmt.Sprintf("BenchmarkSwapin/fix=%s/sync=%s/kernel=v6.9/backend=%s/comp=%s/data=%s-2",
		f.name, sync, backend, comp, data)
	return fmt.Sprintf("%s \t  100000\t%10.0f ns/op\t%10.0f kernel-ns/op\t%10d zswap-lookups/op\t%10d swapcache-ops/op\t%10.0f dup-B/op\t%10.0f slot-held-ns/op\t%10d lost-pages\t       0 B/op\t       0 allocs/op\n",
		name, noise(r, sim, 0.02), noise(r, kern, 0.004), lookups, swapcache, dup, noise(r, held, 0.01), lost)
}

// latency writes per-swapin latency samples in the side format: a tick
// sleep (4 ms at HZ=250) on a small share of faults that lose the pin
// race, none with never-bypass, a shorter wait with the wait queue.
func latency(r *rand.Rand, f fix, sync string, n int) string {
	var b strings.Builder
	name := fmt.Sprintf("BenchmarkSwapin/fix=%s/sync=%s/kernel=v6.9/backend=zswap+zram/comp=lz4/data=text-2", f.name, sync)
	for i := 0; i < n; i += 500 {
		fmt.Fprintf(&b, "# latency-ns %s:", name)
		for j := i; j < i+500 && j < n; j++ {
			v := 2100 + f.extra + 400*math.Exp(r.NormFloat64()*0.6)
			switch {
			case sync == "tick" && r.IntN(200) == 0:
				v += 4e6
			case sync == "waitqueue" && r.IntN(200) == 0:
				v += 3000 + r.Float64()*9000
			}
			fmt.Fprintf(&b, " %.0f", v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func full() string {
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString(header)
	for round := 0; round < 10; round++ {
		for _, f := range allFixes {
			for _, s := range f.syncs {
				for _, backend := range []string{"zram", "zswap+zram"} {
					for _, comp := range []string{"lz4", "zstd"} {
						for _, data := range []string{"zero", "text"} {
							b.WriteString(swapinLine(r, f, s, backend, comp, data))
						}
					}
				}
			}
		}
		for _, k := range []string{"v6.8", "v6.9", "v6.10"} {
			for e := 10; e <= 20; e += 2 {
				for _, op := range []string{"lookup", "insert", "erase"} {
					n := float64(int(1) << e)
					var c float64
					switch k {
					case "v6.8":
						c = 60 + 9*math.Log2(n)
					case "v6.9":
						c = 45 + 9*math.Log2(math.Min(n, 16384))
					default:
						c = 38 + 4*math.Ceil(math.Log2(n)/6)
					}
					if op != "lookup" {
						c *= 1.6
					}
					fmt.Fprintf(&b, "BenchmarkZswapIndex/kernel=%s/entries=%d/op=%s-2 \t 1000000\t%10.1f ns/op\t%10.1f kernel-ns/op\t       0 B/op\t       0 allocs/op\n",
						k, 1<<e, op, noise(r, c*0.8, 0.02), noise(r, c, 0.003))
				}
			}
		}
	}
	for _, f := range allFixes {
		for _, s := range f.syncs {
			b.WriteString(latency(r, f, s, 2000))
		}
	}
	return b.String()
}

func small() string {
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString(header)
	fs := []fix{allFixes[4], allFixes[1], allFixes[3]} // merged, always-swapcache, non-exclusive
	for round := 0; round < 10; round++ {
		for _, f := range fs {
			for _, backend := range []string{"zram", "zswap+zram"} {
				line := swapinLine(r, f, "tick", backend, "lz4", "text")
				// Keep the small file to a few units.
				fields := strings.Split(line, "\t")
				line = strings.Join(append(fields[:4], fields[6], fields[8]), "\t") + "\n"
				b.WriteString(line)
			}
		}
	}
	return b.String()
}

func disjoint() string {
	return header + `BenchmarkSwapin/fix=merged/data=text-2 	 100	 2000 ns/op
BenchmarkSwapin/fix=merged/data=text-2 	 100	 2010 ns/op
BenchmarkSwapout/fix=exclusive/data=zero-2 	 100	 900 ns/op
BenchmarkSwapout/fix=exclusive/data=zero-2 	 100	 905 ns/op
`
}
