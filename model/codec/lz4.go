package codec

import (
	"fmt"

	"github.com/pierrec/lz4/v4"
)

// lz4Codec emits raw LZ4 blocks, the format of the kernel's "lz4" crypto
// algorithm. Given a dst of at least lz4.CompressBlockBound bytes, the block
// compressor never reports incompressible input; it emits a literal-only block.
type lz4Codec struct {
	c     lz4.Compressor // reused hash table, like the kernel's lz4 workspace
	empty [1]byte        // backs a non-nil empty dst; see Decompress
}

func newLZ4() (Codec, error) { return new(lz4Codec), nil }

func (*lz4Codec) Name() string { return "lz4" }

func (l *lz4Codec) Compress(dst, src []byte) ([]byte, error) {
	dst = grow(dst, lz4.CompressBlockBound(len(src)))
	n, err := l.c.CompressBlock(src, dst)
	if err != nil {
		return dst[:0], fmt.Errorf("lz4: %w", err)
	}
	if n == 0 { // cannot happen with a full-bound dst; keep Decompress's contract anyway
		return dst[:0], fmt.Errorf("lz4: compressor returned no output for %d bytes", len(src))
	}
	return dst[:n], nil
}

func (l *lz4Codec) Decompress(dst, src []byte) error {
	if len(src) == 0 {
		// UncompressBlock treats an empty block as zero bytes; a valid
		// block, even of empty input, is at least one token byte.
		return corrupt("lz4", "empty input")
	}
	if dst == nil {
		// The amd64 assembly decoder of lz4 v4.1.33 computes dst's end
		// minus 32 without underflow checks and writes through a nil
		// base pointer (SIGSEGV); any non-nil empty slice is safe.
		dst = l.empty[:0]
	}
	n, err := lz4.UncompressBlock(src, dst)
	if err != nil {
		return corrupt("lz4", err.Error())
	}
	if n != len(dst) {
		return corrupt("lz4", fmt.Sprintf("decompressed to %d bytes, want %d", n, len(dst)))
	}
	return nil
}
