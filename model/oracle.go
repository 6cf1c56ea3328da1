package model

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
)

// pageState is the integrity oracle's record for one user page: the
// version last written and the hash of its bytes. A zapped page expects
// zeros (hash of a zero page).
type pageState struct {
	version uint64
	hash    uint64
}

// ViolationKind classifies what the oracle or an invariant caught.
type ViolationKind uint8

// The violation kinds.
const (
	// LostData: a fault mapped bytes other than the page's last written
	// content.
	LostData ViolationKind = iota
	// UseAfterFree: a folio or zswap entry was used after being freed.
	UseAfterFree
	// DoubleFree: a swap count, folio or zswap entry was freed twice.
	DoubleFree
	// Bug: a kernel VM_BUG_ON-style consistency check failed.
	Bug
	// Leak: at a quiescent point, a slot, entry or folio is held by nobody.
	Leak
)

var violationNames = [...]string{"lost-data", "use-after-free", "double-free", "bug", "leak"}

func (v ViolationKind) String() string {
	if int(v) < len(violationNames) {
		return violationNames[v]
	}
	return "violation?"
}

// A Violation is one thing the oracle or an invariant check caught.
type Violation struct {
	Kind   ViolationKind
	MM     int
	Addr   uint64
	Entry  SwpEntry
	Path   Path
	Step   Step
	Actor  string
	Detail string
}

func (v Violation) String() string {
	s := fmt.Sprintf("%s: entry %d", v.Kind, v.Entry)
	if v.Kind == LostData {
		s = fmt.Sprintf("%s: mm %d page %d entry %d via %s", v.Kind, v.MM, v.Addr, v.Entry, v.Path)
	}
	if v.Actor != "" {
		s += fmt.Sprintf(" at %s in %s", v.Step, v.Actor)
	}
	if v.Detail != "" {
		s += ": " + v.Detail
	}
	return s
}

// violate records v, attributing it to the running actor and step.
func (k *Kernel) violate(v Violation) {
	if a := k.running; a != nil {
		v.Actor = a.Name()
		v.Step = a.Next()
	}
	k.violations = append(k.violations, v)
}

func (k *Kernel) bug(e SwpEntry, detail string) {
	k.violate(Violation{Kind: Bug, Entry: e, Detail: detail})
}

// Violations returns what has been caught so far.
func (k *Kernel) Violations() []Violation { return k.violations }

// LostPages counts LostData violations.
func (k *Kernel) LostPages() int {
	n := 0
	for _, v := range k.violations {
		if v.Kind == LostData {
			n++
		}
	}
	return n
}

// ResetViolations forgets recorded violations (benchmarks call it between
// rounds after counting them).
func (k *Kernel) ResetViolations() { k.violations = k.violations[:0] }

func (k *Kernel) hashPage(b []byte) uint64 { return maphash.Bytes(k.hashSeed, b) }

// writePage is a user write of a new version of page addr into f.
func (k *Kernel) writePage(mm *MM, addr uint64, f *Folio) {
	ps := &mm.pages[addr]
	ps.version++
	f.src = contentKey{uint64(mm.id)<<40 | addr, ps.version}
	k.content.Fill(k.pageData(f), f.src.page, f.src.version)
	ps.hash = k.hashPage(f.data)
	f.sum = ps.hash
	k.count(OpCopyPage, PageSize)
}

// expectZero records that page addr now reads as zeros (zapped, or a fresh
// anonymous page).
func (k *Kernel) expectZero(mm *MM, addr uint64) {
	mm.pages[addr].version++
	mm.pages[addr].hash = k.zeroHash
}

// checkMapped is the oracle: the bytes about to be mapped must be the
// page's last written content.
//
// By default it hashes the bytes, and also checks that the hash the bytes
// carried with them agrees (which keeps the carried sums honest). With
// Config.FastOracle it compares the carried sum alone: O(1), for
// benchmarks, where hashing 4 KiB per swapin would dwarf the simulator.
func (k *Kernel) checkMapped(mm *MM, addr uint64, f *Folio, e SwpEntry, path Path) bool {
	got := f.sum
	if !k.cfg.FastOracle {
		got = k.hashPage(f.data)
		if got != f.sum {
			k.bug(e, fmt.Sprintf("mm %d page %d: bytes and carried checksum disagree", mm.id, addr))
		}
	}
	if got == mm.pages[addr].hash {
		return true
	}
	k.violate(Violation{Kind: LostData, MM: mm.id, Addr: addr, Entry: e, Path: path,
		Detail: k.describeLoss(mm, addr, f)})
	return false
}

func (k *Kernel) describeLoss(mm *MM, addr uint64, f *Folio) string {
	if _, same, _ := sameFilled(f.data); same && binary.LittleEndian.Uint64(f.data) == 0 {
		return fmt.Sprintf("mapped a zero page, want version %d", mm.pages[addr].version)
	}
	ps := mm.pages[addr]
	for v := ps.version; v > 0 && v+8 > ps.version; v-- {
		k.content.Fill(k.scratch, uint64(mm.id)<<40|addr, v-1)
		if k.hashPage(k.scratch) == k.hashPage(f.data) {
			return fmt.Sprintf("mapped stale version %d, want version %d", v-1, ps.version)
		}
	}
	return fmt.Sprintf("mapped unknown bytes, want version %d", ps.version)
}

// FailPoint is an injectable failure.
type FailPoint uint8

// The fail points.
const (
	FailCharge       FailPoint = iota // mem_cgroup_swapin_charge_folio returns -ENOMEM
	FailZswapStore                    // zswap_store fails (entry allocation, as if over the limit)
	FailZsMalloc                      // zpool_malloc fails in zswap_store
	FailZramMissFree                  // zram_slot_free_notify's trylock misses
	numFailPoints
)

var failNames = [numFailPoints]string{"charge", "zswap-store", "zs-malloc", "zram-miss-free"}

func (f FailPoint) String() string {
	if f < numFailPoints {
		return failNames[f]
	}
	return "fail?"
}

// parseFailPoint parses a fail point name.
func parseFailPoint(s string) (FailPoint, error) {
	return parseName[FailPoint]("fail point", s, failNames[:])
}

// FailNext makes the next n hits of fp fail.
func (k *Kernel) FailNext(fp FailPoint, n int) { k.failNext[fp] += n }

// SetFailHook installs a function asked at every fail point hit after the
// FailNext counts are used up (benchmarks roll dice here). Nil removes it.
func (k *Kernel) SetFailHook(h func(FailPoint) bool) { k.failHook = h }

func (k *Kernel) fail(fp FailPoint) bool {
	if k.failNext[fp] > 0 {
		k.failNext[fp]--
		return true
	}
	return k.failHook != nil && k.failHook(fp)
}
