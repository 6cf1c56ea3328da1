//go:build lzo_cgo

package lzo

// This file is compiled only with the lzo_cgo build tag. It links liblzo2
// (Debian/Ubuntu: liblzo2-dev) as a reference for lzo_cgo_test.go; cgo cannot
// be used in _test.go files directly.

/*
#cgo LDFLAGS: -llzo2
#include <stdlib.h>
#include <lzo/lzo1x.h>

static int swb_lzo_init(void) { return lzo_init(); }

static int swb_lzo1x_1(const unsigned char *in, size_t n, unsigned char *out, size_t *outn, void *wrk) {
	lzo_uint ol = *outn;
	int r = lzo1x_1_compress(in, n, out, &ol, wrk);
	*outn = ol;
	return r;
}

static int swb_lzo1x_1_15(const unsigned char *in, size_t n, unsigned char *out, size_t *outn, void *wrk) {
	lzo_uint ol = *outn;
	int r = lzo1x_1_15_compress(in, n, out, &ol, wrk);
	*outn = ol;
	return r;
}

static size_t swb_wrk_size(void) {
	return LZO1X_1_15_MEM_COMPRESS > LZO1X_1_MEM_COMPRESS ? LZO1X_1_15_MEM_COMPRESS : LZO1X_1_MEM_COMPRESS;
}
*/
import "C"

import (
	"errors"
	"fmt"
)

// cCompress runs liblzo2's lzo1x_1_compress (variant 14) or
// lzo1x_1_15_compress (variant 15) on src.
func cCompress(src []byte, variant int) ([]byte, error) {
	if C.swb_lzo_init() != C.LZO_E_OK {
		return nil, errors.New("liblzo2: lzo_init failed")
	}
	// One spare byte so that an empty input is not a zero-size allocation.
	in := C.CBytes(append(src[:len(src):len(src)], 0))
	defer C.free(in)
	outCap := CompressBound(len(src)) + 64
	out := C.malloc(C.size_t(outCap))
	defer C.free(out)
	wrk := C.malloc(C.swb_wrk_size())
	defer C.free(wrk)
	outLen := C.size_t(outCap)
	var r C.int
	switch variant {
	case 14:
		r = C.swb_lzo1x_1((*C.uchar)(in), C.size_t(len(src)), (*C.uchar)(out), &outLen, wrk)
	case 15:
		r = C.swb_lzo1x_1_15((*C.uchar)(in), C.size_t(len(src)), (*C.uchar)(out), &outLen, wrk)
	default:
		return nil, fmt.Errorf("liblzo2: unknown variant %d", variant)
	}
	if r != C.LZO_E_OK {
		return nil, fmt.Errorf("liblzo2: compress error %d", int(r))
	}
	return C.GoBytes(out, C.int(outLen)), nil
}
