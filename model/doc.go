// Package model simulates the Linux swapin path closely enough to argue about
// it: the swap device's swap_map and clusters, the swap cache, page tables with
// swap PTEs, folios with real 4 KiB contents, zswap (per-kernel index), a
// zram-like SWP_SYNCHRONOUS_IO device, and the actors that use them:
// do_swap_page (bypass and swap cache paths), reclaim, the zswap shrinker,
// MADV_DONTNEED, PTE-bit changes (fork, soft-dirty, uffd-wp, mremap) and
// folio lock holders.
//
// Every actor is written as a sequence of named atomic steps, one per kernel
// critical section or lockless read, named after the kernel function that
// runs it. Ordinary runs call Step in a loop; the race explorer drives the
// very same steps one at a time in any order. There is one implementation of
// the path.
//
// A Kernel is a simulation, not a concurrent program: it is not safe for use
// by several goroutines. Concurrency is modelled by interleaving actors'
// steps. Spinlocks never span steps (a step is the critical section);
// sleeping locks (the folio lock) and waits (the one-tick sleep, the swapcache
// wait queue) do, and make an actor not runnable until they are released.
//
// Lock order, as in the kernel (mm/rmap.c header, mm/swapfile.c):
//
//	folio lock
//	  PTE lock (split, per page-table page)
//	    swap cluster lock (swap_map)
//	      swap cache xa_lock
//	      zswap tree lock (v6.8: per device; v6.9: per 64 MiB)
//	        zsmalloc pool
//	zram slot lock (taken by the device, never with the above held by us
//	  except inside swap_slot_free_notify, which only trylocks)
//
// Departures from the kernel are marked in comments starting "Model:".
//
// # Public surface
//
// The exported names are what the packages above model drive it with, and
// nothing else:
//
//   - the fixes' hooks: Hooks and its fields, SyncMode and KernelBase with
//     their parsers, Folio.Test with the PG flags. Kernel.ZswapStore is a
//     wrapper exported only for fixes (writeback-on-failure stores a folio
//     back from its FaultFailed hook);
//   - the explorer's stepping and cloning: the actors (NewAccess,
//     NewReclaim, NewShrinker, ...) behind Actor, Kernel.Step, Run and
//     RunUntil, Clone and Fingerprint, Violations and CheckQuiescent, FailNext,
//     and Mutations, which names the seeded bugs so their constants need not
//     be exported;
//   - the benchmarks' actors and counters: Config (its fields are the
//     kernel's tunables and stay settable even where no caller sets them
//     yet), the Accounter with Op and Ops, SetFailHook, ZswapIndex (the
//     zswap tree layout the index benchmark measures);
//   - the probe's and the cost model's mapping: Op and its names; a cost
//     profile prices each Op, and the probe fits the price of Ops from what
//     it measures on the running kernel.
//
// Deliberately not exported: the steps an actor passes through (Step values
// are printed by their kernel function name; only the steps a caller stops
// at with RunUntil or tests for are exported, the rest are the model's
// program counter and change when a step is split), the PTE bit accessors,
// the page-table, folio and pool internals, the size constants no caller
// uses, and the counters no caller reads. Black-box tests reach the few of
// these they need through export_test.go.
//
// Some enumerations stay whole although no caller names every value,
// because a caller is handed values of the type and must be able to name
// any it receives or may choose: KernelBase (KernelBases), FaultRet
// (Access.LastRet), Path (Access.LastPath), ReclaimResult (Reclaim.Result),
// ViolationKind (Violations), FailPoint (the SetFailHook argument, and
// docs/verdicts.md names FailZramMissFree), PTEChange (NewPTEChanger) and
// FolioFlag (Folio.Test). Violation keeps every field: it is the record of
// a finding, printed whole by its String method.
package model
