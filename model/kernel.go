package model

import (
	"fmt"
	"hash/maphash"
	"sync/atomic"

	"github.com/swapbench/swapbench/model/codec"
)

// Kernel is one simulated machine: one swap device, its swap cache, zswap
// (when the backend has it), page tables and the folios in use.
type Kernel struct {
	cfg   Config
	hooks Hooks

	si        swapInfo
	swapCache swapCache
	zs        *zswap
	zram      zram

	folios     []*Folio // indexed by PFN; [0] is unused
	freeFolios []PFN
	liveFolios int
	lruSeq     uint64

	mms  []*MM
	cpus []cpuState

	// jiffies is the tick count; the one-tick sleeps wait for it to move.
	jiffies uint64
	// waiters on the swapcache wait queue (SyncWaitqueue): entries whose
	// swapcache_clear wakes them. The wait is woken by entry, like the
	// kernel's single swapcache_wq waking everyone.
	wqGen uint64

	// Counts has one counter per Op.
	Counts   [NumOps]uint64
	acct     Accounter
	cpu      int   // CPU of the running step
	running  Actor // actor of the running step, for attribution
	failNext [numFailPoints]int
	failHook func(FailPoint) bool

	content    Content
	hashSeed   maphash.Seed
	zeroHash   uint64
	scratch    []byte
	violations []Violation
	nextActor  int
	// epoch names this kernel as the owner of copy-on-write buffers
	// (folio bytes, zsmalloc regions); Clone gives both sides new ones.
	epoch uint64
}

// epochs hands out kernel epochs, unique in the process.
var epochs atomic.Uint64

// cpuState is the per-CPU state: slot free batch, lru_add batch,
// compressor contexts and their scratch buffer.
type cpuState struct {
	slotsRet []SwpEntry
	// lruAdd is cpu_fbatches.lru_add: the folios folio_add_lru queued on
	// this CPU since its last drain, oldest first; each holds a reference.
	lruAdd     [maxPagevecSize]PFN
	nLRUAdd    int
	zswapCodec codec.Codec
	zramCodec  codec.Codec
	buf        []byte
}

// onEachCPU runs fn(cpu) for every CPU, as the running CPU: per-CPU work
// such as a drain, charged to the CPU it runs on.
func (k *Kernel) onEachCPU(fn func(cpu int)) {
	saved := k.cpu
	for cpu := range k.cpus {
		k.cpu = cpu
		fn(cpu)
	}
	k.cpu = saved
}

// ctx returns the running CPU's compressor contexts.
func (k *Kernel) ctx() *cpuState { return &k.cpus[k.cpu] }

// NewKernel builds a simulated machine, or says which input is wrong.
func NewKernel(cfg Config) (*Kernel, error) {
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	hint := "use a smaller device"
	if !c.RegenerateContent {
		hint += " or RegenerateContent"
	}
	if err := checkCapacity(fmt.Sprintf("a swap device of %d pages, when full,", c.SwapPages), c.slotFootprint(), hint); err != nil {
		return nil, err
	}
	k := &Kernel{
		cfg:      c,
		hooks:    c.Hooks,
		acct:     c.Accounter,
		content:  c.Content,
		hashSeed: maphash.MakeSeed(),
		scratch:  make([]byte, PageSize),
		folios:   []*Folio{nil},
		epoch:    epochs.Add(1),
	}
	k.zeroHash = k.hashPage(make([]byte, PageSize))
	k.si = swapInfo{
		swapMap:       make([]uint8, c.SwapPages),
		synchronousIO: true, // zram
		used:          newSlotBitmap(c.SwapPages),
		inSlotCache:   make([]bool, c.SwapPages),
	}
	if c.Kernel.HasZeromap() {
		k.si.zeromap = make([]uint64, (c.SwapPages+63)/64)
	}
	k.swapCache = newSwapCache(c.Kernel, c.SwapPages)
	k.zram = newZram(c.SwapPages)
	k.zram.pool.regenerate = c.RegenerateContent
	// With the zram backend zswap is built in but disabled: zswap_store
	// refuses, and zswap_load still looks its empty index up on every
	// swapin, as v6.8-v6.10 do.
	k.zs = newZswap(k, c.SwapPages)
	k.zs.disabled = c.Backend != BackendZswapZram
	k.zs.pool.regenerate = c.RegenerateContent
	k.cpus = make([]cpuState, c.CPUs)
	for i := range k.cpus {
		cs := &k.cpus[i]
		cs.slotsRet = make([]SwpEntry, 0, c.SlotCacheSize)
		var err error
		if cs.zswapCodec, err = codec.New(c.ZswapCodec); err != nil {
			return nil, fmt.Errorf("zswap compressor: %w", err)
		}
		if cs.zramCodec, err = codec.New(c.ZramCodec); err != nil {
			return nil, fmt.Errorf("zram algorithm: %w", err)
		}
		cs.buf = make([]byte, 0, codec.MaxCompressedLen(PageSize))
	}
	return k, nil
}

