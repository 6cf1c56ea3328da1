package lzo

import (
	"encoding/binary"
	"math/bits"
)

// Compress1X1 appends the LZO1X-1 compressed form of src to dst[:0] (kernel
// "lzo", lzo1x_1_compress) and returns the result. If cap(dst) is smaller than
// CompressBound(len(src)) a new buffer is allocated; dst must not overlap src.
// A nil wrk allocates a temporary Dict.
func Compress1X1(dst, src []byte, wrk *Dict) []byte {
	if wrk == nil {
		wrk = new(Dict)
	}
	return compress(dst, src, wrk.tab[:], dBits, 0)
}

// CompressRLE appends the LZO-RLE form of src to dst[:0] (kernel "lzo-rle",
// lzorle1x_1_compress: a 17, 1 version header, then the LZO1X-1 stream in
// which runs of zero bytes are coded as zero-run instructions) and returns the
// result. Buffer and Dict handling are as for Compress1X1.
func CompressRLE(dst, src []byte, wrk *Dict) []byte {
	if wrk == nil {
		wrk = new(Dict)
	}
	return compress(dst, src, wrk.tab[:], dBits, rleVersion)
}

// compress is the generic LZO1X-1 driver (the kernel's
// lzogeneric1x_1_compress). tab must hold 1<<dbits entries; dbits is a
// parameter only so that the cgo test can also reproduce liblzo2's D_BITS=14
// lzo1x_1_compress. version is the bitstream version: 0 for "lzo", 1 for
// "lzo-rle".
func compress(dst, src []byte, tab []uint16, dbits uint, version byte) []byte {
	if n := CompressBound(len(src)); cap(dst) < n {
		dst = make([]byte, n)
	}
	out := dst[:cap(dst)]
	op := 0
	m4MaxOff := m4MaxOffV0
	if version > 0 {
		out[0], out[1] = 17, version
		op = 2
		m4MaxOff = m4MaxOffV1
	}
	dataStart := op
	stateOff := -2 // where the 2-bit "trailing literals" field sits, relative to op

	ip, l, t := 0, len(src), 0
	for l > 20 {
		ll := min(l, m4MaxOff+1)
		// The kernel guards this loop with an address-overflow test,
		// end+((t+ll)>>5) <= end, which is also true when t+ll < 32: such
		// short inputs (and short final chunks) are left as literals.
		if (t+ll)>>5 == 0 {
			break
		}
		clear(tab)
		op, t = compressChunk(out, op, src, ip, ll, t, tab, dbits, &stateOff, version > 0)
		ip += ll
		l -= ll
	}
	t += l

	// Flush the remaining literals.
	if t > 0 {
		ii := len(src) - t
		switch {
		case op == dataStart && t <= 238:
			out[op] = byte(17 + t)
			op++
		case t <= 3:
			out[op+stateOff] |= byte(t)
		default:
			op = putLiteralLen(out, op, t)
		}
		op += copy(out[op:], src[ii:])
	}

	// End of stream: M4 match with distance 0x4000 (offset field 0).
	out[op], out[op+1], out[op+2] = m4Marker|1, 0, 0
	return out[:op+3]
}

// putLiteralLen writes the length byte(s) of a run of t > 3 literals.
func putLiteralLen(out []byte, op, t int) int {
	if t <= 18 {
		out[op] = byte(t - 3)
		return op + 1
	}
	tt := t - 18
	out[op] = 0
	op++
	for tt > 255 {
		tt -= 255
		out[op] = 0
		op++
	}
	out[op] = byte(tt)
	return op + 1
}

// putLenExt writes the zero-byte extended length n (> 0) of an M3/M4 match.
func putLenExt(out []byte, op, n int) int {
	for n > 255 {
		n -= 255
		out[op] = 0
		op++
	}
	out[op] = byte(n)
	return op + 1
}

