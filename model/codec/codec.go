// Package codec provides the page compressors used by the simulated zswap and
// zram swap backends: real LZ4, LZO (LZO1X-1 and LZO-RLE), Zstandard and
// DEFLATE codecs with a zero-allocation steady state.
//
// # Per-CPU contexts
//
// The kernel compresses swapped pages through a per-CPU crypto_acomp_ctx:
// each CPU owns a compressor instance (hash tables, workspace) and a
// destination buffer of 2*PAGE_SIZE, so the hot path neither locks nor
// allocates. A [Codec] plays the role of one such context. It holds all the
// codec state and is not safe for concurrent use; each simulated CPU creates
// its own with [New] and reuses it for every page. Once warmed up, Compress
// and Decompress do not allocate, provided Compress is given a dst with
// capacity at least [MaxCompressedLen](len(src)) (a 4 KiB page needs less
// than the kernel's 2*PAGE_SIZE buffer).
//
// # Output convention
//
// Compress always emits the codec's native, self-delimiting format with no
// extra header: a raw LZ4 block, an LZO1X stream (with lzo-rle's 2-byte
// version header, as the kernel writes it), a single Zstandard frame (no
// checksum) or a raw DEFLATE stream. It never fails because data is
// incompressible; such input is encoded as literals or stored blocks, so
// the output may be slightly larger than src, but never larger than
// MaxCompressedLen(len(src)), and Decompress always accepts it. Deciding what to do with a page whose
// compressed length is not smaller than the page (zswap rejects it, zram
// stores it raw as a "huge" page) is the caller's job, as in the kernel.
// Because there is no header, compressed sizes are exactly those of the
// underlying format.
//
// Decompress needs the original length, given as len(dst), just as the
// kernel knows every swapped page is PAGE_SIZE bytes. It returns an error
// wrapping [ErrCorrupt] if src does not decode to exactly len(dst) bytes.
package codec

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// A Codec compresses and decompresses single pages. A Codec is not safe for
// concurrent use: like the kernel's per-CPU crypto_acomp_ctx, each simulated
// CPU owns one.
type Codec interface {
	// Name returns the name the Codec was created with by New.
	Name() string
	// Compress appends the compressed form of src to dst[:0] and returns it.
	// See the package documentation for the output convention.
	Compress(dst, src []byte) ([]byte, error)
	// Decompress decompresses src into dst, which must be exactly the original length.
	// It returns an error if src is corrupt or does not decompress to len(dst) bytes.
	Decompress(dst, src []byte) error
}

// ErrCorrupt is wrapped by the errors Decompress returns when src is not a
// valid compressed form of exactly len(dst) bytes.
var ErrCorrupt = errors.New("corrupt compressed data")

// registry maps each codec name (the kernel's crypto algorithm name) to its
// constructor. A codec implemented in a sibling package (as LZO is, in
// package lzo) gets a small adapter in this package and one line here.
var registry = map[string]func() (Codec, error){
	"deflate": newDeflate,
	"lz4":     newLZ4,
	"lzo":     newLZO,
	"lzo-rle": newLZORLE,
	"zstd":    newZstd,
}

// New returns a new Codec for the named algorithm. Valid names are listed by
// Names.
func New(name string) (Codec, error) {
	ctor, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("codec %q: unknown; want one of %s", name, strings.Join(Names(), ", "))
	}
	return ctor()
}

// Names returns the valid codec names in sorted order.
func Names() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// MaxCompressedLen returns an upper bound on the length of the output of
// Compress for n input bytes, for every codec. Compress does not allocate
// when cap(dst) is at least this large. The constant term covers LZO's
// lzo.CompressBound (n + n/8 + 69) for the smallest inputs.
func MaxCompressedLen(n int) int {
	return 2*n + 72
}

// grow returns dst[:n], reallocating only if cap(dst) < n.
func grow(dst []byte, n int) []byte {
	if cap(dst) < n {
		return make([]byte, n)
	}
	return dst[:n]
}

// corrupt returns an error for a Decompress failure of the named codec.
func corrupt(name string, detail string) error {
	return fmt.Errorf("%s: %w: %s", name, ErrCorrupt, detail)
}
