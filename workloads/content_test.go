package workloads

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
	"testing"

	"github.com/pierrec/lz4/v4"
)

// lz4Size is the LZ4 block size of page with the reference fast
// compressor (LZ4_compress_fast, as the kernel's lz4 uses), counting a page
// that does not shrink as stored uncompressed: PageSize.
func lz4Size(c *lz4.CompressorCCompat, page, out []byte) int {
	n, err := c.CompressBlock(page, out)
	if err != nil || n == 0 || n > PageSize {
		return PageSize
	}
	return n
}

func mustContent(t testing.TB, name string, seed uint64) Content {
	t.Helper()
	c, err := NewContent(name, seed)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func isZero(p []byte) bool { return !bytes.ContainsFunc(p, func(r rune) bool { return r != 0 }) }

func isSameFilled(p []byte) bool { return bytes.Equal(p[8:], p[:len(p)-8]) && !isZero(p) }

func TestContentNames(t *testing.T) {
	want := "anon-mix binary random same-filled sparse text zero"
	if got := strings.Join(ContentNames(), " "); got != want {
		t.Errorf("ContentNames() = %q, want %q", got, want)
	}
	for _, n := range ContentNames() {
		if c := mustContent(t, n, 1); c.Name() != n {
			t.Errorf("NewContent(%q).Name() = %q", n, c.Name())
		}
	}
}

func TestNewContentErrors(t *testing.T) {
	_, err := NewContent("foo", 1)
	want := `content class "foo": unknown; want one of anon-mix, binary, corpus:FILE, random, same-filled, sparse, text, zero`
	if err == nil || err.Error() != want {
		t.Errorf("NewContent(foo) error = %v, want %s", err, want)
	}
	for _, name := range []string{"", "Text", "corpus:", "corpus:/nonexistent/swapbench.corpus"} {
		c, err := NewContent(name, 1)
		if err == nil || c != nil {
			t.Errorf("NewContent(%q) = %v, %v; want nil and an error", name, c, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, strings.TrimPrefix(name, corpusPrefix)) {
			t.Errorf("NewContent(%q) error %q: want one line naming the input", name, msg)
		}
	}
}

func TestFillWrongLengthPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Fill with a short buffer did not panic")
		}
	}()
	mustContent(t, "text", 1).Fill(make([]byte, PageSize-1), 0, 0)
}

// TestDeterminism checks that Fill depends only on (seed, page, version),
// not on what dst held before.
func TestDeterminism(t *testing.T) {
	pages := []uint64{0, 1, 2, 3, 4096, 1 << 40, math.MaxUint64}
	a, b := make([]byte, PageSize), make([]byte, PageSize)
	for _, name := range ContentNames() {
		c1, c2 := mustContent(t, name, 42), mustContent(t, name, 42)
		for _, p := range pages {
			for _, v := range []uint64{0, 1, 7, math.MaxUint64} {
				for i := range a {
					a[i], b[i] = 0x00, byte(i*7+1)
				}
				c1.Fill(a, p, v)
				c2.Fill(b, p, v)
				if !bytes.Equal(a, b) {
					t.Fatalf("%s page %d version %d: two fills differ", name, p, v)
				}
			}
		}
	}
}

// TestVersionAndSeedChangeContent checks that a new version or a new seed
// gives new bytes, except in the zero class (and anon-mix pages that draw
// zero both times).
func TestVersionAndSeedChangeContent(t *testing.T) {
	a, b := make([]byte, PageSize), make([]byte, PageSize)
	for _, name := range ContentNames() {
		c, other := mustContent(t, name, 1), mustContent(t, name, 2)
		for p := uint64(0); p < 300; p++ {
			for v := uint64(0); v < 3; v++ {
				c.Fill(a, p, v)
				c.Fill(b, p, v+1)
				same := bytes.Equal(a, b)
				switch {
				case name == "zero":
					if !same || !isZero(a) {
						t.Fatalf("zero page %d: versions %d, %d not both zero", p, v, v+1)
					}
				case same && !(name == "anon-mix" && isZero(a)):
					t.Fatalf("%s page %d: versions %d and %d give the same bytes", name, p, v, v+1)
				}
				other.Fill(b, p, v)
				if bytes.Equal(a, b) && name != "zero" && !(name == "anon-mix" && isZero(a)) {
					t.Fatalf("%s page %d version %d: seeds 1 and 2 give the same bytes", name, p, v)
				}
			}
		}
	}
}

// TestGolden pins the bytes of every class, so that a change of generator
// (or a platform difference) shows up.
func TestGolden(t *testing.T) {
	want := map[string]string{
		"anon-mix":    "0856e7b5df7a2b56",
		"binary":      "8fa78f9c95b1e2a3",
		"random":      "1be95643f6174445",
		"same-filled": "b2ce5a11d4cacf06",
		"sparse":      "2dc4e55c0fc24f1b",
		"text":        "5e60992097fa7690",
		"zero":        "8a39d2abd3999ab7",
	}
	buf := make([]byte, PageSize)
	for _, name := range ContentNames() {
		c := mustContent(t, name, 42)
		h := sha256.New()
		for p := uint64(0); p < 64; p++ {
			c.Fill(buf, p*977, p%3)
			h.Write(buf)
		}
		if got := hex.EncodeToString(h.Sum(nil))[:16]; got != want[name] {
			t.Errorf("%s: golden hash %s, want %s", name, got, want[name])
		}
	}
}

