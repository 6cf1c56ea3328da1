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
package model
