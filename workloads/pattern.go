package workloads

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strings"
)

// Pattern yields the page indices of an access stream, each in [0, pages).
// A Pattern is not safe for concurrent use; Next does not allocate.
type Pattern interface{ Next() uint64 }

// ZipfS is the exponent of the "zipf" pattern.
const ZipfS = 1.1

var patternNames = []string{"random", "sequential", "zipf"}

// PatternNames returns the names of the access patterns, sorted:
//
//   - sequential: 0, 1, ..., pages-1, then again from 0 (seed unused).
//   - random: independent uniform pages.
//   - zipf: independent pages whose popularity follows Zipf's law with
//     s = ZipfS: the page of rank k is drawn with probability proportional
//     to 1/(1+k)^s. Ranks map to pages by a seeded permutation
//     (a*k + b mod pages), so the hot pages are spread over the range
//     rather than packed at its start.
func PatternNames() []string { return append([]string(nil), patternNames...) }

// NewPattern returns the access pattern called name over pages pages
// (pages >= 1), seeded with seed.
func NewPattern(name string, pages uint64, seed uint64) (Pattern, error) {
	return NewPatternStream(name, pages, seed, 0)
}

// NewPatternStream returns stream number stream of the access pattern
// called name: the streams of one seed are threads of one process over
// the same pages. They share the pages' popularity (zipf: the same hot
// pages) and the order (sequential: every stream scans from page 0), and
// draw independently of each other (random, zipf). Stream 0 is
// NewPattern's.
func NewPatternStream(name string, pages, seed, stream uint64) (Pattern, error) {
	if pages == 0 {
		return nil, fmt.Errorf("pattern %q: pages=0; want at least 1", name)
	}
	draw := seed ^ mix(stream)
	if stream == 0 {
		draw = seed
	}
	switch name {
	case "sequential":
		return &sequential{pages: pages}, nil
	case "random":
		return &uniform{r: rng{mix(draw ^ 0x9a77)}, pages: pages}, nil
	case "zipf":
		src := rand.NewPCG(mix(draw^0x21bf), mix(draw^0x21bf+golden))
		z := &zipf{pages: pages}
		z.z = rand.NewZipf(rand.New(src), ZipfS, 1, pages-1)
		// a odd and coprime to pages makes k -> a*k+b mod pages a bijection.
		r := rng{mix(seed ^ 0x5ca7)}
		z.b = r.below(pages)
		z.a = r.next() | 1
		for gcd(z.a%pages, pages) != 1 {
			z.a += 2
		}
		z.a %= pages
		return z, nil
	}
	return nil, fmt.Errorf("pattern %q: unknown; want one of %s", name, strings.Join(patternNames, ", "))
}

type sequential struct{ next, pages uint64 }

func (s *sequential) Next() uint64 {
	p := s.next
	if s.next++; s.next == s.pages {
		s.next = 0
	}
	return p
}

type uniform struct {
	r     rng
	pages uint64
}

func (u *uniform) Next() uint64 { return u.r.below(u.pages) }

type zipf struct {
	z     *rand.Zipf
	a, b  uint64
	pages uint64
}

func (z *zipf) Next() uint64 {
	hi, lo := bits.Mul64(z.a, z.z.Uint64())
	lo, c := bits.Add64(lo, z.b, 0)
	return bits.Rem64(hi+c, lo, z.pages)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
