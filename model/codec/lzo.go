package codec

import "github.com/swapbench/swapbench/model/codec/lzo"

// lzoCodec is the kernel's "lzo" (LZO1X-1) or "lzo-rle" (LZO1X-1 with
// bitstream version 1 and zero-run instructions, zram's default since
// Linux 5.1), from the hand-written package lzo. Its output is
// byte-for-byte the kernel's; the decompressor accepts both flavours, as
// lzo1x_decompress_safe does.
type lzoCodec struct {
	rle  bool
	dict lzo.Dict // the kernel's wrkmem, reused for every page
}

func newLZO() (Codec, error)    { return &lzoCodec{}, nil }
func newLZORLE() (Codec, error) { return &lzoCodec{rle: true}, nil }

func (l *lzoCodec) Name() string {
	if l.rle {
		return "lzo-rle"
	}
	return "lzo"
}

func (l *lzoCodec) Compress(dst, src []byte) ([]byte, error) {
	if l.rle {
		return lzo.CompressRLE(dst, src, &l.dict), nil
	}
	return lzo.Compress1X1(dst, src, &l.dict), nil
}

func (l *lzoCodec) Decompress(dst, src []byte) error {
	if err := lzo.Decompress(dst, src); err != nil {
		return corrupt(l.Name(), err.Error())
	}
	return nil
}