func TestSameFilled(t *testing.T) {
	c := mustContent(t, "same-filled", 3)
	buf := make([]byte, PageSize)
	for p := uint64(0); p < 1000; p++ {
		c.Fill(buf, p, p)
		if !isSameFilled(buf) {
			t.Fatalf("page %d is not one repeated non-zero word", p)
		}
	}
}

// TestClassCompressibility checks each class's LZ4 ratio (see lz4Size).
func TestClassCompressibility(t *testing.T) {
	var lz lz4.CompressorCCompat
	buf, out := make([]byte, PageSize), make([]byte, lz4.CompressBlockBound(PageSize))
	const n = 1000
	for _, tc := range []struct {
		name     string
		min, max float64 // ratio of raw to compressed bytes
	}{
		{"text", 2.5, 3.5},
		{"binary", 1.5, 2.5},
		{"random", 1, 1},
		{"sparse", 10, 100},
		{"same-filled", 100, 200},
		{"zero", 100, 200},
	} {
		c := mustContent(t, tc.name, 5)
		total := 0
		for p := uint64(0); p < n; p++ {
			c.Fill(buf, p, 1)
			total += lz4Size(&lz, buf, out)
		}
		if r := float64(n*PageSize) / float64(total); r < tc.min || r > tc.max {
			t.Errorf("%s: lz4 ratio %.2f, want %.1f..%.1f", tc.name, r, tc.min, tc.max)
		}
	}
}

// TestAnonMix measures anon-mix over 100k pages: the class shares from the
// bytes themselves and the mean LZ4 compressed size (lz4Size: the
// reference fast LZ4 of pierrec/lz4, incompressible pages counted as 4096).
func TestAnonMix(t *testing.T) {
	const n = 100_000
	var lz lz4.CompressorCCompat
	buf, out := make([]byte, PageSize), make([]byte, lz4.CompressBlockBound(PageSize))
	c := mustContent(t, "anon-mix", 7)
	var zero, same, incompressible, middle, total int
	for p := uint64(0); p < n; p++ {
		c.Fill(buf, p, p%5)
		size := lz4Size(&lz, buf, out)
		total += size
		switch {
		case isZero(buf):
			zero++
		case isSameFilled(buf):
			same++
		case size == PageSize:
			incompressible++
		case size >= 1536:
			middle++
		}
	}
	share := func(k int) float64 { return float64(k) / n }
	check := func(what string, got, lo, hi float64) {
		if got < lo || got > hi {
			t.Errorf("anon-mix %s = %.4f, want %.3f..%.3f", what, got, lo, hi)
		}
	}
	check("zero share", share(zero), 0.11, 0.13)
	check("same-filled share", share(same), 0.025, 0.035)
	check("incompressible share", share(incompressible), 0.13, 0.15)
	// Bimodal: few pages compress only moderately (1536..4095 bytes).
	check("moderately compressible share", share(middle), 0, 0.10)
	check("mean lz4 size", float64(total)/n, 600, 900)
	t.Logf("anon-mix over %d pages: zero %.4f, same-filled %.4f, incompressible %.4f, 1536..4095 B %.4f, mean lz4 %.1f B",
		n, share(zero), share(same), share(incompressible), share(middle), float64(total)/n)
}

// TestMixKindShares checks the drawn class shares against mixShares.
func TestMixKindShares(t *testing.T) {
	const n = 100_000
	var count [kMix]int
	for p := uint64(0); p < n; p++ {
		count[mixKind(pageKey(9, saltMix, p, 0))]++
	}
	for _, s := range mixShares {
		got, want := float64(count[s.k])/n, float64(s.permil)/1000
		if math.Abs(got-want) > 0.006 {
			t.Errorf("class %d share %.4f, want %.3f", s.k, got, want)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	buf := make([]byte, PageSize)
	for _, name := range ContentNames() {
		c := mustContent(t, name, 1)
		var p uint64
		if a := testing.AllocsPerRun(100, func() { c.Fill(buf, p, p); p++ }); a != 0 {
			t.Errorf("%s: Fill allocates %.1f times", name, a)
		}
	}
	for _, name := range PatternNames() {
		pt, err := NewPattern(name, 1000, 1)
		if err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(100, func() { pt.Next() }); a != 0 {
			t.Errorf("%s: Next allocates %.1f times", name, a)
		}
	}
	d := NewDice(1)
	if a := testing.AllocsPerRun(100, func() { d.Roll(0.5) }); a != 0 {
		t.Errorf("Roll allocates %.1f times", a)
	}
}
