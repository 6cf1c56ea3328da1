package workloads

import (
	"encoding/binary"
	"strconv"
	"strings"
)

// insnList holds x86-64 idioms of common compiler output, one to five
// instructions (at most 16 bytes) per line. A byte that varies is "??" (any
// value), "dd" (a negative frame offset: 0xc0-0xf8 in steps of 8), "ss" (a
// small struct offset: 0x00-0x38 in steps of 8) or "ii" (a small
// immediate, 0-15). Frequent idioms appear more than once to weight the
// choice.
const insnList = `55 48 89 e5
55 48 89 e5 48 83 ec dd
41 57 41 56 53 48 83 ec dd
48 8b 45 dd 48 89 c7
48 8b 45 dd 48 89 c7
48 8b 45 dd 48 8b 40 ss
48 89 7d dd 48 89 75 dd
48 8b 7d dd e8 ?? ?? ff ff
48 89 c7 e8 ?? ?? ff ff
48 89 c7 e8 ?? ?? ff ff
e8 ?? ?? 00 00
e8 ?? ?? ff ff 89 45 dd
85 c0 74 ??
85 c0 75 ??
48 85 c0 0f 84 ?? ?? 00 00
83 7d dd ii 75 ??
31 c0 c9 c3
48 83 c4 dd 5b 41 5e 41 5f c3
5d c3
c9 c3
b8 ii 00 00 00
bf ii 00 00 00 e8 ?? ?? ff ff
48 8d 3d ?? ?? 00 00 e8 ?? ?? ff ff
48 8b 05 ?? ?? 00 00
48 c7 45 dd 00 00 00 00
c7 45 dd ii 00 00 00
8b 45 dd 48 63 d0
48 01 d0 0f b6 00
48 8b 43 ss 48 89 45 dd
48 89 43 ss
48 39 c2 7e ??
eb ??
e9 ?? ?? ff ff
0f 1f 44 00 00
66 0f 1f 44 00 00
48 83 45 dd 01
83 45 dd 01
48 89 de 48 89 c7
31 d2 31 f6
8b 45 dd 83 c0 01 89 45 dd`

// insn is an idiom, or a block of idioms, packed for 8-byte stores: the
// bytes are b | (random & mask).
type insn struct {
	b, mask [4]uint64
	n       int
	ret     bool // ends with ret: int3 padding follows
}

// parseInsns parses insnList.
func parseInsns() []insn {
	var t []insn
	for line := range strings.Lines(insnList) {
		var in insn
		for i, f := range strings.Fields(line) {
			w, sh := i/8, 8*(i%8)
			switch f {
			case "??":
				in.mask[w] |= 0xff << sh
			case "dd":
				in.b[w] |= 0xc0 << sh
				in.mask[w] |= 0x38 << sh
			case "ss":
				in.mask[w] |= 0x38 << sh
			case "ii":
				in.mask[w] |= 0x0f << sh
			default:
				v, err := strconv.ParseUint(f, 16, 8)
				if err != nil || i >= 16 {
					panic("workloads: bad instruction template " + line)
				}
				in.b[w] |= v << sh
				in.ret = v == 0xc3
			}
			in.n++
		}
		t = append(t, in)
	}
	return t
}

const maxBlock = 32 // bytes in a block of idioms

// blocks are 256 fixed runs of idioms (up to maxBlock bytes, ending early
// at a ret), so one Fill step writes several instructions.
var blocks = func() []insn {
	idioms := parseInsns()
	r := rng{0xb10c}
	bs := make([]insn, 256)
	for i := range bs {
		bl := &bs[i]
		for !bl.ret {
			in := &idioms[r.below(uint64(len(idioms)))]
			if bl.n+in.n > maxBlock {
				break
			}
			for k := 0; k < in.n; k++ {
				at := bl.n + k
				bl.b[at/8] |= in.b[k/8] >> (8 * (k % 8)) & 0xff << (8 * (at % 8))
				bl.mask[at/8] |= in.mask[k/8] >> (8 * (k % 8)) & 0xff << (8 * (at % 8))
			}
			bl.n += in.n
			bl.ret = in.ret
		}
	}
	return bs
}()

