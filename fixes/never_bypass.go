package fixes

import "github.com/swapbench/swapbench/model"

// neverBypass is the 2026 swap table as a fix on the older bases (the
// model's structures of v6.8-v6.18); on v7.0 it is the kernel itself, and
// refused as a fix (AppliesTo). Every swapin goes through the swap cache; the first fault to insert its folio reads, the others find it and
// wait on its folio lock. No SWAP_HAS_CACHE pin, no one-tick sleep, and
// zswap loads are exclusive because every folio is a swap cache folio.
var neverBypass = Fix{
	Name:     "never-bypass",
	Summary:  "no bypass: every swapin inserts into the swap cache; losers wait on the folio lock",
	Author:   "Kairui Song",
	Source:   "f1879e8a0c60, 2732acda82c9 (swap table phase II)",
	Kernel:   "2026 (swap table)",
	Syncs:    []model.SyncMode{model.SyncFolioLock},
	NoBypass: true,
	hooks: func(model.SyncMode) model.Hooks {
		return model.Hooks{
			SkipSwapCache: func(*model.Kernel, model.SwpEntry, int) bool { return false },
			ExclusiveLoad: exclusiveIfSwapcache,
		}
	},
}