// compressChunk compresses src[in:in+inLen] (the kernel's
// lzo1x_1_do_compress). ti literals from before in are still pending. It
// returns the new output position and the number of input bytes (ending at
// in+inLen) that remain to be emitted as literals.
func compressChunk(out []byte, op int, src []byte, in, inLen, ti int, tab []uint16, dbits uint, stateOff *int, rle bool) (int, int) {
	inEnd := in + inLen
	ipEnd := inEnd - 20
	mask := uint32(len(tab) - 1)
	shift := 32 - dbits
	ip, ii := in, in
	if ti < 4 {
		ip += 4 - ti
	}

	skip := true // advance past a literal before looking for the next match
	for {
		if skip {
			// Move faster through incompressible data: step grows with the
			// length of the current literal run.
			ip += 1 + (ip-ii)>>5
		}
		skip = true
		if ip >= ipEnd {
			break
		}
		dv := binary.LittleEndian.Uint32(src[ip:])

		run := 0
		mpos := 0
		if dv == 0 && rle {
			// Zero run: length of the run of zero bytes at ip, scanning no
			// further than ipEnd and maxZeroRun+1 bytes.
			limit := min(ipEnd, ip+maxZeroRun+1)
			ir := ip + 4
			for ir+8 <= limit {
				if v := binary.LittleEndian.Uint64(src[ir:]); v != 0 {
					ir += bits.TrailingZeros64(v) >> 3
					goto found
				}
				ir += 8
			}
			for ir < limit && src[ir] == 0 {
				ir++
			}
		found:
			run = min(ir-ip, maxZeroRun)
		} else {
			h := (dv * 0x1824429d) >> shift & mask
			mpos = in + int(tab[h])
			tab[h] = uint16(ip - in)
			if dv != binary.LittleEndian.Uint32(src[mpos:]) {
				continue
			}
		}

		// Emit the pending literals src[ii:ip].
		ii -= ti
		ti = 0
		if t := ip - ii; t != 0 {
			if t <= 3 {
				out[op+*stateOff] |= byte(t)
			} else {
				op = putLiteralLen(out, op, t)
			}
			op += copy(out[op:], src[ii:ip])
		}

		if run > 0 {
			// Zero-run instruction: 0001 1LLL, then LE16 0xfffc|state, then
			// the high 8 bits of run-4. It looks like an M4 match of
			// distance 0xbfff, which version 1 reserves for this purpose.
			ip += run
			run -= minZeroRun
			out[op] = byte(0x18 | run&7)
			out[op+1] = 0xfc
			out[op+2] = 0xff
			out[op+3] = byte(run >> 3)
			op += 4
			*stateOff = -3
			ii = ip
			skip = false
			continue
		}

		// Match length. The end-of-chunk check is only made after every 8
		// matching bytes, exactly as the kernel's word-at-a-time loop does.
		mlen := 4
		v := binary.LittleEndian.Uint64(src[ip+mlen:]) ^ binary.LittleEndian.Uint64(src[mpos+mlen:])
		if v == 0 {
			for {
				mlen += 8
				v = binary.LittleEndian.Uint64(src[ip+mlen:]) ^ binary.LittleEndian.Uint64(src[mpos+mlen:])
				if ip+mlen >= ipEnd {
					goto lenDone
				}
				if v != 0 {
					break
				}
			}
		}
		mlen += bits.TrailingZeros64(v) >> 3
	lenDone:

		moff := ip - mpos
		ip += mlen
		switch {
		case mlen <= m2MaxLen && moff <= m2MaxOffset:
			// M2: 1LLDDDSS HHHHHHHH (or 01LDDDSS for lengths 3-4).
			moff--
			out[op] = byte((mlen-1)<<5 | (moff&7)<<2)
			out[op+1] = byte(moff >> 3)
			op += 2
		case moff <= m3MaxOffset:
			// M3: 001LLLLL [len ext] DDDDDDSS DDDDDDDD.
			moff--
			if mlen <= m3MaxLen {
				out[op] = byte(m3Marker | (mlen - 2))
				op++
			} else {
				out[op] = m3Marker
				op = putLenExt(out, op+1, mlen-m3MaxLen)
			}
			out[op] = byte(moff << 2)
			out[op+1] = byte(moff >> 6)
			op += 2
		default:
			// M4: 0001HLLL [len ext] DDDDDDSS DDDDDDDD, distance 16K..48K.
			moff -= 0x4000
			if mlen <= m4MaxLen {
				out[op] = byte(m4Marker | (moff>>11)&8 | (mlen - 2))
				op++
			} else {
				if rle && moff&0x403f == 0x403f && mlen >= 261 && mlen <= 264 {
					// In version 1 such a match would read like a zero
					// run; shorten it to 260 bytes.
					ip -= mlen - 260
					mlen = 260
				}
				out[op] = byte(m4Marker | (moff>>11)&8)
				op = putLenExt(out, op+1, mlen-m4MaxLen)
			}
			out[op] = byte(moff << 2)
			out[op+1] = byte(moff >> 6)
			op += 2
		}
		*stateOff = -2
		ii = ip
		skip = false
	}
	return op, inEnd - (ii - ti)
}
