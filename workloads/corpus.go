package workloads

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"strconv"
	"strings"
)

const (
	corpusMagic = "swapbench-corpus v1 pages="
	// corpusStride is K in the corpus page of (page, version):
	// (page + version*K) mod N. It is prime, so a new version moves to a
	// different corpus page whenever N is not a multiple of it.
	corpusStride = 7919
	// maxCorpusHeader bounds the header line, newline included.
	maxCorpusHeader = 4096
	corpusWant      = `want a header line "swapbench-corpus v1 pages=N source=...\n" then N 4096-byte pages`
)

// WriteCorpus writes pages as a corpus file to w.
//
// A corpus file is one header line followed by the raw pages:
//
//	swapbench-corpus v1 pages=N source=SOURCE\n
//	N pages of exactly 4096 bytes each, nothing after them
//
// N is a decimal count of at least 1 and SOURCE is free text without a
// newline (say, where the pages were captured); the header line is at most
// 4096 bytes. The content class "corpus:PATH" replays such a file.
func WriteCorpus(w io.Writer, source string, pages [][]byte) error {
	if strings.ContainsAny(source, "\n\r") {
		return fmt.Errorf("write corpus: source %q: must not contain a newline", source)
	}
	if len(pages) == 0 {
		return errors.New("write corpus: no pages; want at least 1")
	}
	for i, p := range pages {
		if len(p) != PageSize {
			return fmt.Errorf("write corpus: page %d has %d bytes; want %d", i, len(p), PageSize)
		}
	}
	header := corpusMagic + strconv.Itoa(len(pages)) + " source=" + source + "\n"
	if len(header) > maxCorpusHeader {
		return fmt.Errorf("write corpus: source is %d bytes; the header line must stay within %d bytes", len(source), maxCorpusHeader)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(header)
	for _, p := range pages {
		bw.Write(p)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	return nil
}

// corpus is the content class of a corpus file held in memory.
type corpus struct {
	name   string // "corpus:PATH"
	source string
	data   []byte // n pages
	n      uint64
}

func (c *corpus) Name() string { return c.name }

// Fill copies corpus page (page + version*7919) mod N, computed without
// overflow.
func (c *corpus) Fill(dst []byte, page, version uint64) {
	checkLen(dst)
	hi, lo := bits.Mul64(version, corpusStride)
	lo, carry := bits.Add64(lo, page, 0)
	idx := bits.Rem64(hi+carry, lo, c.n)
	copy(dst, c.data[idx*PageSize:(idx+1)*PageSize])
}

// loadCorpus reads and checks the corpus file at path.
func loadCorpus(path string) (*corpus, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("corpus %q: cannot read: %v", path, err)
	}
	return parseCorpus(path, data)
}

// parseCorpus checks data as the corpus file called path and keeps it.
func parseCorpus(path string, data []byte) (*corpus, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("corpus %q: empty file; %s", path, corpusWant)
	}
	nl := bytes.IndexByte(data[:min(len(data), maxCorpusHeader)], '\n')
	if !bytes.HasPrefix(data, []byte(corpusMagic)) || nl < 0 {
		return nil, fmt.Errorf("corpus %q: bad header %q; %s", path, head(data), corpusWant)
	}
	line := string(data[len(corpusMagic):nl])
	count, source, ok := strings.Cut(line, " source=")
	n, err := strconv.ParseUint(count, 10, 64)
	if !ok || err != nil {
		return nil, fmt.Errorf("corpus %q: bad header %q; %s", path, head(data), corpusWant)
	}
	if n == 0 {
		return nil, fmt.Errorf("corpus %q: header says pages=0; want at least 1 page", path)
	}
	body := data[nl+1:]
	have := uint64(len(body))
	if have/PageSize < n {
		return nil, fmt.Errorf("corpus %q: truncated: header says pages=%d of %d bytes but %d bytes of page data follow",
			path, n, PageSize, have)
	}
	if have != n*PageSize {
		return nil, fmt.Errorf("corpus %q: %d stray bytes after the %d pages of %d bytes; want nothing after them",
			path, have-n*PageSize, n, PageSize)
	}
	return &corpus{name: corpusPrefix + path, source: source, data: body, n: n}, nil
}

// head returns the start of data for an error message.
func head(data []byte) string {
	if i := bytes.IndexByte(data, '\n'); i >= 0 && i < 60 {
		return string(data[:i])
	}
	return string(data[:min(len(data), 60)])
}
