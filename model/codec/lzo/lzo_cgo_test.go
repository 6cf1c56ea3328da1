//go:build lzo_cgo

// This file compares the compressor with liblzo2 through cgo (liblzo2_ref.go;
// install liblzo2-dev and run `go test -tags lzo_cgo ./model/codec/lzo/`).
//
// liblzo2's lzo1x_1_compress uses a 2^14-entry hash dictionary (D_BITS 14)
// while the kernel's uses 2^13 entries (lib/lzo/lzodefs.h D_BITS 13), so the
// two produce different (equally valid) streams for many inputs. liblzo2's
// lzo1x_1_15_compress is, on hosts with fast unaligned little-endian loads
// (amd64, arm64), built with D_BITS 13 and 16-bit dictionary entries, which
// is exactly the kernel's configuration. Hence:
//
//   - Compress1X1 (kernel "lzo") must equal lzo1x_1_15_compress;
//   - the same algorithm run with a 14-bit dictionary must equal
//     lzo1x_1_compress.

package lzo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// cCompressT is cCompress (liblzo2_ref.go) failing the test on error.
func cCompressT(t testing.TB, src []byte, variant int) []byte {
	t.Helper()
	b, err := cCompress(src, variant)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cgoCorpus is every input compared with liblzo2.
func cgoCorpus() []namedInput {
	in := append(corpus(), sizedCorpus()...)
	for i := range 200 {
		n := 1 + (i*7919)%8192
		in = append(in,
			namedInput{fmt.Sprintf("mixed-seed%d-%d", i, n), mixedInput(uint64(1000+i), n)},
			namedInput{fmt.Sprintf("text-seed%d-%d", i, n), textInput(uint64(1000+i), n)},
		)
	}
	// Multi-chunk inputs (> 0xc000 bytes) with long-distance (M4) matches.
	block := mixedInput(7, 20000)
	var big []byte
	for i := 0; len(big) < 150000; i++ {
		big = append(big, block...)
		big = append(big, textInput(uint64(i), 3000)...)
	}
	in = append(in,
		namedInput{"repeats-150000", big},
		namedInput{"text-100000", textInput(9, 100000)},
		namedInput{"zeros-100001", make([]byte, 100001)},
		namedInput{"random-49153", randomInput(9, 49153)})
	return in
}

// TestCompress1X1MatchesLiblzo2 compares Compress1X1 (the kernel's D_BITS 13)
// with liblzo2's lzo1x_1_15_compress.
func TestCompress1X1MatchesLiblzo2(t *testing.T) {
	var d Dict
	n := 0
	for _, in := range cgoCorpus() {
		got := Compress1X1(nil, in.data, &d)
		want := cCompressT(t, in.data, 15)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: Compress1X1 != lzo1x_1_15_compress (%d vs %d bytes, first difference at %d)",
				in.name, len(got), len(want), firstDiff(got, want))
			continue
		}
		n++
	}
	t.Logf("Compress1X1 == liblzo2 lzo1x_1_15_compress on %d inputs", n)
}

// TestDBits14MatchesLiblzo2 compares the algorithm with a 14-bit dictionary
// with liblzo2's default lzo1x_1_compress, and counts how often the kernel's
// 13-bit output differs from it.
func TestDBits14MatchesLiblzo2(t *testing.T) {
	tab := make([]uint16, 1<<14)
	n, differ := 0, 0
	for _, in := range cgoCorpus() {
		got := compress(nil, in.data, tab, 14, 0)
		want := cCompressT(t, in.data, 14)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: D_BITS=14 output != lzo1x_1_compress (%d vs %d bytes, first difference at %d)",
				in.name, len(got), len(want), firstDiff(got, want))
			continue
		}
		n++
		if !bytes.Equal(Compress1X1(nil, in.data, nil), want) {
			differ++
		}
	}
	t.Logf("D_BITS=14 variant == liblzo2 lzo1x_1_compress on %d inputs; kernel (D_BITS=13) output differs from lzo1x_1_compress on %d of them", n, differ)
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestGoldenUpdate rewrites testdata/ when LZO_UPDATE_GOLDEN=1: the inputs,
// the .lzo files from liblzo2's lzo1x_1_15_compress, and the .lzorle files
// from CompressRLE.
func TestGoldenUpdate(t *testing.T) {
	if os.Getenv("LZO_UPDATE_GOLDEN") != "1" {
		t.Skip("set LZO_UPDATE_GOLDEN=1 to rewrite testdata/")
	}
	inputs := map[string][]byte{
		"text4k":  textInput(42, 4096),
		"mixed4k": mixedInput(42, 4096),
		"mixed8k": mixedInput(43, 8192),
	}
	for _, name := range goldenNames {
		in := inputs[name]
		write := func(ext string, b []byte) {
			if err := os.WriteFile(filepath.Join("testdata", name+ext), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(".in", in)
		write(".lzo", cCompressT(t, in, 15))
		write(".lzorle", CompressRLE(nil, in, nil))
	}
}
