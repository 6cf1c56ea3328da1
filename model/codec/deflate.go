package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/flate"
)

// deflateCodec emits a raw DEFLATE stream (RFC 1951, no zlib or gzip
// wrapper) at flate.BestSpeed, like the kernel's "deflate" crypto algorithm.
type deflateCodec struct {
	w    *flate.Writer
	sink appendSink
	r    io.ReadCloser // also a flate.Resetter
	br   bytes.Reader
	one  [1]byte // scratch for the end-of-stream check
}

// appendSink is an io.Writer that appends to a byte slice.
type appendSink struct{ b []byte }

func (s *appendSink) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

func newDeflate() (Codec, error) {
	d := new(deflateCodec)
	w, err := flate.NewWriter(&d.sink, flate.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	d.w = w
	d.r = flate.NewReader(&d.br)
	if _, ok := d.r.(flate.Resetter); !ok {
		return nil, errors.New("deflate: flate reader does not implement flate.Resetter")
	}
	return d, nil
}

func (*deflateCodec) Name() string { return "deflate" }

func (d *deflateCodec) Compress(dst, src []byte) ([]byte, error) {
	d.sink.b = dst[:0]
	d.w.Reset(&d.sink)
	_, err := d.w.Write(src)
	if err == nil {
		err = d.w.Close()
	}
	out := d.sink.b
	d.sink.b = nil // do not retain the caller's buffer
	if err != nil {
		return dst[:0], fmt.Errorf("deflate: %w", err)
	}
	return out, nil
}

func (d *deflateCodec) Decompress(dst, src []byte) error {
	d.br.Reset(src)
	defer d.br.Reset(nil) // do not retain the caller's buffer
	if err := d.r.(flate.Resetter).Reset(&d.br, nil); err != nil {
		return corrupt("deflate", err.Error())
	}
	n, err := io.ReadFull(d.r, dst)
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return corrupt("deflate", fmt.Sprintf("decompressed to %d bytes, want %d", n, len(dst)))
		}
		return corrupt("deflate", err.Error())
	}
	// The stream must end exactly here: no more output, no trailing input.
	if m, err := d.r.Read(d.one[:]); m != 0 || err != io.EOF {
		if err != nil && err != io.EOF {
			return corrupt("deflate", err.Error())
		}
		return corrupt("deflate", fmt.Sprintf("decompresses to more than %d bytes", len(dst)))
	}
	if d.br.Len() != 0 {
		return corrupt("deflate", fmt.Sprintf("%d bytes of trailing data", d.br.Len()))
	}
	return nil
}
