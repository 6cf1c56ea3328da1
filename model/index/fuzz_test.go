package index

import "testing"

// fuzzSeeds are small op sequences that reach the interesting shapes: index 0
// in the head, growth across 1<<14, very large keys and shrinking back.
var fuzzSeeds = [][]byte{
	{0x00, 0x00, 0x00, 0x05, 0x01, 0x00, 0x02, 0x00, 0x03},
	{0x04, 0x80, 0x04, 0x7f, 0x0c, 0x01, 0x02, 0x03, 0x04, 0x05, 0x03, 0x06, 0x80, 0x02, 0x0e, 0x01, 0x02, 0x03, 0x04, 0x05},
	{0x0c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x0e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03},
}

// FuzzRBTree decodes the input into operations and runs them against a map,
// checking every red-black invariant after each one.
func FuzzRBTree(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := runOps(rbSubject{new(RBTree[uint64])}, decodeOps(data), 1); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzRadix does the same for the radix tree.
func FuzzRadix(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := runOps(radixSubject{new(Radix[uint64])}, decodeOps(data), 1); err != nil {
			t.Fatal(err)
		}
	})
}