// NewMM adds an address space of `pages` pages, every one written once
// with version 1 of its content and resident in its own folio.
func (k *Kernel) NewMM(pages int) (*MM, error) {
	if pages <= 0 || pages > maxPages {
		return nil, fmt.Errorf("address space of %d pages: want 1 to %d", pages, maxPages)
	}
	if err := checkCapacity(fmt.Sprintf("an address space of %d resident pages", pages),
		int64(pages)*(bytesPerPage+bytesPerFolio), "use NewEmptyMM and populate pages as needed"); err != nil {
		return nil, err
	}
	mm := &MM{id: len(k.mms), ptes: make([]PTE, pages), pages: make([]pageState, pages)}
	k.mms = append(k.mms, mm)
	for addr := range pages {
		k.Populate(mm, uint64(addr))
	}
	return mm, nil
}

// NewEmptyMM adds an address space whose PTEs are all none (fork targets,
// or callers that populate pages themselves).
func (k *Kernel) NewEmptyMM(pages int) (*MM, error) {
	if pages <= 0 || pages > maxPages {
		return nil, fmt.Errorf("address space of %d pages: want 1 to %d", pages, maxPages)
	}
	if err := checkCapacity(fmt.Sprintf("an address space of %d pages", pages), int64(pages)*bytesPerPage, "use fewer pages"); err != nil {
		return nil, err
	}
	mm := &MM{id: len(k.mms), ptes: make([]PTE, pages), pages: make([]pageState, pages)}
	for i := range mm.pages {
		mm.pages[i].hash = k.zeroHash
	}
	k.mms = append(k.mms, mm)
	return mm, nil
}

// Populate maps a fresh folio holding the next version of page addr
// (a first-touch write fault on CPU 0, outside any race). The folio joins
// CPU 0's lru_add batch; a Reclaim on CPU 0 drains it first.
func (k *Kernel) Populate(mm *MM, addr uint64) {
	if mm.ptes[addr] != 0 {
		return
	}
	saved := k.cpu
	k.cpu = 0
	f := k.folioAlloc()
	f.set(PGuptodate | PGswapbacked | PGanonExclusive | PGdirty)
	k.writePage(mm, addr, f)
	k.folioAddLRU(f)
	k.mapFolio(mm, addr, f, pteDirty|pteWrite|pteSoftDirty)
	k.cpu = saved
}

// mapFolio points the PTE at f; the caller's folio reference becomes the
// mapping's.
func (k *Kernel) mapFolio(mm *MM, addr uint64, f *Folio, bits PTE) {
	k.count(OpMapPage, 1)
	f.maps = append(f.maps, rmap{mm, addr})
	mm.ptes[addr] = mkPTE(f.pfn, bits)
}

// MM returns address space i.
func (k *Kernel) MM(i int) *MM { return k.mms[i] }

// Jiffies returns the tick count.
func (k *Kernel) Jiffies() uint64 { return k.jiffies }

// Tick advances time by one jiffy: sleepers whose timeout fires wake.
func (k *Kernel) Tick() { k.jiffies++ }

// MappedFolio returns the folio mapped at addr, or nil.
func (k *Kernel) MappedFolio(mm *MM, addr uint64) *Folio {
	p := mm.ptes[addr]
	if !p.present() {
		return nil
	}
	return k.folio(p.pfn())
}

// StorePage makes data (exactly PageSize bytes) the new content of page
// addr, which must be mapped: a user write of chosen bytes.
func (k *Kernel) StorePage(mm *MM, addr uint64, data []byte) error {
	if len(data) != PageSize {
		return fmt.Errorf("page of %d bytes: want exactly %d", len(data), PageSize)
	}
	if addr >= uint64(len(mm.ptes)) {
		return fmt.Errorf("page %d: address space has %d pages", addr, len(mm.ptes))
	}
	f := k.MappedFolio(mm, addr)
	if f == nil {
		return fmt.Errorf("page %d is not mapped", addr)
	}
	if _, same, _ := sameFilled(data); k.cfg.RegenerateContent && !same {
		return fmt.Errorf("page %d: with RegenerateContent only same-filled pages can be stored (others cannot be regenerated)", addr)
	}
	copy(k.pageData(f), data)
	f.src = contentKey{}
	mm.pages[addr].version++
	mm.pages[addr].hash = k.hashPage(f.data)
	f.sum = mm.pages[addr].hash
	k.folioMarkDirty(f)
	return nil
}
