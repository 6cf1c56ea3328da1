package bench

import (
	"flag"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/runner"
)

// The benchmarks run the bodies Cases returns, under the names Cases gives
// them; -short selects the small matrix.
//
// The per-swapin latencies they record go nowhere unless -latency is
// given (go test -bench . ./bench -latency): then each sub-benchmark's
// sample follows its result lines as "# latency-ns" lines, which report
// and `swapbench report -in` read and benchstat skips. The sample is a
// uniform one of at most 256 swapins over all -count rounds; with several
// -cpu values it is labelled with the last.

var latencyOut = flag.Bool("latency", false, "print each benchmark's per-swapin modelled latencies as \"# latency-ns\" lines after its results")

func run(b *testing.B, prefix string, cases []runner.Case) {
	for _, c := range cases {
		name, ok := strings.CutPrefix(c.Name, prefix+"/")
		if !ok {
			continue
		}
		if c.Latency != nil {
			c.Latency() // nothing recorded before this benchmark
		}
		b.Run(name, c.F)
		if *latencyOut && c.Latency != nil {
			suffix := ""
			if p := runtime.GOMAXPROCS(0); p != 1 {
				suffix = fmt.Sprintf("-%d", p)
			}
			fmt.Print(runner.LatencyLines(c.Name+suffix, c.Latency()))
		}
	}
}

func cases(b *testing.B) []runner.Case {
	cs, err := Cases(Matrix{Short: testing.Short()})
	if err != nil {
		b.Fatal(err)
	}
	return cs
}

func BenchmarkSwapin(b *testing.B)         { run(b, "BenchmarkSwapin", cases(b)) }
func BenchmarkFailedSwapin(b *testing.B)   { run(b, "BenchmarkFailedSwapin", cases(b)) }
func BenchmarkParallelSwapin(b *testing.B) { run(b, "BenchmarkParallelSwapin", cases(b)) }
func BenchmarkSwapout(b *testing.B)        { run(b, "BenchmarkSwapout", cases(b)) }
func BenchmarkZswapIndex(b *testing.B)     { run(b, "BenchmarkZswapIndex", cases(b)) }
func BenchmarkExplore(b *testing.B)        { run(b, "BenchmarkExplore", ExploreCases()) }
