package workloads

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testPages(n int) [][]byte {
	c, err := NewContent("random", 11)
	if err != nil {
		panic(err)
	}
	pages := make([][]byte, n)
	for i := range pages {
		pages[i] = make([]byte, PageSize)
		c.Fill(pages[i], uint64(i), 0)
	}
	return pages
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pages.corpus")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCorpusRoundTrip(t *testing.T) {
	const n = 5
	pages := testPages(n)
	var buf bytes.Buffer
	if err := WriteCorpus(&buf, "unit test source", pages); err != nil {
		t.Fatal(err)
	}
	if want := "swapbench-corpus v1 pages=5 source=unit test source\n"; !strings.HasPrefix(buf.String(), want) {
		t.Fatalf("header %q, want %q", buf.String()[:60], want)
	}
	path := writeFile(t, buf.Bytes())
	c, err := NewContent("corpus:"+path, 99)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "corpus:"+path {
		t.Errorf("Name() = %q", c.Name())
	}
	if src := c.(*corpus).source; src != "unit test source" {
		t.Errorf("source %q", src)
	}
	dst := make([]byte, PageSize)
	for _, tc := range []struct{ page, version, want uint64 }{
		{0, 0, 0}, {4, 0, 4}, {5, 0, 0}, {7, 0, 2},
		{0, 1, 7919 % n}, {3, 2, (3 + 2*7919) % n},
		{1<<64 - 1, 1<<64 - 1, 0}, // (2^64-1)(1+7919) = 7920*(2^64-1); 2^64 = 1 mod 5, so 0
	} {
		c.Fill(dst, tc.page, tc.version)
		if !bytes.Equal(dst, pages[tc.want]) {
			t.Errorf("Fill(page %d, version %d) is not corpus page %d", tc.page, tc.version, tc.want)
		}
	}
	if a := testing.AllocsPerRun(100, func() { c.Fill(dst, 3, 4) }); a != 0 {
		t.Errorf("corpus Fill allocates %.1f times", a)
	}
}

func TestCorpusErrors(t *testing.T) {
	var good bytes.Buffer
	if err := WriteCorpus(&good, "x", testPages(2)); err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	hdr := bytes.IndexByte(g, '\n') + 1
	for _, tc := range []struct {
		name string
		data []byte // nil: no file at all
		want string
	}{
		{"missing", nil, "cannot read: no such file"},
		{"empty", []byte{}, "empty file; want a header line"},
		{"wrong magic", []byte("not a corpus\n" + strings.Repeat("x", PageSize)), `bad header "not a corpus"`},
		{"no newline", bytes.Repeat([]byte("swapbench-corpus v1 pages=1 source=y"), 200), "bad header"},
		{"no source", []byte("swapbench-corpus v1 pages=1\n"), "bad header"},
		{"bad count", []byte("swapbench-corpus v1 pages=-1 source=\n"), "bad header"},
		{"v2", []byte("swapbench-corpus v2 pages=1 source=\n"), "bad header"},
		{"zero pages", []byte("swapbench-corpus v1 pages=0 source=\n"), "pages=0; want at least 1 page"},
		{"truncated", g[:len(g)-1], "truncated: header says pages=2 of 4096 bytes but 8191 bytes"},
		{"header only", g[:hdr], "truncated: header says pages=2 of 4096 bytes but 0 bytes"},
		{"huge count", []byte("swapbench-corpus v1 pages=18446744073709551615 source=\n"), "truncated: header says pages=18446744073709551615 of 4096 bytes but 0 bytes"},
		{"trailing", append(bytes.Clone(g), 0), "1 stray bytes after the 2 pages"},
	} {
		path := filepath.Join(t.TempDir(), "missing.corpus")
		if tc.data != nil {
			path = writeFile(t, tc.data)
		}
		c, err := NewContent("corpus:"+path, 0)
		if err == nil {
			t.Errorf("%s: no error, got %v", tc.name, c)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, path) || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q; want one line naming the file and containing %q", tc.name, msg, tc.want)
		}
	}
}

func TestWriteCorpusErrors(t *testing.T) {
	good := testPages(1)
	for _, tc := range []struct {
		name, source string
		pages        [][]byte
		want         string
	}{
		{"newline", "a\nb", good, "must not contain a newline"},
		{"no pages", "s", nil, "no pages"},
		{"short page", "s", [][]byte{make([]byte, 10)}, "page 0 has 10 bytes; want 4096"},
		{"long source", strings.Repeat("s", 5000), good, "header line must stay within 4096 bytes"},
	} {
		err := WriteCorpus(&bytes.Buffer{}, tc.source, tc.pages)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	werr := errors.New("disk full")
	if err := WriteCorpus(failWriter{werr}, "s", good); !errors.Is(err, werr) {
		t.Errorf("write failure: error %v, want it to wrap %v", err, werr)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// FuzzReadCorpus feeds arbitrary bytes as a corpus file: parsing must
// never panic, and an accepted corpus must fill pages.
func FuzzReadCorpus(f *testing.F) {
	var good bytes.Buffer
	if err := WriteCorpus(&good, "fuzz", testPages(2)); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add([]byte{})
	f.Add([]byte("swapbench-corpus v1 pages=1 source=\n"))
	f.Add([]byte("swapbench-corpus v1 pages=99999999999999999999 source=\n"))
	f.Add([]byte("swapbench-corpus v1 pages=0 source=\n"))
	f.Add(append([]byte("swapbench-corpus v1 pages=1 source=a b c\n"), make([]byte, PageSize)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCorpus("fuzz.corpus", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error has a newline: %q", err)
			}
			return
		}
		dst := make([]byte, PageSize)
		c.Fill(dst, 12345, 678)
		c.Fill(dst, 1<<64-1, 1<<64-1)
	})
}
