package workloads

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// PageSize is the size of one simulated page in bytes.
const PageSize = 4096

// Content generates page contents. Fill fills dst, which must have length
// PageSize, with the content of page at write-version version. The same
// (class, seed, page, version) gives the same bytes on every platform, and
// Fill does not allocate. Fill panics if len(dst) != PageSize. A Content is
// safe for concurrent use.
//
// A new version gives new bytes in every class except zero: a zero-class
// page that is rewritten stays zero, so an integrity check that needs a
// distinct value per write must version its pages itself. anon-mix chooses
// the class of each (page, version) afresh, so two versions of a page are
// equal only when both draw the zero class. A corpus page repeats when the
// corpus holds equal pages (see NewContent).
type Content interface {
	Fill(dst []byte, page, version uint64)
	Name() string // e.g. "text", "anon-mix", "corpus:FILE"
}

type kind uint8

const (
	kZero kind = iota
	kSame
	kSparse
	kText
	kBinary
	kRandom
	kMix
)

// Salts keep the streams of the classes apart for one seed.
const (
	saltSame   = 0x5a3e_f111_0000_0001
	saltSparse = 0x5a3e_f111_0000_0002
	saltText   = 0x5a3e_f111_0000_0003
	saltBinary = 0x5a3e_f111_0000_0004
	saltRandom = 0x5a3e_f111_0000_0005
	saltMix    = 0x5a3e_f111_0000_0006
)

var kinds = map[string]kind{
	"zero":        kZero,
	"same-filled": kSame,
	"sparse":      kSparse,
	"text":        kText,
	"binary":      kBinary,
	"random":      kRandom,
	"anon-mix":    kMix,
}

const corpusPrefix = "corpus:"

