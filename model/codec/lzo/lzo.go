// Package lzo implements the Linux kernel's LZO codecs in pure Go: "lzo"
// (LZO1X-1, lib/lzo/lzo1x_compress.c) and "lzo-rle" (the same compressor
// emitting bitstream version 1, which adds run-length encoding of zero runs;
// Linux 5.1+), plus a bounds-checked decompressor equivalent to the kernel's
// lzo1x_decompress_safe that accepts both flavours.
//
// No maintained Go library implements the LZO compressor, so this package was
// written by hand from the stream format (Documentation/staging/lzo.rst) and
// from studying the kernel's algorithm. It contains no kernel code. The
// compressor reproduces the kernel's encoding decisions so that the output is
// byte-for-byte identical to the kernel's for the same input:
//
//   - a 2^13-entry dictionary of 16-bit positions (the kernel's D_BITS = 13,
//     LZO1X_1_MEM_COMPRESS = 16 KiB), indexed by the multiplicative hash
//     (le32(p) * 0x1824429d) >> (32 - 13), cleared for every input chunk;
//   - the input is processed in chunks of at most 0xbfff+1 bytes (0xbffe+1
//     for lzo-rle), carrying pending literals across chunks;
//   - the same literal-skipping heuristic (step 1 + literals/32), the same
//     match-length limit near the end of a chunk, and the same M2/M3/M4
//     selection;
//   - inputs shorter than 32 bytes (the kernel skips the match finder unless
//     more than 20 bytes remain and pending+remaining >= 32), and the last
//     bytes of every input, are emitted as literals; the stream ends with the
//     3-byte M4 marker 11 00 00.
//
// Note that liblzo2's lzo1x_1_compress uses a 2^14-entry dictionary (D_BITS
// 14), so on many inputs its output differs from the kernel's (both decode to
// the same data). liblzo2's lzo1x_1_15_compress, on hosts with fast unaligned
// little-endian loads, is built with D_BITS 13 and 16-bit dictionary entries
// and matches the kernel's lzo1x_1_compress; lzo_cgo_test.go checks
// Compress1X1 against it (liblzo2 2.10, amd64). liblzo2 has no lzo-rle. While
// this package was written, both flavours were also compared with the
// kernel's lib/lzo/lzo1x_compress.c built in user space (64-bit, 32-bit and
// byte-at-a-time configurations); that harness is not in the repository
// because the kernel code is GPL.
package lzo

import "errors"

const (
	dBits = 13 // kernel lib/lzo/lzodefs.h D_BITS
	dSize = 1 << dBits

	m2MaxLen    = 8
	m3MaxLen    = 33
	m4MaxLen    = 9
	m2MaxOffset = 0x0800
	m3MaxOffset = 0x4000
	m4MaxOffV0  = 0xbfff // largest M4 distance, bitstream version 0
	m4MaxOffV1  = 0xbffe // version 1: 0xbfff marks a zero run instead

	m3Marker = 32
	m4Marker = 16

	minZeroRun = 4
	maxZeroRun = 2047 + minZeroRun

	// rleVersion is the bitstream version written by lzo-rle.
	rleVersion = 1
)

// Dict is the compressor's reusable hash dictionary (the kernel's wrkmem,
// LZO1X_1_MEM_COMPRESS bytes: 2^13 16-bit input positions). Reusing one Dict
// across calls avoids allocations. The zero value is ready to use; a Dict must
// not be used by two goroutines at once.
type Dict struct {
	tab [dSize]uint16
}

// CompressBound returns an upper bound on the size of the output of
// Compress1X1 or CompressRLE for an input of n bytes; a dst with at least this
// capacity is never reallocated. It is larger than the kernel's
// lzo1x_worst_compress(n) = n + n/16 + 67 because lzo-rle can expand data by
// up to 1/8 (a zero run of 4 bytes followed by 4 literals costs 9 bytes),
// plus 2 bytes for the lzo-rle version header.
func CompressBound(n int) int {
	return n + n/8 + 64 + 3 + 2
}

// Errors returned by Decompress. They mirror the kernel's LZO_E_* codes.
var (
	ErrInputOverrun      = errors.New("lzo: input overrun")
	ErrOutputOverrun     = errors.New("lzo: output overrun")
	ErrLookbehindOverrun = errors.New("lzo: lookbehind overrun")
	ErrInputNotConsumed  = errors.New("lzo: input not consumed")
	ErrCorrupt           = errors.New("lzo: corrupt input")
	ErrLengthMismatch    = errors.New("lzo: decompressed length does not match destination length")
)
