package model

import (
	"encoding/binary"
	"math/bits"
)

func putUint64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }
func getUint64(b []byte) uint64    { return binary.LittleEndian.Uint64(b) }
func trailingOnes(v uint64) int    { return bits.TrailingZeros64(^v) }

// sameFilled reports whether page is one 8-byte word repeated
// (zswap_is_folio_same_filled / zram's page_same_filled) and returns it,
// with the bytes scanned before the answer was known.
func sameFilled(page []byte) (v uint64, ok bool, scanned int) {
	v = getUint64(page)
	for i := 8; i < len(page); i += 8 {
		if getUint64(page[i:]) != v {
			return 0, false, i + 8
		}
	}
	return v, true, len(page)
}

// fillPage writes the word v over page (zswap_fill_page / zram_fill_page).
func fillPage(page []byte, v uint64) {
	if v == 0 {
		clear(page)
		return
	}
	for i := 0; i < len(page); i += 8 {
		putUint64(page[i:], v)
	}
}
