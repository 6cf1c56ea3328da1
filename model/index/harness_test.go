package index

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
)

// subject adapts RBTree and Radix to one interface so that the property
// tests and fuzz targets can drive both against a map.
type subject interface {
	insert(k, v uint64) (old uint64, had bool, cost int)
	lookup(k uint64) (v uint64, ok bool, cost int)
	erase(k uint64) (v uint64, ok bool, cost int)
	size() int
	height() int
	ascend(fn func(k, v uint64) bool)
	check() error
	replaces() bool // Store replaces; Insert keeps the existing value
}

type rbSubject struct{ t *RBTree[uint64] }

func (s rbSubject) insert(k, v uint64) (uint64, bool, int) { return s.t.Insert(k, v) }
func (s rbSubject) lookup(k uint64) (uint64, bool, int)    { return s.t.Search(k) }
func (s rbSubject) erase(k uint64) (uint64, bool, int)     { return s.t.Erase(k) }
func (s rbSubject) size() int                              { return s.t.Len() }
func (s rbSubject) height() int                            { return s.t.Height() }
func (s rbSubject) ascend(fn func(k, v uint64) bool)       { s.t.Ascend(fn) }
func (s rbSubject) replaces() bool                         { return false }

func (s rbSubject) check() error {
	if err := checkRB(s.t); err != nil {
		return err
	}
	// A red-black tree with n nodes is at most 2*log2(n+1) tall.
	if h, limit := s.t.Height(), 2*bits.Len(uint(s.t.Len()+1)); h > limit {
		return fmt.Errorf("height %d exceeds the red-black bound %d for %d nodes", h, limit, s.t.Len())
	}
	return nil
}

type radixSubject struct{ r *Radix[uint64] }

func (s radixSubject) insert(k, v uint64) (uint64, bool, int) { return s.r.Store(k, v) }
func (s radixSubject) lookup(k uint64) (uint64, bool, int)    { return s.r.Load(k) }
func (s radixSubject) erase(k uint64) (uint64, bool, int)     { return s.r.Erase(k) }
func (s radixSubject) size() int                              { return s.r.Len() }
func (s radixSubject) height() int                            { return s.r.Height() }
func (s radixSubject) ascend(fn func(k, v uint64) bool)       { s.r.Ascend(fn) }
func (s radixSubject) check() error                           { return checkRadix(s.r) }
func (s radixSubject) replaces() bool                         { return true }

const (
	opInsert = iota
	opLookup
	opErase
	opAscend
)

type op struct {
	kind uint8
	key  uint64
	val  uint64
}

// apply runs o on s and on the reference map m and reports any difference in
// results or in the modelled cost.
func apply(s subject, m map[uint64]uint64, o op) error {
	switch o.kind {
	case opInsert:
		want, had := m[o.key]
		old, exists, cost := s.insert(o.key, o.val)
		if exists != had || (had && old != want) {
			return fmt.Errorf("insert %#x: got (%d, %v), want (%d, %v)", o.key, old, exists, want, had)
		}
		if !had || s.replaces() {
			m[o.key] = o.val
		}
		if r, ok := s.(radixSubject); ok && cost != r.r.Height() {
			return fmt.Errorf("store %#x walked %d levels at height %d", o.key, cost, r.r.Height())
		}
		if cost > s.height() {
			return fmt.Errorf("insert %#x visited %d nodes, tree height %d", o.key, cost, s.height())
		}
	case opLookup:
		want, had := m[o.key]
		v, ok, cost := s.lookup(o.key)
		if ok != had || v != want {
			return fmt.Errorf("lookup %#x: got (%d, %v), want (%d, %v)", o.key, v, ok, want, had)
		}
		if cost > s.height() || (ok && s.height() > 0 && cost == 0) {
			return fmt.Errorf("lookup %#x visited %d nodes, tree height %d", o.key, cost, s.height())
		}
		if _, isRadix := s.(radixSubject); isRadix && ok && cost != s.height() {
			return fmt.Errorf("load %#x walked %d levels at height %d", o.key, cost, s.height())
		}
	case opErase:
		want, had := m[o.key]
		h := s.height()
		v, ok, cost := s.erase(o.key)
		if ok != had || v != want {
			return fmt.Errorf("erase %#x: got (%d, %v), want (%d, %v)", o.key, v, ok, want, had)
		}
		delete(m, o.key)
		if cost > h {
			return fmt.Errorf("erase %#x visited %d nodes, tree height was %d", o.key, cost, h)
		}
		if _, isRadix := s.(radixSubject); isRadix && ok && cost != h {
			return fmt.Errorf("erase %#x walked %d levels at height %d", o.key, cost, h)
		}
	case opAscend:
		if err := compareAscend(s, m); err != nil {
			return err
		}
	}
	if s.size() != len(m) {
		return fmt.Errorf("after op %d on %#x: Len %d, want %d", o.kind, o.key, s.size(), len(m))
	}
	return nil
}

// compareAscend checks that a full Ascend yields exactly m in key order, and
// that an Ascend stopped early stops.
func compareAscend(s subject, m map[uint64]uint64) error {
	want := sortedKeys(m)
	var got []uint64
	s.ascend(func(k, v uint64) bool {
		got = append(got, k)
		if v != m[k] {
			got = append(got, ^uint64(0)) // force a mismatch below
		}
		return true
	})
	if !slices.Equal(got, want) {
		return fmt.Errorf("ascend: got %d keys %v..., want %d keys %v...", len(got), head(got), len(want), head(want))
	}
	if len(want) > 1 {
		calls := 0
		s.ascend(func(uint64, uint64) bool { calls++; return calls < 2 })
		if calls != 2 {
			return fmt.Errorf("ascend kept going after fn returned false: %d calls", calls)
		}
	}
	return nil
}

func head(keys []uint64) []uint64 { return keys[:min(len(keys), 8)] }

// decodeOps turns fuzz bytes into operations. Each op starts with a byte
// whose low two bits pick the kind and whose next two bits pick how the key
// is encoded: one byte near 0, one byte near 1<<14, five bytes (up to 1<<40)
// or eight bytes. Missing bytes read as zero.
func decodeOps(data []byte) []op {
	var ops []op
	for len(data) > 0 && len(ops) < 4096 {
		b := data[0]
		data = data[1:]
		var n int
		switch (b >> 2) & 3 {
		case 0, 1:
			n = 1
		case 2:
			n = 5
		case 3:
			n = 8
		}
		var buf [8]byte
		copy(buf[:n], data)
		data = data[min(n, len(data)):]
		k := binary.LittleEndian.Uint64(buf[:])
		if (b>>2)&3 == 1 {
			k += 1<<14 - 128
		}
		ops = append(ops, op{kind: b & 3, key: k, val: uint64(len(ops)) + 1})
	}
	return ops
}

// runOps applies ops to s and a fresh map, checking invariants after every
// op when checkEvery is 1, or every checkEvery ops otherwise.
func runOps(s subject, ops []op, checkEvery int) error {
	m := map[uint64]uint64{}
	for i, o := range ops {
		if err := apply(s, m, o); err != nil {
			return fmt.Errorf("op %d: %w", i, err)
		}
		if (i+1)%checkEvery == 0 || i == len(ops)-1 {
			if err := s.check(); err != nil {
				return fmt.Errorf("after op %d (kind %d key %#x): %w", i, o.kind, o.key, err)
			}
		}
	}
	return nil
}
