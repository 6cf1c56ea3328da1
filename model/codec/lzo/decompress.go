package lzo

import "encoding/binary"

// Decompress decompresses an LZO1X stream (either flavour) from src into dst,
// which must be exactly as long as the original data. Like the kernel's
// lzo1x_decompress_safe, a stream that starts with 17 and is at least 5 bytes
// long carries a bitstream version in its second byte; a non-zero version
// enables the lzo-rle zero-run instruction.
//
// Decompress returns an error for corrupt or truncated input, trailing
// input, or a decoded length different from len(dst); the contents of dst are
// then unspecified. It never panics and never reads or writes outside src and
// dst, whatever the input, and it does not allocate.
func Decompress(dst, src []byte) error {
	n := len(src)
	if n < 3 {
		return ErrInputOverrun
	}
	ip, op := 0, 0
	rle := false
	if n >= 5 && src[0] == 17 {
		rle = src[1] != 0
		ip = 2
	}

	// state is the number of literals copied by the previous instruction
	// (0-3), or 4 after a literal run of 4 or more bytes.
	state := 0
	var next int

	// The first instruction may be a literal run coded as 17+length; 1-3
	// such literals count as trailing literals (state 1-3).
	if src[ip] > 17 {
		t := int(src[ip]) - 17
		ip++
		if t > n-ip-3 {
			return ErrInputOverrun
		}
		if t > len(dst) {
			return ErrOutputOverrun
		}
		op += copy(dst[:t], src[ip:ip+t])
		ip += t
		state = min(t, 4)
	}

	for {
		if ip >= n {
			return ErrInputOverrun
		}
		t := int(src[ip])
		ip++
		var mpos, mlen int

		switch {
		case t < 16 && state == 0:
			// Literal run of 4 or more bytes: 0000LLLL [len ext].
			if t == 0 {
				var err error
				if t, ip, err = lenExt(src, ip, 15); err != nil {
					return err
				}
			}
			t += 3
			if t > n-ip-3 {
				return ErrInputOverrun
			}
			if t > len(dst)-op {
				return ErrOutputOverrun
			}
			op += copy(dst[op:op+t], src[ip:ip+t])
			ip += t
			state = 4
			continue

		case t < 16:
			// Short match: 0000DDSS HHHHHHHH. After 1-3 literals it copies 2
			// bytes within 1 KiB; after a long literal run, 3 bytes at
			// distance 2049..3072.
			if ip >= n {
				return ErrInputOverrun
			}
			next = t & 3
			mpos = op - 1 - t>>2 - int(src[ip])<<2
			ip++
			mlen = 2
			if state == 4 {
				mpos -= m2MaxOffset
				mlen = 3
			}

		case t >= 64:
			// M2: LLLDDDSS HHHHHHHH, 3-8 bytes within 2 KiB.
			if ip >= n {
				return ErrInputOverrun
			}
			next = t & 3
			mpos = op - 1 - (t>>2)&7 - int(src[ip])<<3
			ip++
			mlen = t>>5 + 1

		case t >= 32:
			// M3: 001LLLLL [len ext] DDDDDDSS DDDDDDDD, within 16 KiB.
			mlen = t&31 + 2
			if mlen == 2 {
				var err error
				if mlen, ip, err = lenExt(src, ip, 31); err != nil {
					return err
				}
				mlen += 2
			}
			if ip+2 > n {
				return ErrInputOverrun
			}
			next = int(binary.LittleEndian.Uint16(src[ip:]))
			ip += 2
			mpos = op - 1 - next>>2
			next &= 3

		default:
			// M4: 0001HLLL [len ext] DDDDDDSS DDDDDDDD, 16..48 KiB, or end
			// of stream, or (version 1) a zero run.
			if ip+2 > n {
				return ErrInputOverrun
			}
			next = int(binary.LittleEndian.Uint16(src[ip:]))
			if rle && next&0xfffc == 0xfffc && t&0xf8 == 0x18 {
				if ip+3 > n {
					return ErrInputOverrun
				}
				run := (t&7 | int(src[ip+2])<<3) + minZeroRun
				if run > len(dst)-op {
					return ErrOutputOverrun
				}
				clear(dst[op : op+run])
				op += run
				next &= 3
				ip += 3
				goto trailing
			}
			mpos = op - (t&8)<<11
			mlen = t&7 + 2
			if mlen == 2 {
				var err error
				if mlen, ip, err = lenExt(src, ip, 7); err != nil {
					return err
				}
				mlen += 2
				if ip+2 > n {
					return ErrInputOverrun
				}
				next = int(binary.LittleEndian.Uint16(src[ip:]))
			}
			ip += 2
			mpos -= next >> 2
			next &= 3
			if mpos == op {
				// End of stream.
				switch {
				case mlen != 3:
					return ErrCorrupt
				case ip < n:
					return ErrInputNotConsumed
				case op != len(dst):
					return ErrLengthMismatch
				}
				return nil
			}
			mpos -= 0x4000
		}

		// Copy the match; it may overlap the bytes it produces.
		if mpos < 0 {
			return ErrLookbehindOverrun
		}
		if mlen > len(dst)-op {
			return ErrOutputOverrun
		}
		if op-mpos >= mlen {
			op += copy(dst[op:op+mlen], dst[mpos:mpos+mlen])
		} else {
			// Overlapping: the pattern dst[mpos:op] repeats; copy it in
			// growing pieces.
			end := op + mlen
			for op < end {
				op += copy(dst[op:end], dst[mpos:op])
			}
		}

	trailing:
		// Copy the 0-3 literals that follow a match or zero run.
		state = next
		if next > n-ip-3 {
			return ErrInputOverrun
		}
		if next > len(dst)-op {
			return ErrOutputOverrun
		}
		for i := 0; i < next; i++ {
			dst[op+i] = src[ip+i]
		}
		op += next
		ip += next
	}
}

// lenExt decodes an extended length: a run of zero bytes each worth 255,
// then a non-zero byte, plus base. It returns the length, the new input
// position and an error on truncated input or an absurd length.
func lenExt(src []byte, ip, base int) (int, int, error) {
	start := ip
	for ip < len(src) && src[ip] == 0 {
		ip++
	}
	if ip >= len(src) {
		return 0, ip, ErrInputOverrun
	}
	zeros := ip - start
	return zeros*255 + base + int(src[ip]), ip + 1, nil
}
