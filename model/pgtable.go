package model

import "fmt"

// SwpEntry is a swap entry of the model's single swap device: its offset.
type SwpEntry uint64

// PTE is a page table entry: none (0), present (a folio) or a swap entry
// with its software bits. pte_same compares the whole value.
type PTE uint64

// PTE bits.
const (
	ptePresent      PTE = 1 << 0
	pteSwap         PTE = 1 << 1
	pteSwpExclusive PTE = 1 << 2 // _PAGE_SWP_EXCLUSIVE
	pteSoftDirty    PTE = 1 << 3 // _PAGE_SOFT_DIRTY / _PAGE_SWP_SOFT_DIRTY
	pteUffdWP       PTE = 1 << 4 // _PAGE_UFFD_WP / _PAGE_SWP_UFFD_WP
	pteDirty        PTE = 1 << 5
	pteWrite        PTE = 1 << 6
	pteShift            = 8
)

func mkSwapPTE(e SwpEntry, bits PTE) PTE { return PTE(e)<<pteShift | pteSwap | bits }
func mkPTE(pfn PFN, bits PTE) PTE        { return PTE(pfn)<<pteShift | ptePresent | bits }

// none reports pte_none.
func (p PTE) none() bool { return p == 0 }

// present reports pte_present.
func (p PTE) present() bool { return p&ptePresent != 0 }

// isSwap reports whether p holds a swap entry.
func (p PTE) isSwap() bool { return p&pteSwap != 0 }

// Entry returns the swap entry of a swap PTE (pte_to_swp_entry).
func (p PTE) Entry() SwpEntry { return SwpEntry(p >> pteShift) }

// pfn returns the folio of a present PTE.
func (p PTE) pfn() PFN { return PFN(p >> pteShift) }

// exclusive reports pte_swp_exclusive.
func (p PTE) exclusive() bool { return p&pteSwpExclusive != 0 }

// softDirty reports the (swap) soft-dirty bit.
func (p PTE) softDirty() bool { return p&pteSoftDirty != 0 }

func (p PTE) String() string {
	switch {
	case p.none():
		return "none"
	case p.present():
		return fmt.Sprintf("pfn %d%s", p.pfn(), p.bitString())
	default:
		return fmt.Sprintf("swp %d%s", p.Entry(), p.bitString())
	}
}

func (p PTE) bitString() string {
	s := ""
	if p&pteSwpExclusive != 0 {
		s += " excl"
	}
	if p&pteSoftDirty != 0 {
		s += " sd"
	}
	if p&pteUffdWP != 0 {
		s += " uffd-wp"
	}
	if p&pteDirty != 0 {
		s += " dirty"
	}
	return s
}

// pte_same is a whole-value compare, as on x86.
func pteSame(a, b PTE) bool { return a == b }

// An MM is one process address space: a flat array of PTEs for its pages,
// with the integrity oracle's expectation for each page.
type MM struct {
	id    int
	ptes  []PTE
	pages []pageState
	// ra is vma->swap_readahead_info: the last swap fault's address,
	// its readahead window and the readahead hits since. The model's
	// MM is one VMA.
	ra swapRA
}

type swapRA struct {
	addr      uint64
	win, hits int
	set       bool // zero: GET_SWAP_RA_VAL's "?: 4", hits 4 and no address
}

// ID returns the address space's index in the kernel.
func (mm *MM) ID() int { return mm.id }

// PTE returns the current value of the PTE for addr (a page index).
func (mm *MM) PTE(addr uint64) PTE { return mm.ptes[addr] }

// pteLock counts the split PTE lock of addr's page table. The critical
// section is the calling step.
func (k *Kernel) pteLock(mm *MM, addr uint64) {
	k.count(OpPTELock, int(addr/PTEsPerTable))
}

// Entry returns the swap entry a fault on addr would use: the entry of its
// swap PTE (ok false if the PTE is not a swap PTE).
func (mm *MM) Entry(addr uint64) (SwpEntry, bool) {
	p := mm.ptes[addr]
	return p.Entry(), p.isSwap()
}
