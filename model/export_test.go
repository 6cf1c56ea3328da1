package model

// Names the black-box tests (package model_test) need and no package outside
// model uses: compiled only into the tests, so they are not part of the
// public surface (doc.go).

const (
	MaxPages           = maxPages
	SwapSlotsCacheSize = swapSlotsCacheSize
	StepAllocCharge    = stepAllocCharge
	StepChargeRA       = stepChargeRA
	StepSleep          = stepSleep
)

var (
	Backends       = backends
	ParseFailPoint = parseFailPoint
	ParsePTEChange = parsePTEChange
)

func (k *Kernel) Config() Config         { return k.cfg }
func (k *Kernel) SlotsInUse() int        { return k.slotsInUse() }
func (k *Kernel) ZswapEntries() int      { return k.zswapEntries() }
func (k *Kernel) ZswapPoolBytes() int64  { return k.zswapPoolBytes() }
func (k *Kernel) ZramStoredBytes() int64 { return k.zramStoredBytes() }

func (k *Kernel) NewReclaimEntry(name string, cpu int, e SwpEntry) *Reclaim {
	return k.newReclaimEntry(name, cpu, e)
}

// Held reports whether the lock holder locked a folio.
func (h *LockHolder) Held() bool { return h.held }

// SwapCacheFolio is the swap cache's folio for e, or nil.
func (k *Kernel) SwapCacheFolio(e SwpEntry) *Folio { return k.swapCacheLookup(e) }

// Folio is the folio the fault is bringing in.
func (a *Access) Folio() *Folio { return a.folio }

// Folio is the folio the lock holder holds.
func (h *LockHolder) Folio() *Folio { return h.folio }

// LRUBatchLen is how many folios wait in cpu's lru_add batch.
func (k *Kernel) LRUBatchLen(cpu int) int { return k.cpus[cpu].nLRUAdd }

// PagevecSize is the base's PAGEVEC_SIZE.
func PagevecSize(b KernelBase) int { return b.pagevecSize() }
