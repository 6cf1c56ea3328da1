package lzo

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	golzo "github.com/anchore/go-lzo"
)

// words is the vocabulary of the synthetic text pages.
var words = strings.Fields(`the of and to in is that for it as was with be by on not he this are
or his from at which but have an they you were her she there been one all we their has would
when if so no what up out about who them into more some could time only other new page swap
memory kernel zram zswap compress block device process thread file cache anonymous reclaim
fault latency struct int return const static unsigned long void error buffer offset length`)

// textInput returns n bytes of deterministic, word-based text.
func textInput(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		switch r.IntN(12) {
		case 0:
			b.WriteString(".\n")
		case 1:
			b.WriteString(", ")
		default:
			b.WriteByte(' ')
		}
	}
	return b.Bytes()[:n]
}

// randomInput returns n pseudo-random (incompressible) bytes.
func randomInput(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// mixedInput returns n bytes resembling an anonymous memory page: runs of
// zeros (long and short), small integers, pointers, text and random bytes.
func mixedInput(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	b := make([]byte, 0, n+4096)
	for len(b) < n {
		switch r.IntN(6) {
		case 0: // zero run, sometimes very long
			k := 1 + r.IntN(64)
			if r.IntN(3) == 0 {
				k = 256 + r.IntN(3000)
			}
			b = append(b, make([]byte, k)...)
		case 1: // 64-bit little-endian small integers
			for range 1 + r.IntN(16) {
				v := r.Uint64() % 1000
				b = append(b, byte(v), byte(v>>8), 0, 0, 0, 0, 0, 0)
			}
		case 2: // kernel-like pointers
			for range 1 + r.IntN(8) {
				v := 0xffff888000000000 | r.Uint64()&0xfffffff8
				for i := range 8 {
					b = append(b, byte(v>>(8*i)))
				}
			}
		case 3:
			b = append(b, textInput(r.Uint64(), 1+r.IntN(200))...)
		case 4:
			b = append(b, randomInput(r.Uint64(), 1+r.IntN(100))...)
		case 5: // repeated short pattern
			p := randomInput(r.Uint64(), 1+r.IntN(7))
			for range 1 + r.IntN(40) {
				b = append(b, p...)
			}
		}
	}
	return b[:n]
}

type namedInput struct {
	name string
	data []byte
}

// corpus is the set of inputs used by the round-trip and comparison tests.
func corpus() []namedInput {
	in := []namedInput{
		{"empty", nil},
		{"1byte", []byte{'x'}},
		{"3bytes", []byte("abc")},
		{"short-text", []byte("hello, hello, hello world")},
		{"21bytes", []byte("abcdefghijabcdefghijk")},
		{"zeros-4096", make([]byte, 4096)},
		{"ones-4096", bytes.Repeat([]byte{0xff}, 4096)},
		{"random-4096", randomInput(1, 4096)},
		{"text-4096", textInput(1, 4096)},
		{"text-4096-b", textInput(2, 4096)},
		{"mixed-4096", mixedInput(1, 4096)},
		{"mixed-4096-b", mixedInput(2, 4096)},
		{"mixed-4096-c", mixedInput(3, 4096)},
		{"text-8192", textInput(3, 8192)},
		{"mixed-8192", mixedInput(4, 8192)},
		{"zeros-8192", make([]byte, 8192)},
	}
	// Zero page with a few non-zero bytes, and text with a zero tail.
	sparse := make([]byte, 4096)
	sparse[0], sparse[100], sparse[2049], sparse[4095] = 1, 2, 3, 4
	in = append(in, namedInput{"sparse-4096", sparse})
	tail := textInput(4, 4096)
	clear(tail[1000:])
	in = append(in, namedInput{"text-zero-tail", tail})
	return in
}

// sizedCorpus returns inputs of many lengths, including all lengths 0..300
// and odd sizes up to 8192, for several data kinds.
func sizedCorpus() []namedInput {
	var in []namedInput
	add := func(n int) {
		in = append(in,
			namedInput{fmt.Sprintf("text-%d", n), textInput(uint64(n), n)},
			namedInput{fmt.Sprintf("mixed-%d", n), mixedInput(uint64(n), n)},
			namedInput{fmt.Sprintf("random-%d", n), randomInput(uint64(n), n)},
			namedInput{fmt.Sprintf("zeros-%d", n), make([]byte, n)},
		)
	}
	for n := 0; n <= 300; n++ {
		add(n)
	}
	for _, n := range []int{511, 512, 513, 1000, 1023, 1025, 2047, 2049, 3001, 4095, 4097, 4099, 5555, 6143, 7777, 8191, 8192} {
		add(n)
	}
	return in
}

func roundTrip(t *testing.T, name string, data []byte) {
	t.Helper()
	var d Dict
	for _, fl := range []struct {
		codec string
		fn    func(dst, src []byte, wrk *Dict) []byte
	}{{"lzo", Compress1X1}, {"lzo-rle", CompressRLE}} {
		c := fl.fn(nil, data, &d)
		if len(c) > CompressBound(len(data)) {
			t.Fatalf("%s/%s: compressed %d bytes to %d > bound %d", fl.codec, name, len(data), len(c), CompressBound(len(data)))
		}
		got := make([]byte, len(data))
		if err := Decompress(got, c); err != nil {
			t.Fatalf("%s/%s: Decompress: %v", fl.codec, name, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("%s/%s: Decompress output differs from input", fl.codec, name)
		}
		if fl.codec == "lzo" {
			// Independent decoder: github.com/anchore/go-lzo.
			ref := make([]byte, len(data))
			n, err := golzo.Decompress(c, ref)
			if err != nil {
				t.Fatalf("%s/%s: go-lzo Decompress: %v", fl.codec, name, err)
			}
			if n != len(data) || !bytes.Equal(ref[:n], data) {
				t.Fatalf("%s/%s: go-lzo output differs from input (n=%d)", fl.codec, name, n)
			}
		} else if c[0] != 17 || c[1] != rleVersion {
			t.Fatalf("%s/%s: missing version header: % x", fl.codec, name, c[:2])
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, in := range corpus() {
		roundTrip(t, in.name, in.data)
	}
}

func TestRoundTripSizes(t *testing.T) {
	for _, in := range sizedCorpus() {
		roundTrip(t, in.name, in.data)
	}
}

// TestRoundTripLarge covers inputs split into several compressor chunks
// (0xc000 bytes for lzo, 0xbfff for lzo-rle) and M4 (16..48 KiB) matches.
func TestRoundTripLarge(t *testing.T) {
	block := mixedInput(7, 20000)
	var big []byte
	for i := 0; len(big) < 150000; i++ {
		big = append(big, block...)
		big = append(big, textInput(uint64(i), 3000)...)
	}
	roundTrip(t, "repeats-150000", big)
	roundTrip(t, "text-100000", textInput(9, 100000))
	roundTrip(t, "zeros-100001", make([]byte, 100001))
	roundTrip(t, "random-49153", randomInput(9, 49153))
}

// TestKnownStreams checks streams derived by hand from the format and the
// kernel's algorithm (and, for lzo, identical to liblzo2's output).
func TestKnownStreams(t *testing.T) {
	z := func(n int) []byte { return make([]byte, n) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name string
		fn   func(dst, src []byte, wrk *Dict) []byte
		in   []byte
		want []byte
	}{
		{"lzo/empty", Compress1X1, nil, []byte{0x11, 0, 0}},
		{"lzo-rle/empty", CompressRLE, nil, []byte{17, 1, 0x11, 0, 0}},
		{"lzo/abc", Compress1X1, []byte("abc"), []byte{20, 'a', 'b', 'c', 0x11, 0, 0}},
		// 4096 zeros: 5 literals, one M3 match (distance 5, length 4076,
		// stopped at the chunk-end check), 15 literals, end marker.
		{"lzo/zeros-4096", Compress1X1, z(4096), cat(
			[]byte{2}, z(5), []byte{0x20}, z(15), []byte{218, 0x10, 0x00, 12}, z(15), []byte{0x11, 0, 0})},
		// lzo-rle: header, 5 literals, zero runs of 2051 and 2020 bytes,
		// 20 literals, end marker.
		{"lzo-rle/zeros-4096", CompressRLE, z(4096), cat(
			[]byte{17, 1, 2}, z(5), []byte{0x1f, 0xfc, 0xff, 0xff, 0x18, 0xfc, 0xff, 0xfc, 0, 2}, z(20), []byte{0x11, 0, 0})},
	}
	for _, tc := range tests {
		got := tc.fn(nil, tc.in, nil)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s:\n got % x\nwant % x", tc.name, got, tc.want)
		}
	}
}

// TestRLEUsesZeroRuns checks that lzo-rle codes zero runs with the run
// instruction and that it is smaller than lzo on zero-heavy pages.
func TestRLEUsesZeroRuns(t *testing.T) {
	for _, in := range []namedInput{{"zeros", make([]byte, 4096)}, {"mixed", mixedInput(1, 4096)}} {
		a := Compress1X1(nil, in.data, nil)
		b := CompressRLE(nil, in.data, nil)
		if !bytes.Contains(b, []byte{0xfc, 0xff}) {
			t.Errorf("%s: no zero-run instruction in lzo-rle output", in.name)
		}
		t.Logf("%s: lzo %d bytes, lzo-rle %d bytes", in.name, len(a), len(b))
	}
}

// TestDecompressVersionHeader checks that version-1 decoding is backwards
// compatible and that a versioned stream whose version byte is 0 decodes as
// plain LZO1X.
func TestDecompressVersionHeader(t *testing.T) {
	data := mixedInput(5, 4096)
	c := Compress1X1(nil, data, nil)
	v0 := append([]byte{17, 0}, c...)
	got := make([]byte, len(data))
	if err := Decompress(got, v0); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("version-0 header: err=%v equal=%v", err, bytes.Equal(got, data))
	}
}

func TestDecompressErrors(t *testing.T) {
	data := textInput(11, 4096)
	for _, fl := range []func(dst, src []byte, wrk *Dict) []byte{Compress1X1, CompressRLE} {
		c := fl(nil, data, nil)
		check := func(what string, dst, src []byte, want error) {
			t.Helper()
			err := Decompress(dst, src)
			if err == nil {
				t.Errorf("%s: no error", what)
			} else if want != nil && !errors.Is(err, want) {
				t.Errorf("%s: got %v, want %v", what, err, want)
			}
		}
		check("short dst", make([]byte, len(data)-1), c, ErrOutputOverrun)
		check("long dst", make([]byte, len(data)+1), c, ErrLengthMismatch)
		check("trailing input", make([]byte, len(data)), append(c[:len(c):len(c)], 0), ErrInputNotConsumed)
		check("empty input", make([]byte, len(data)), nil, ErrInputOverrun)
		for cut := 1; cut < len(c); cut += 7 {
			check(fmt.Sprintf("truncated to %d", cut), make([]byte, len(data)), c[:cut], nil)
		}
	}
	// A match reaching before the start of the output.
	if err := Decompress(make([]byte, 8), []byte{18, 'a', 0x40 | 7<<2, 0, 0x11, 0, 0}); !errors.Is(err, ErrLookbehindOverrun) {
		t.Errorf("lookbehind: got %v", err)
	}
	// End marker with a non-zero length field.
	if err := Decompress(make([]byte, 1), []byte{18, 'a', 0x12, 0, 0}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bad end marker: got %v", err)
	}
}

// TestGolden compares with checked-in compressed streams. The lzo files were
// produced by liblzo2 2.10's lzo1x_1_15_compress (which on amd64 is built with
// the kernel's 13-bit dictionary and equals the kernel's lzo1x_1_compress) via
// `LZO_UPDATE_GOLDEN=1 go test -tags lzo_cgo -run TestGoldenUpdate`. liblzo2
// has no lzo-rle, so the .lzorle files were produced by this package's
// CompressRLE and only guard against regressions.
func TestGolden(t *testing.T) {
	for _, name := range goldenNames {
		in, err := os.ReadFile(filepath.Join("testdata", name+".in"))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range []struct {
			ext string
			fn  func(dst, src []byte, wrk *Dict) []byte
		}{{".lzo", Compress1X1}, {".lzorle", CompressRLE}} {
			want, err := os.ReadFile(filepath.Join("testdata", name+g.ext))
			if err != nil {
				t.Fatal(err)
			}
			if got := g.fn(nil, in, nil); !bytes.Equal(got, want) {
				t.Errorf("%s%s: output differs from golden file (%d vs %d bytes)", name, g.ext, len(got), len(want))
			}
			out := make([]byte, len(in))
			if err := Decompress(out, want); err != nil || !bytes.Equal(out, in) {
				t.Errorf("%s%s: golden stream does not decode to the input: %v", name, g.ext, err)
			}
		}
	}
}

// goldenNames are the inputs under testdata/ (NAME.in) with golden outputs.
var goldenNames = []string{"text4k", "mixed4k", "mixed8k"}

func TestAllocs(t *testing.T) {
	data := mixedInput(1, 4096)
	var d Dict
	dst := make([]byte, 0, CompressBound(len(data)))
	out := make([]byte, len(data))
	c1 := Compress1X1(nil, data, &d)
	c2 := CompressRLE(nil, data, &d)
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"Compress1X1", func() { dst = Compress1X1(dst, data, &d) }},
		{"CompressRLE", func() { dst = CompressRLE(dst, data, &d) }},
		{"Decompress/lzo", func() { _ = Decompress(out, c1) }},
		{"Decompress/lzo-rle", func() { _ = Decompress(out, c2) }},
	} {
		if a := testing.AllocsPerRun(100, tc.fn); a != 0 {
			t.Errorf("%s: %v allocs/op, want 0", tc.name, a)
		}
	}
}

