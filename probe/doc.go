// Package probe measures the Linux swapin and swapout paths that the
// simulator models, on the running kernel: per-page swapin through the
// bypass path (swap count 1 on zram, SWP_SYNCHRONOUS_IO) and the swap cache
// path (swap count 2, held by a forked child), with zram alone or zswap in
// front of it, for each compressor the kernel offers and each data class.
//
// It pages out only its own memory (an anonymous mapping, MADV_PAGEOUT),
// touches only settings it records first and restores (swapon/swapoff of
// /dev/zram0, zram's disksize and comp_algorithm, zswap's enabled and
// compressor, vm.page-cluster), checks /proc/vmstat deltas against the
// path each configuration claims, and fits cost-profile numbers from
// differences between configurations (FitProfile).
package probe
