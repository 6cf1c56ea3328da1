package model

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// PageSize is the size of a base page and of a swap slot.
const PageSize = 4096

// Geometry of swap, as in the kernel.
const (
	// SwapAddressSpacePages is SWAP_ADDRESS_SPACE_PAGES: one swap cache
	// xarray (and, from v6.9, one zswap tree) per 64 MiB of swap.
	SwapAddressSpacePages = 1 << 14
	// swapClusterPages is SWAPFILE_CLUSTER (HPAGE_PMD_NR on x86-64).
	swapClusterPages = 512
	// swapSlotsCacheSize is SWAP_SLOTS_CACHE_SIZE: free_swap_slot batches
	// frees per CPU and returns them to the device 64 at a time.
	swapSlotsCacheSize = 64
	// PTEsPerTable is PTRS_PER_PTE: one split PTE lock per 512 PTEs.
	PTEsPerTable = 512
	// maxPagevecSize is the largest PAGEVEC_SIZE of any base (pagevecSize).
	maxPagevecSize = 31
	// maxPages bounds a device, so that the model reports an error instead
	// of exhausting memory: 2^26 slots is 256 GiB of simulated swap.
	maxPages = 1 << 26
)

// KernelBase selects the kernel version whose data structures and
// invalidation timing the model reproduces (docs/kernels.md#kernel-bases).
type KernelBase uint8

// The kernel bases.
const (
	V6_8  KernelBase = iota // one zswap rbtree per device, refcounted entries, batched invalidation
	V6_9                    // one zswap rbtree per 64 MiB, zswap_invalidate at free_swap_slot
	V6_10                   // one zswap xarray (radix tree) per 64 MiB, lock-free lookup
	V6_12                   // the swap zeromap, no zswap same-filled pages, folio allocated before the pin, zswap_never_enabled
	V6_18                   // swap table phase I: the swap cache is a table per cluster; no swap slot cache
	V7_0                    // swap table phase II: no bypass, the swap cache synchronises every swapin
	numKernelBases
)

var kernelNames = [numKernelBases]string{"v6.8", "v6.9", "v6.10", "v6.12", "v6.18", "v7.0"}

func (b KernelBase) String() string {
	if b < numKernelBases {
		return kernelNames[b]
	}
	return fmt.Sprintf("kernel(%d)", uint8(b))
}

// pagevecSize is PAGEVEC_SIZE, the folio_batch size of the per-CPU
// lru_add batch: 15 in v6.8, 31 from 9cecde80aae0 "mm: increase folio
// batch size" (v6.9-rc2) (docs/kernels.md#the-lru_add-batch).
func (b KernelBase) pagevecSize() int {
	if b == V6_8 {
		return 15
	}
	return maxPagevecSize
}

// KernelBases lists the supported bases in version order.
func KernelBases() []KernelBase { return []KernelBase{V6_8, V6_9, V6_10, V6_12, V6_18, V7_0} }

// HasBypass reports whether do_swap_page skips the swap cache for a
// SWP_SYNCHRONOUS_IO device on this base: every base before f1879e8a0c60
// "mm, swap: never bypass the swap cache even for SWP_SYNCHRONOUS_IO"
// (docs/kernels.md#v70-swap-table-phase-ii).
func (b KernelBase) HasBypass() bool { return b < V7_0 }

// HasZeromap: 0ca0c24e3211 "mm: store zero pages to be swapped out in a
// bitmap" (v6.12) records a zero page in si->zeromap at swapout and
// fills it at swapin before zswap or the device is asked
// (docs/kernels.md#v612-the-zeromap).
func (b KernelBase) HasZeromap() bool { return b >= V6_12 }

// zswapSameFilled: zswap stores a same-filled page as its word, up to
// v6.11; 20a5532ffa53 removed it with the zeromap.
func (b KernelBase) zswapSameFilled() bool { return b < V6_12 }

// zswapNeverEnabledCheck: zswap_load returns at once when zswap was
// never enabled since boot (zswap_never_enabled, 0300e17d67c3, v6.11;
// v6.12 is the first base that has it).
func (b KernelBase) zswapNeverEnabledCheck() bool { return b >= V6_12 }

// WaitQueue: a bypass fault that loses swapcache_prepare waits on
// swapcache_wq (01626a182302, v6.12): the base's default sync mode.
func (b KernelBase) WaitQueue() bool { return b >= V6_12 }

// allocBeforePin: from v6.12 the bypass allocates and charges its folio
// (alloc_swap_folio) before swapcache_prepare, and a loser frees it at
// out_page (docs/kernels.md#v612-the-zeromap).
func (b KernelBase) allocBeforePin() bool { return b >= V6_12 }