// TestDstReuse checks that the result aliases a large-enough dst and that a
// reused Dict gives the same output as a fresh one.
func TestDstReuse(t *testing.T) {
	var d Dict
	a := Compress1X1(nil, textInput(1, 4096), &d)
	b := Compress1X1(nil, mixedInput(1, 4096), &d)
	buf := make([]byte, 17, CompressBound(4096))
	c := Compress1X1(buf, mixedInput(1, 4096), &d)
	if !bytes.Equal(b, c) || &c[0] != &buf[:1][0] {
		t.Fatal("dst not reused or output depends on Dict history")
	}
	if a2 := Compress1X1(nil, textInput(1, 4096), new(Dict)); !bytes.Equal(a, a2) {
		t.Fatal("output depends on Dict history")
	}
}

func FuzzDecompress(f *testing.F) {
	f.Add([]byte{0x11, 0, 0}, uint16(0))
	f.Add([]byte{17, 1, 0x11, 0, 0}, uint16(0))
	f.Add([]byte{0x00, 0x00, 0x00, 0x00}, uint16(300))
	f.Add([]byte{17, 1, 0x1f, 0xfc, 0xff, 0xff, 0x11, 0, 0}, uint16(2051))
	f.Add(Compress1X1(nil, textInput(1, 512), nil), uint16(512))
	f.Add(CompressRLE(nil, mixedInput(1, 1024), nil), uint16(1024))
	f.Fuzz(func(t *testing.T, src []byte, n uint16) {
		dst := make([]byte, int(n)%(1<<14))
		_ = Decompress(dst, src)
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("abc"))
	f.Add(make([]byte, 100))
	f.Add(textInput(1, 300))
	f.Add(mixedInput(1, 2000))
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, "fuzz", data)
	})
}