// ContentNames returns the names of the built-in content classes, sorted.
// A corpus file is named "corpus:PATH" in addition to these.
//
//   - zero: all zero bytes, whatever the version.
//   - same-filled: one non-zero 8-byte word repeated; the word changes with
//     page and version.
//   - sparse: mostly zero with a few small objects of pointer-like and small
//     integer words, like a lightly used heap page.
//   - text: English-like words from an embedded list with punctuation and
//     line breaks (lz4 ratio about 3).
//   - binary: code-like x86 instruction patterns, arrays of structs holding
//     pointer-like words, and small-integer tables (lz4 ratio about 2).
//   - random: incompressible.
//   - anon-mix: a per-(page, version) blend of the above that follows the
//     published statistics of anonymous memory (see the package doc).
func ContentNames() []string {
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NewContent returns the content class called name, seeded with seed.
// name is one of ContentNames or "corpus:PATH". A corpus class ignores seed:
// Fill(dst, page, version) copies corpus page (page + version*7919) mod N,
// computed exactly, of the N pages in the file PATH (see WriteCorpus).
func NewContent(name string, seed uint64) (Content, error) {
	if path, ok := strings.CutPrefix(name, corpusPrefix); ok {
		if path == "" {
			return nil, fmt.Errorf("content class %q: empty corpus path; want corpus:FILE", name)
		}
		c, err := loadCorpus(path)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	k, ok := kinds[name]
	if !ok {
		names := append(ContentNames(), corpusPrefix+"FILE")
		slices.Sort(names)
		return nil, fmt.Errorf("content class %q: unknown; want one of %s", name, strings.Join(names, ", "))
	}
	return &gen{name: name, seed: seed, kind: k}, nil
}

type gen struct {
	name string
	seed uint64
	kind kind
}

func (g *gen) Name() string { return g.name }

func checkLen(dst []byte) {
	if len(dst) != PageSize {
		panic("workloads: Fill: len(dst) != PageSize")
	}
}

func (g *gen) Fill(dst []byte, page, version uint64) {
	checkLen(dst)
	k := g.kind
	if k == kMix {
		k = mixKind(pageKey(g.seed, saltMix, page, version))
	}
	switch k {
	case kZero:
		clear(dst)
	case kSame:
		fillSame(dst, g.seed, page, version)
	case kSparse:
		fillSparse(dst, rng{pageKey(g.seed, saltSparse, page, version)})
	case kText:
		fillText(dst, rng{pageKey(g.seed, saltText, page, version)})
	case kBinary:
		fillBinary(dst, rng{pageKey(g.seed, saltBinary, page, version)})
	case kRandom:
		fillRandom(dst, rng{pageKey(g.seed, saltRandom, page, version)})
	}
}

// mixShares are the anon-mix class probabilities, in units of 1/1000.
// See the package doc for where they come from.
var mixShares = [...]struct {
	k      kind
	permil uint64
}{
	{kZero, 120},   // published: 6-20% zero pages
	{kSame, 30},    // published: 2-3% other same-filled pages
	{kRandom, 140}, // 16.5% of the remaining 85%: the incompressible mode
	{kSparse, 620}, // the well-compressing mode, mostly heap-like pages
	{kText, 45},
	{kBinary, 45},
}

// mixCum holds the cumulative mixShares scaled to 2^32.
var mixCum = func() (c [len(mixShares)]uint64) {
	var sum uint64
	for i, s := range mixShares {
		sum += s.permil
		c[i] = sum << 32 / 1000
	}
	if sum != 1000 {
		panic("workloads: anon-mix shares do not add up to 1000")
	}
	return c
}()

func mixKind(h uint64) kind {
	u := h >> 32
	for i, c := range mixCum {
		if u < c {
			return mixShares[i].k
		}
	}
	return mixShares[len(mixShares)-1].k
}

// fillSame writes one word repeated. For a fixed page the word is a
// bijection of the version (mix is bijective), so every version differs;
// the single all-zero word is replaced by all ones.
func fillSame(dst []byte, seed, page, version uint64) {
	w := mix(pageKey(seed, saltSame, page, 0) + version*golden)
	if w == 0 {
		w = ^uint64(0)
	}
	binary.LittleEndian.PutUint64(dst, w)
	for n := 8; n < PageSize; n *= 2 {
		copy(dst[n:], dst[:n])
	}
}

func fillRandom(dst []byte, r rng) {
	for i := 0; i+8 <= len(dst); i += 8 {
		binary.LittleEndian.PutUint64(dst[i:i+8], r.next())
	}
}

// heapBase returns a user-space-looking address, 4 KiB aligned, in one of
// the usual x86-64 Linux regions (glibc heap, mmap area, Go heap).
func heapBase(r *rng) uint64 {
	v := r.next()
	switch v & 3 {
	case 0:
		return 0x0000_5555_5555_0000 + (v>>8)&0xff_f000
	case 1:
		return 0x0000_000c_0000_0000 + (v>>8)&0xfff_f000
	default:
		return 0x0000_7f00_0000_0000 + (v>>8)&0xff_ffff_f000
	}
}

// fillSparse writes a mostly zero page holding 1..16 small objects (skewed
// to few) of 1..8 words at 16-byte aligned offsets: pointer-like words near
// one base, small integers, zeros and ones, and the odd random word.
func fillSparse(dst []byte, r rng) {
	clear(dst)
	base := heapBase(&r)
	v := r.next()
	nobj := 1 + int((v&15)*(v>>4&15))>>4
	for range nobj {
		v = r.next()
		off := int(v&0xff) << 4
		nw := 1 + int(v>>8&7)
		for w := 0; w < nw && off < PageSize; w++ {
			v = r.next()
			var x uint64
			switch v & 7 {
			case 0, 1, 2:
				x = base + (v>>3)&0xff8 // a pointer near the object
			case 3, 4:
				x = (v >> 3) & 0xff // a small integer
			case 5:
				x = 0
			case 6:
				x = 1
			default:
				x = v
			}
			binary.LittleEndian.PutUint64(dst[off:], x)
			off += 8
		}
	}
}
