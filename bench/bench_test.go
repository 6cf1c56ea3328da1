package bench

import (
	"strings"
	"testing"

	"github.com/swapbench/swapbench/runner"
)

// The benchmarks run the bodies Cases returns, under the names Cases gives
// them; -short selects the small matrix.

func run(b *testing.B, prefix string, cases []runner.Case) {
	for _, c := range cases {
		if name, ok := strings.CutPrefix(c.Name, prefix+"/"); ok {
			b.Run(name, c.F)
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