func BenchmarkLZO(b *testing.B) {
	inputs := []namedInput{
		{"text", textInput(1, 4096)},
		{"mixed", mixedInput(1, 4096)},
		{"zeros", make([]byte, 4096)},
		{"random", randomInput(1, 4096)},
	}
	for _, codec := range []struct {
		name string
		fn   func(dst, src []byte, wrk *Dict) []byte
	}{{"lzo", Compress1X1}, {"lzo-rle", CompressRLE}} {
		for _, in := range inputs {
			b.Run("codec="+codec.name+"/op=compress/data="+in.name, func(b *testing.B) {
				var d Dict
				dst := make([]byte, 0, CompressBound(len(in.data)))
				b.SetBytes(int64(len(in.data)))
				b.ReportAllocs()
				for b.Loop() {
					dst = codec.fn(dst, in.data, &d)
				}
				b.ReportMetric(float64(len(dst))/float64(len(in.data)), "ratio")
			})
			b.Run("codec="+codec.name+"/op=decompress/data="+in.name, func(b *testing.B) {
				c := codec.fn(nil, in.data, nil)
				out := make([]byte, len(in.data))
				b.SetBytes(int64(len(in.data)))
				b.ReportAllocs()
				for b.Loop() {
					if err := Decompress(out, c); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestRLEAmbiguousM4 covers the lzo-rle rule that an M4 match with
// (distance & 0x803f) == 0x803f and length 261..264 is shortened to 260
// bytes: otherwise, when 3 literals follow, the decoder would read the match
// as a zero run. The kernel's compressor was checked to take this branch on
// such inputs.
func TestRLEAmbiguousM4(t *testing.T) {
	for _, ml := range []int{260, 261, 262, 263, 264, 265} {
		const d = 0x803f
		r := randomInput(uint64(ml), 400)
		b := append([]byte{}, r...)
		b = append(b, make([]byte, d-len(r))...)
		b = append(b, r[:ml]...)
		b = append(b, r[ml]^0x55, 'x', 'y') // exactly 3 literals
		b = append(b, r[:40]...)
		b = append(b, make([]byte, 100)...)
		roundTrip(t, fmt.Sprintf("ambiguous-m4-%d", ml), b)
	}
}

// TestWorstCaseExpansion feeds patterns that defeat the compressor (short zero
// runs between random literals make lzo-rle expand the data) and checks the
// output against CompressBound.
func TestWorstCaseExpansion(t *testing.T) {
	worst := 0.0
	for _, n := range []int{4096, 70000} {
		for z := 4; z <= 6; z++ {
			for k := 1; k <= 24; k++ {
				r := randomInput(uint64(n+z*100+k), n)
				b := make([]byte, 0, n+z+k)
				for i := 0; len(b) < n; i += k {
					b = append(b, make([]byte, z)...)
					b = append(b, r[i:i+k]...)
				}
				b = b[:n]
				roundTrip(t, fmt.Sprintf("expand-n%d-z%d-k%d", n, z, k), b)
				worst = max(worst, float64(len(CompressRLE(nil, b, nil)))/float64(n))
			}
		}
	}
	t.Logf("worst lzo-rle expansion %.4f", worst)
}
