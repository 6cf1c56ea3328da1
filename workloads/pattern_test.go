package workloads

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestPatternNames(t *testing.T) {
	if got := strings.Join(PatternNames(), " "); got != "random sequential zipf" {
		t.Errorf("PatternNames() = %q", got)
	}
	_, err := NewPattern("loop", 10, 1)
	if want := `pattern "loop": unknown; want one of random, sequential, zipf`; err == nil || err.Error() != want {
		t.Errorf("NewPattern(loop) error %v, want %s", err, want)
	}
	if _, err := NewPattern("random", 0, 1); err == nil || !strings.Contains(err.Error(), "pages=0") {
		t.Errorf("NewPattern(pages=0) error %v, want pages=0", err)
	}
}

func TestPatternRangeAndDeterminism(t *testing.T) {
	for _, name := range PatternNames() {
		for _, pages := range []uint64{1, 2, 7, 1000, 1 << 40} {
			a, err := NewPattern(name, pages, 3)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := NewPattern(name, pages, 3)
			for i := range 2000 {
				x, y := a.Next(), b.Next()
				if x != y {
					t.Fatalf("%s pages=%d: step %d differs: %d vs %d", name, pages, i, x, y)
				}
				if x >= pages {
					t.Fatalf("%s pages=%d: page %d out of range", name, pages, x)
				}
			}
		}
	}
}

func TestSequential(t *testing.T) {
	p, _ := NewPattern("sequential", 3, 9)
	for i, want := range []uint64{0, 1, 2, 0, 1, 2, 0} {
		if got := p.Next(); got != want {
			t.Fatalf("step %d: %d, want %d", i, got, want)
		}
	}
}

func TestRandomUniform(t *testing.T) {
	const pages, n = 10, 100_000
	p, _ := NewPattern("random", pages, 1)
	var count [pages]int
	for range n {
		count[p.Next()]++
	}
	for i, c := range count {
		if c < n/pages*95/100 || c > n/pages*105/100 {
			t.Errorf("page %d drawn %d times, want about %d", i, c, n/pages)
		}
	}
}

// TestZipf checks the rank frequencies against 1/(1+k)^1.1 and that the
// hot pages are spread out.
func TestZipf(t *testing.T) {
	const pages, n = 1000, 200_000
	p, _ := NewPattern("zipf", pages, 1)
	count := make([]int, pages)
	for range n {
		count[p.Next()]++
	}
	var norm float64
	for k := range pages {
		norm += math.Pow(1+float64(k), -ZipfS)
	}
	// The hottest page and the tenth hottest, by count.
	var sorted []int
	for _, c := range count {
		sorted = append(sorted, c)
	}
	for i := range sorted { // selection of the top 10 is enough
		for j := i + 1; j < len(sorted) && i < 10; j++ {
			if sorted[j] > sorted[i] {
				sorted[i], sorted[j] = sorted[j], sorted[i]
			}
		}
	}
	for _, k := range []int{0, 9} {
		want := n * math.Pow(1+float64(k), -ZipfS) / norm
		if got := float64(sorted[k]); math.Abs(got-want) > 0.1*want {
			t.Errorf("rank %d drawn %.0f times, want about %.0f", k, got, want)
		}
	}
	hot := 0
	for i, c := range count {
		if c == sorted[0] {
			hot = i
		}
	}
	if count[0] == sorted[0] && count[1] == sorted[1] {
		t.Errorf("the hottest pages are 0 and 1: ranks are not permuted (hottest %d)", hot)
	}
}

func TestDice(t *testing.T) {
	a, b := NewDice(5), NewDice(5)
	for range 1000 {
		if a.Roll(0.3) != b.Roll(0.3) {
			t.Fatal("same seed, different rolls")
		}
	}
	for _, p := range []float64{0, 0.01, 0.5, 1} {
		d := NewDice(1)
		hits := 0
		const n = 100_000
		for range n {
			if d.Roll(p) {
				hits++
			}
		}
		if got := float64(hits) / n; math.Abs(got-p) > 4*math.Sqrt(p*(1-p)/n)+1e-9 {
			t.Errorf("Roll(%g): rate %.4f", p, got)
		}
	}
	// Coupling: with one seed, events at a low p are a subset of those at a higher p.
	lo, hi := NewDice(8), NewDice(8)
	for i := range 10000 {
		if l, h := lo.Roll(0.1), hi.Roll(0.2); l && !h {
			t.Fatalf("roll %d: event at p=0.1 but not at p=0.2", i)
		}
	}
	if NewDice(1).Roll(math.NaN()) || NewDice(1).Roll(-1) || !NewDice(1).Roll(2) {
		t.Error("Roll of NaN, -1 or 2 is wrong")
	}
}

// TestPatternStreams: streams of one seed draw differently, but zipf
// streams share their hot pages and sequential ones their order.
func TestPatternStreams(t *testing.T) {
	const pages, n = 1000, 20_000
	top := func(p Pattern) (uint64, []uint64) {
		count := make([]int, pages)
		var first []uint64
		for i := range n {
			x := p.Next()
			count[x]++
			if i < 20 {
				first = append(first, x)
			}
		}
		best := 0
		for i, c := range count {
			if c > count[best] {
				best = i
			}
		}
		return uint64(best), first
	}
	for _, name := range PatternNames() {
		a, _ := NewPatternStream(name, pages, 7, 0)
		b, _ := NewPatternStream(name, pages, 7, 1)
		c, _ := NewPattern(name, pages, 7)
		ha, fa := top(a)
		hb, fb := top(b)
		_, fc := top(c)
		same := slices.Equal(fa, fb)
		if !slices.Equal(fa, fc) {
			t.Errorf("%s: stream 0 is not NewPattern's", name)
		}
		switch name {
		case "sequential":
			if !same {
				t.Errorf("sequential streams differ: %v %v", fa, fb)
			}
		case "random", "zipf":
			if same {
				t.Errorf("%s: streams 0 and 1 drew the same pages", name)
			}
		}
		if name == "zipf" && ha != hb {
			t.Errorf("zipf streams' hottest pages differ: %d and %d", ha, hb)
		}
	}
}
