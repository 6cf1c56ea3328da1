package codec

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

const pageSize = 4096

// textPage returns pageSize bytes of English-like text.
func textPage() []byte {
	const words = "the quick brown fox jumps over a lazy dog while swap pages " +
		"are written back to memory by kswapd and the zswap pool keeps " +
		"compressed copies of anonymous pages until reclaim pressure ends"
	w := strings.Fields(words)
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for b.Len() < pageSize {
		b.WriteString(w[r.IntN(len(w))])
		if r.IntN(12) == 0 {
			b.WriteString(".\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.Bytes()[:pageSize]
}

// randomBytes returns n seeded pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// codePage returns pageSize bytes of machine code and data from the test
// binary.
func codePage(tb testing.TB) []byte {
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		tb.Fatalf("reading test binary: %v", err)
	}
	off := len(data) / 3
	if len(data) < off+pageSize {
		tb.Fatalf("test binary too small: %d bytes", len(data))
	}
	return data[off : off+pageSize]
}

type input struct {
	name string
	data []byte
}

func inputs(tb testing.TB) []input {
	return []input{
		{"zero", make([]byte, pageSize)},
		{"same-filled", bytes.Repeat([]byte{0xAB}, pageSize)},
		{"text", textPage()},
		{"code", codePage(tb)},
		{"random", randomBytes(pageSize, 42)},
		{"empty", []byte{}},
		{"nil", nil},
		{"one-byte", []byte{7}},
		{"random-4096", randomBytes(4096, 7)},
		{"text-8192", append(textPage(), randomBytes(pageSize, 3)...)},
		{"random-8192", randomBytes(8192, 9)},
		{"random-100", randomBytes(100, 11)},
	}
}

func newCodecs(tb testing.TB) []Codec {
	var cs []Codec
	for _, name := range Names() {
		c, err := New(name)
		if err != nil {
			tb.Fatalf("New(%q): %v", name, err)
		}
		if c.Name() != name {
			tb.Fatalf("New(%q).Name() = %q", name, c.Name())
		}
		cs = append(cs, c)
	}
	return cs
}

func TestNames(t *testing.T) {
	want := []string{"deflate", "lz4", "lzo", "lzo-rle", "zstd"}
	if got := Names(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

func TestNewUnknown(t *testing.T) {
	for _, name := range []string{"foo", "", "LZ4", "lzo1x", "LZO-RLE"} {
		c, err := New(name)
		if err == nil || c != nil {
			t.Fatalf("New(%q) = %v, %v; want error", name, c, err)
		}
		want := fmt.Sprintf("codec %q: unknown; want one of deflate, lz4, lzo, lzo-rle, zstd", name)
		if err.Error() != want {
			t.Errorf("New(%q) error = %q, want %q", name, err, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, c := range newCodecs(t) {
		for _, in := range inputs(t) {
			t.Run("codec="+c.Name()+"/data="+in.name, func(t *testing.T) {
				// Twice, so state carried over from the previous
				// input and from the first pass is exercised.
				for range 2 {
					roundTrip(t, c, in.data)
				}
			})
		}
	}
}

func roundTrip(t *testing.T, c Codec, src []byte) {
	t.Helper()
	buf := make([]byte, 0, MaxCompressedLen(len(src)))
	comp, err := c.Compress(buf, src)
	if err != nil {
		t.Fatalf("Compress(%d bytes): %v", len(src), err)
	}
	if len(comp) == 0 {
		t.Fatalf("Compress(%d bytes) returned empty output", len(src))
	}
	if len(comp) > MaxCompressedLen(len(src)) {
		t.Fatalf("Compress(%d bytes) = %d bytes > MaxCompressedLen %d", len(src), len(comp), MaxCompressedLen(len(src)))
	}
	if &comp[:1][0] != &buf[:1][0] {
		t.Fatalf("Compress(%d bytes) did not write into dst of capacity MaxCompressedLen", len(src))
	}
	got := make([]byte, len(src))
	for i := range got {
		got[i] = 0x5A // make sure Decompress writes every byte
	}
	if err := c.Decompress(got, comp); err != nil {
		t.Fatalf("Decompress(%d compressed bytes): %v", len(comp), err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("round trip of %d bytes mismatched", len(src))
	}
}

func TestCompressSmallDst(t *testing.T) {
	src := textPage()
	for _, c := range newCodecs(t) {
		for _, dst := range [][]byte{nil, make([]byte, 10), make([]byte, 0, 100)} {
			comp, err := c.Compress(dst, src)
			if err != nil {
				t.Fatalf("%s: Compress: %v", c.Name(), err)
			}
			got := make([]byte, len(src))
			if err := c.Decompress(got, comp); err != nil || !bytes.Equal(got, src) {
				t.Fatalf("%s: round trip with small dst failed: %v", c.Name(), err)
			}
		}
	}
}

func TestDecompressWrongLength(t *testing.T) {
	for _, c := range newCodecs(t) {
		for _, in := range inputs(t) {
			comp, err := c.Compress(nil, in.data)
			if err != nil {
				t.Fatal(err)
			}
			comp = bytes.Clone(comp)
			for _, n := range []int{len(in.data) - 1, len(in.data) + 1, len(in.data) * 2, 0} {
				if n < 0 || n == len(in.data) {
					continue
				}
				err := c.Decompress(make([]byte, n), comp)
				if err == nil {
					t.Errorf("%s/%s: Decompress into %d bytes (original %d) succeeded", c.Name(), in.name, n, len(in.data))
				} else if !errors.Is(err, ErrCorrupt) {
					t.Errorf("%s/%s: error %v does not wrap ErrCorrupt", c.Name(), in.name, err)
				}
			}
			// A nil dst is a zero-length dst.
			if len(in.data) > 0 {
				if err := c.Decompress(nil, comp); err == nil {
					t.Errorf("%s/%s: Decompress into nil succeeded", c.Name(), in.name)
				}
			}
		}
	}
}

// TestDecompressCorrupt feeds damaged input to Decompress. Formats without a
// checksum cannot always detect damage, so only a detectable subset must
// fail; none may panic, and the codec must still work afterwards.
func TestDecompressCorrupt(t *testing.T) {
	for _, c := range newCodecs(t) {
		for _, in := range inputs(t) {
			comp, err := c.Compress(nil, in.data)
			if err != nil {
				t.Fatal(err)
			}
			comp = bytes.Clone(comp)
			dst := make([]byte, len(in.data))

			// Truncation always changes the output or the stream.
			for n := range len(comp) {
				if err := c.Decompress(dst, comp[:n]); err == nil {
					t.Errorf("%s/%s: Decompress of %d/%d bytes succeeded", c.Name(), in.name, n, len(comp))
				}
			}
			// Trailing garbage. (Not every trailing byte string is
			// detectable in an LZ4 block; this one overruns dst.)
			if err := c.Decompress(dst, append(bytes.Clone(comp), 0xFF, 0x00, 0x13)); err == nil {
				t.Errorf("%s/%s: Decompress with trailing garbage succeeded", c.Name(), in.name)
			}
			// Flipped bits: must not panic; result may or may not be an error.
			for i := range comp {
				for _, mask := range []byte{0x01, 0x80, 0xFF} {
					bad := bytes.Clone(comp)
					bad[i] ^= mask
					_ = c.Decompress(dst, bad)
				}
			}
			// Garbage.
			for seed := range uint64(20) {
				_ = c.Decompress(dst, randomBytes(int(seed)*37, seed))
			}
			// The codec is still usable.
			roundTrip(t, c, in.data)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	src := textPage()
	for _, c := range newCodecs(t) {
		buf := make([]byte, 0, MaxCompressedLen(len(src)))
		out := make([]byte, len(src))
		var comp []byte
		var err error
		compress := func() {
			comp, err = c.Compress(buf, src)
			if err != nil {
				t.Fatal(err)
			}
		}
		compress() // warm up
		if n := testing.AllocsPerRun(100, compress); n != 0 {
			t.Errorf("%s: Compress allocs/op = %v, want 0", c.Name(), n)
		}
		decompress := func() {
			if err := c.Decompress(out, comp); err != nil {
				t.Fatal(err)
			}
		}
		decompress() // warm up
		if n := testing.AllocsPerRun(100, decompress); n != 0 {
			t.Errorf("%s: Decompress allocs/op = %v, want 0", c.Name(), n)
		}
		if !bytes.Equal(out, src) {
			t.Errorf("%s: round trip mismatch", c.Name())
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Add([]byte("hello, hello, hello, swap"))
	f.Add(make([]byte, pageSize))
	f.Add(textPage())
	f.Add(randomBytes(pageSize, 1))
	codecs := newCodecs(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range codecs {
			comp, err := c.Compress(nil, data)
			if err != nil {
				t.Fatalf("%s: Compress: %v", c.Name(), err)
			}
			if len(comp) > MaxCompressedLen(len(data)) {
				t.Fatalf("%s: Compress(%d bytes) = %d bytes > MaxCompressedLen", c.Name(), len(data), len(comp))
			}
			got := make([]byte, len(data))
			if err := c.Decompress(got, comp); err != nil {
				t.Fatalf("%s: Decompress: %v", c.Name(), err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("%s: round trip mismatch", c.Name())
			}
			// Arbitrary input as compressed data must not panic.
			_ = c.Decompress(got, data)
		}
	})
}

func BenchmarkCodec(b *testing.B) {
	data := []input{
		{"zero", make([]byte, pageSize)},
		{"text", textPage()},
		{"random", randomBytes(pageSize, 42)},
	}
	for _, name := range Names() {
		c, err := New(name)
		if err != nil {
			b.Fatal(err)
		}
		for _, op := range []string{"compress", "decompress"} {
			for _, d := range data {
				b.Run("codec="+name+"/op="+op+"/data="+d.name, func(b *testing.B) {
					buf := make([]byte, 0, MaxCompressedLen(pageSize))
					comp, err := c.Compress(buf, d.data)
					if err != nil {
						b.Fatal(err)
					}
					out := make([]byte, pageSize)
					// Warm up, so one-time setup is not amortized into B/op.
					if err := c.Decompress(out, comp); err != nil {
						b.Fatal(err)
					}
					b.SetBytes(pageSize)
					if op == "compress" {
						for b.Loop() {
							if _, err := c.Compress(buf, d.data); err != nil {
								b.Fatal(err)
							}
						}
					} else {
						for b.Loop() {
							if err := c.Decompress(out, comp); err != nil {
								b.Fatal(err)
							}
						}
					}
					// After the loop: b.Loop discards earlier metrics.
					b.ReportMetric(float64(len(comp)), "B/page")
				})
			}
		}
	}
}

// TestLZOFlavours: "lzo-rle" writes the kernel's version-1 stream (a 17, 1
// header, zero runs as run instructions) and "lzo" a plain LZO1X-1
// stream, and each decoder takes both, as lzo1x_decompress_safe does.
func TestLZOFlavours(t *testing.T) {
	plain, _ := New("lzo")
	rle, _ := New("lzo-rle")
	page := append(make([]byte, pageSize/2), textPage()[:pageSize/2]...)
	p, err := plain.Compress(nil, page)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rle.Compress(nil, page)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(r, []byte{17, 1}) || bytes.HasPrefix(p, []byte{17, 1}) {
		t.Errorf("lzo-rle starts % x, lzo % x; want only lzo-rle to carry the version header 11 01", r[:2], p[:2])
	}
	if bytes.Equal(p, r) {
		t.Error("lzo and lzo-rle wrote the same stream for a half-zero page")
	}
	for _, c := range []Codec{plain, rle} {
		for _, comp := range [][]byte{p, r} {
			got := make([]byte, len(page))
			if err := c.Decompress(got, comp); err != nil || !bytes.Equal(got, page) {
				t.Errorf("%s: decoding the other flavour: %v", c.Name(), err)
			}
		}
	}
}