// HasSwapTable: the swap cache is the per-cluster swap table
// (3f036ad8b978, v6.18), not an xarray per 64 MiB.
func (b KernelBase) HasSwapTable() bool { return b >= V6_18 }

// hasSlotCache: the per-CPU swap slot cache (mm/swap_slots.c) batches
// frees until 0ff67f990bd4 "mm, swap: remove swap slot cache" (v6.15).
func (b KernelBase) hasSlotCache() bool { return b < V6_18 }

// ParseKernelBase parses a base name: "v6.8", "v6.9", "v6.10", "v6.12",
// "v6.18" or "v7.0".
func ParseKernelBase(s string) (KernelBase, error) {
	return parseName[KernelBase]("kernel base", s, kernelNames[:])
}

// Backend is what backs swap.
type Backend uint8

// The backends.
const (
	// BackendZram is a zram device with zswap disabled. zswap_load is still
	// called (and still looks its empty index up) on v6.8-v6.10.
	BackendZram Backend = iota
	// BackendZswapZram is zswap in front of a zram device.
	BackendZswapZram
	numBackends
)

var backendNames = [numBackends]string{"zram", "zswap+zram"}

func (b Backend) String() string {
	if b < numBackends {
		return backendNames[b]
	}
	return fmt.Sprintf("backend(%d)", uint8(b))
}

// backends lists the supported backends.
func backends() []Backend { return []Backend{BackendZram, BackendZswapZram} }

// ParseBackend parses "zram" or "zswap+zram".
func ParseBackend(s string) (Backend, error) {
	return parseName[Backend]("backend", s, backendNames[:])
}

// parseName finds s among names (indexed by value) or says what it wanted.
func parseName[T ~uint8](what, s string, names []string) (T, error) {
	for i, n := range names {
		if n == s {
			return T(i), nil
		}
	}
	return 0, unknownName(what, s, names)
}

// unknownName builds the one-line error for a name that is not one of
// valid, listed in version order ("v6.8, v6.9, v6.10", not the byte
// order "v6.10, v6.8, v6.9").
func unknownName(what, got string, valid []string) error {
	v := slices.Clone(valid)
	slices.SortFunc(v, compareVersions)
	return fmt.Errorf("%s %q: unknown; want one of %s", what, got, strings.Join(v, ", "))
}

