package model

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"unsafe"
)

// What the model holds, at least, per swap slot in use and per page of an
// address space, measured on amd64 (TestScale records the real peak):
//
//	swap slot in use: swap_map and slot-cache byte (2), zswap entry (40),
//	  zswap index node (rbtree 24, xarray about 8), pool object (16 under
//	  RegenerateContent, else at least zsMinAlloc bytes of compressed data)
//	page of an address space: PTE (8) and oracle state (16); a resident
//	  page also holds a folio: its 4 KiB of data and about 100 bytes more.
const (
	bytesPerSlotInUse = 2 + int64(unsafe.Sizeof(zswapEntry{})) + 24 // 24: index.RBTree's node for a uint32 value
	bytesPerPage      = int64(unsafe.Sizeof(PTE(0)) + unsafe.Sizeof(pageState{}))
	bytesPerFolio     = PageSize + 100
)

// MemAvailable returns the memory this machine has available
// (MemAvailable in /proc/meminfo) in bytes, or 0 when it is not known.
func MemAvailable() int64 { return memAvailable() }

// memAvailable returns MemAvailable from /proc/meminfo in bytes, or 0 when
// it cannot be read (not Linux): the capacity checks are then skipped.
// A variable so that tests can pretend to be a small machine.
var memAvailable = func() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) >= 2 && string(f[0]) == "MemAvailable:" {
			kb, err := strconv.ParseInt(string(f[1]), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// checkCapacity refuses, with a one-line error, a size whose footprint is
// certainly more than the machine has available, instead of letting the
// process be killed for running out of memory halfway through.
func checkCapacity(what string, need int64, hint string) error {
	avail := memAvailable()
	if avail == 0 || need <= avail {
		return nil
	}
	return fmt.Errorf("%s needs at least %s, more than the %s this machine has available (MemAvailable); %s",
		what, gib(need), gib(avail), hint)
}

func gib(b int64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }

// slotFootprint is the least the model holds for a device whose every
// slot is in use.
func (c *Config) slotFootprint() int64 {
	obj := int64(zsMinAlloc)
	if c.RegenerateContent {
		obj = zsKeyBytes
	}
	return int64(c.SwapPages) * (bytesPerSlotInUse + obj)
}
