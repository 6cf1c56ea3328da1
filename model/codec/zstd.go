package codec

import (
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// zstdCodec emits one Zstandard frame per page, without a checksum, at the
// fastest level, like the kernel's "zstd" crypto algorithm at a low level.
type zstdCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newZstd() (Codec, error) {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderConcurrency(1),
		zstd.WithLowerEncoderMem(true),
		zstd.WithZeroFrames(true),
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderCRC(false),
	)
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true),
		// Never decode more than cap(dst): corrupt input cannot make
		// DecodeAll allocate, and an oversized frame fails early.
		zstd.WithDecodeAllCapLimit(true),
	)
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	return &zstdCodec{enc: enc, dec: dec}, nil
}

func (*zstdCodec) Name() string { return "zstd" }

func (z *zstdCodec) Compress(dst, src []byte) ([]byte, error) {
	return z.enc.EncodeAll(src, dst[:0]), nil
}

func (z *zstdCodec) Decompress(dst, src []byte) error {
	if len(src) == 0 {
		// DecodeAll accepts empty input as zero frames.
		return corrupt("zstd", "empty input")
	}
	out, err := z.dec.DecodeAll(src, dst[:0:len(dst)])
	if err != nil {
		return corrupt("zstd", err.Error())
	}
	if len(out) != len(dst) {
		return corrupt("zstd", fmt.Sprintf("decompressed to %d bytes, want %d", len(out), len(dst)))
	}
	if len(out) > 0 && &out[0] != &dst[0] {
		// Cannot happen with the cap limit; guard against silently
		// decoding into a fresh buffer.
		return corrupt("zstd", "decoder did not write into dst")
	}
	return nil
}