// fillBinary writes a code-like page: runs of instructions, arrays of
// structs holding pointer-like words, counters and small enums, and tables
// of small integers.
func fillBinary(dst []byte, r rng) {
	base := heapBase(&r)
	i := 0
	for i < PageSize {
		v := r.next()
		end := min(i+256+int(v&0x3ff), PageSize) // segments of 256..1279 bytes
		switch v >> 10 & 7 {
		case 0, 1, 2, 3:
			i = fillCode(dst, i, end, &r)
		case 4, 5, 6:
			i = fillStructs(dst, i, end, v>>13, base, &r)
		default:
			i = fillInts(dst, i, end, v>>13, &r)
		}
	}
}

// fillCode writes blocks of idioms. In 3 of 16 steps it replays a recent
// block with the same bytes instead, as compiled code repeats itself
// (spills, calls with the same arguments, ...).
func fillCode(dst []byte, i, end int, r *rng) int {
	var recent [16]uint64 // a ring of the draws of the last blocks written
	ns := 0
	for i < end && i+maxBlock <= PageSize {
		// 64 random bits per step: 8 pick the block, 4 decide a replay,
		// 4 pick it, 48 vary the bytes.
		v := r.next()
		if k := int(v >> 12 & 15); v>>8&15 < 3 && k < ns {
			v = recent[(ns-1-k)&15]
		} else {
			recent[ns&15] = v
			ns++
		}
		bl := &blocks[v&0xff]
		rnd := v >> 16
		d := dst[i : i+maxBlock]
		binary.LittleEndian.PutUint64(d, bl.b[0]|rnd&bl.mask[0])
		binary.LittleEndian.PutUint64(d[8:], bl.b[1]|(rnd>>5|rnd<<43)&bl.mask[1])
		binary.LittleEndian.PutUint64(d[16:], bl.b[2]|(rnd>>11|rnd<<37)&bl.mask[2])
		binary.LittleEndian.PutUint64(d[24:], bl.b[3]|(rnd>>17|rnd<<31)&bl.mask[3])
		i += bl.n
		if bl.ret && i+16 <= PageSize { // int3 padding to a 16-byte boundary
			binary.LittleEndian.PutUint64(dst[i:i+8], int3s)
			binary.LittleEndian.PutUint64(dst[i+8:i+16], int3s)
			i = (i + 15) &^ 15
		}
	}
	for ; i < end; i++ { // the tail of the page: int3
		dst[i] = 0xcc
	}
	return i
}

const int3s = 0xcccc_cccc_cccc_cccc

// fillStructs writes an array of structs of 2..9 words whose fields keep
// one role across the array: pointers into one region, a constant pointer
// (say a vtable), an index, small flags, a length, or zero.
func fillStructs(dst []byte, i, end int, layout, base uint64, r *rng) int {
	nw := 2 + int(layout&7)
	layout >>= 3
	i &^= 7
	for idx := uint64(0); i < end; idx++ {
		v := r.next()
		for f := 0; f < nw && i+8 <= PageSize; f++ {
			role := [8]uint64{
				base + (v&0xfff)<<3, // pointer into the region
				base + (v&0xfff)<<3,
				idx,         // index or counter
				v & 3,       // small enum or flags
				base | 0x40, // constant pointer
				v & 0x3ff,   // length or size
			}
			binary.LittleEndian.PutUint64(dst[i:i+8], role[layout>>(3*f)&7])
			v = v>>12 | v<<52
			i += 8
		}
	}
	return min(i, PageSize)
}

// fillInts writes a table of small 32-bit integers drawn from a palette of
// four values, like enum or state tables.
func fillInts(dst []byte, i, end int, kind uint64, r *rng) int {
	i &^= 7 // back to a word boundary, overwriting the last few bytes
	var pal [4]uint64
	for k := range pal {
		pal[k] = kind & 0x3f
		kind >>= 6
	}
	for i < end && i+8 <= PageSize {
		v := r.next()
		for k := 0; k < 16 && i < end && i+8 <= PageSize; k++ {
			binary.LittleEndian.PutUint64(dst[i:], pal[v&3]|pal[v>>2&3]<<32)
			v >>= 4
			i += 8
		}
	}
	return min(i, PageSize)
}