// compareVersions orders names as text, but runs of digits by their
// value: v6.8 < v6.9 < v6.10.
func compareVersions(a, b string) int {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// Config describes one simulated machine.
type Config struct {
	Kernel  KernelBase
	Backend Backend
	// SwapPages is the size of the swap device in 4 KiB slots.
	SwapPages int
	// CPUs is the number of simulated CPUs (per-CPU slot caches, LRU
	// batches and compressor contexts). Default 2.
	CPUs int
	// ZswapCodec and ZramCodec name the compressors ("lz4", "zstd",
	// "deflate", ...). Defaults "lz4".
	ZswapCodec, ZramCodec string
	// ZswapPoolLimit is the zswap pool limit in bytes (max_pool_percent of
	// RAM in the kernel). 0 means unlimited.
	ZswapPoolLimit int64
	// ZswapAcceptPercent is accept_threshold_percent: after hitting the
	// limit, stores are refused until the pool shrinks below this share of
	// the limit. Default 90.
	ZswapAcceptPercent int
	// SlotCacheSize is how many freed slots a CPU batches before returning
	// them (SWAP_SLOTS_CACHE_SIZE, default 64). 1 frees at once (no slot
	// cache: direct_free).
	SlotCacheSize int // 0: 64 up to v6.12, none (1) from v6.18
	// HZ is the tick rate; one tick of schedule_timeout is 1/HZ s. Default 250.
	HZ int
	// SwapReadahead is the swap cache path's largest readahead window in
	// pages, 1 << vm.page-cluster (capped at SWAP_RA_ORDER_CEILING 5):
	// 1, 2, 4, 8, 16 or 32. Default 8 (page-cluster 3, swap_setup);
	// 1 reads only the faulting page.
	SwapReadahead int
	// Hooks are the fix's behaviour at the points the proposals change.
	Hooks Hooks
	// Content generates page contents; nil uses a built-in pattern.
	Content Content
	// Accounter, if set, is told of every modelled operation.
	Accounter Accounter
	// RegenerateContent keeps no compressed bytes, for runs at scale
	// (2^24 zswap entries in 2 GiB): each object in the zswap and zram
	// pools holds the content key (page, version) its bytes were
	// generated from, and a load regenerates the page with Content
	// instead of decompressing. Compression still runs on every store, so
	// object sizes, pool accounting and counted costs are unchanged.
	// Pages given by StorePage have no key; only same-filled ones are
	// accepted.
	RegenerateContent bool
	// FastOracle makes the integrity oracle compare the checksum carried
	// with the data instead of hashing every mapped page (see checkMapped).
	FastOracle bool
	// Mutations seeds known bugs, for the explorer's self-test only.
	Mutations Mutation
}

// A Content fills dst (PageSize bytes) with the content of page `page` at
// write-version `version`, deterministically and without allocating.
// workloads.Content satisfies it.
type Content interface {
	Fill(dst []byte, page, version uint64)
}

func (c *Config) withDefaults() Config {
	d := *c
	if d.CPUs == 0 {
		d.CPUs = 2
	}
	if d.ZswapCodec == "" {
		d.ZswapCodec = "lz4"
	}
	if d.ZramCodec == "" {
		d.ZramCodec = "lz4"
	}
	if d.ZswapAcceptPercent == 0 {
		d.ZswapAcceptPercent = 90
	}
	if d.SlotCacheSize == 0 {
		d.SlotCacheSize = swapSlotsCacheSize
		if !d.Kernel.hasSlotCache() {
			d.SlotCacheSize = 1
		}
	}
	if d.HZ == 0 {
		d.HZ = 250
	}
	if d.SwapReadahead == 0 {
		d.SwapReadahead = 8
	}
	if d.Content == nil {
		d.Content = patternContent{}
	}
	if !d.Kernel.HasBypass() && d.Hooks.Sync == SyncNone {
		// No bypass, so no bypass pin to leave out: the base's own
		// synchronisation is the only one.
		d.Hooks.Sync = SyncFolioLock
	}
	return d
}

func (c *Config) validate() error {
	switch {
	case c.Kernel >= numKernelBases:
		return fmt.Errorf("kernel base %d: unknown; want one of %s", c.Kernel, strings.Join(kernelNames[:], ", "))
	case !c.Kernel.HasBypass() && c.Hooks.Sync != SyncFolioLock:
		return fmt.Errorf("sync mode %s on kernel %s: %s has no bypass, its swapins synchronise on the swap cache; want folio-lock", c.Hooks.Sync, c.Kernel, c.Kernel)
	case !c.Kernel.hasSlotCache() && c.SlotCacheSize > 1:
		return fmt.Errorf("slot cache size %d on kernel %s: %s has no swap slot cache (0ff67f990bd4, v6.15); want 0 or 1", c.SlotCacheSize, c.Kernel, c.Kernel)
	case c.Backend >= numBackends:
		return fmt.Errorf("backend %d: unknown; want one of zram, zswap+zram", c.Backend)
	case c.SwapPages <= 0 || c.SwapPages > maxPages:
		return fmt.Errorf("swap device size %d pages: want 1 to %d pages", c.SwapPages, maxPages)
	case c.CPUs < 1 || c.CPUs > 256:
		return fmt.Errorf("cpus %d: want 1 to 256", c.CPUs)
	case c.SlotCacheSize < 1 || c.SlotCacheSize > 4096:
		return fmt.Errorf("slot cache size %d: want 1 to 4096", c.SlotCacheSize)
	case c.HZ < 1 || c.HZ > 10000:
		return fmt.Errorf("HZ %d: want 1 to 10000", c.HZ)
	case c.SwapReadahead < 1 || c.SwapReadahead > 32 || c.SwapReadahead&(c.SwapReadahead-1) != 0:
		return fmt.Errorf("swap readahead window %d pages: want 1 << vm.page-cluster, 1 to 32", c.SwapReadahead)
	case c.ZswapPoolLimit < 0:
		return fmt.Errorf("zswap pool limit %d bytes: want >= 0", c.ZswapPoolLimit)
	case c.ZswapAcceptPercent < 1 || c.ZswapAcceptPercent > 100:
		return fmt.Errorf("zswap accept threshold %d%%: want 1 to 100", c.ZswapAcceptPercent)
	}
	return c.Hooks.validate()
}

// patternContent is the built-in content: a 64-byte pattern that depends
// on the page and the version, repeated over the page. It compresses well
// (so zswap takes it), is not same-filled, and no page is all zero, so a
// zero page read back is always detected as lost data.
type patternContent struct{}

func (patternContent) Fill(dst []byte, page, version uint64) {
	var pat [64]byte
	x := page*0x9e3779b97f4a7c15 ^ (version+1)*0xbf58476d1ce4e5b9
	for i := 0; i < len(pat); i += 8 {
		x ^= x >> 31
		x *= 0x94d049bb133111eb
		binary.LittleEndian.PutUint64(pat[i:], x|1)
	}
	for i := 0; i < len(dst); i += len(pat) {
		copy(dst[i:], pat[:])
	}
}
