// Package index holds the kernel index structures that the swapin path walks:
// the red-black tree that zswap uses as its per-swap-area index in v6.8 and
// v6.9 (include/linux/rbtree.h, lib/rbtree.c), and the 64-ary radix tree
// (xarray, lib/xarray.c, XA_CHUNK_SHIFT = 6) that zswap uses from v6.10 on and
// that the swap cache uses for each 64 MiB of swap.
//
// Both are written by hand on purpose. No maintained Go library reproduces the
// kernel's cost shape: a Go map has no depth at all, and generic balanced-tree
// or trie packages use other fan-outs, other balancing rules and other growth
// and shrink policies. The model charges simulated time per node visited, so
// the number of levels a lookup, store or erase walks has to be the number the
// kernel would walk for the same keys: a red-black tree grows about 2·log2(n)
// deep and its depth depends on insertion order, while an xarray's depth is
// fixed by the largest index it holds (one level per 6 bits) and shrinks again
// when high indices are erased. Every operation therefore reports the number
// of nodes it visited.
//
// Both structures are meant for one simulated kernel instance driven by one
// goroutine; they are not safe for concurrent use. Both recycle their nodes
// through a free list so that a simulation in steady state does not allocate,
// and lookups never allocate.
package index
