package fixes

import "github.com/swapbench/swapbench/model"

// alwaysSwapcache is Chengming Zhou's RFC: after the pin and the charge,
// a bypass fault looks zswap up and, if zswap holds the entry, adds its
// folio to the swap cache and reads through it. The exclusive load then
// frees the entry and the swap cache owns the page, so a failed fault
// leaves the dirty folio in the swap cache for the refault. The pin becomes
// the swap cache's SWAP_HAS_CACHE and the folio stays cached after mapping.
var alwaysSwapcache = Fix{
	Name:        "always-swapcache",
	Summary:     "bypass faults that hit zswap add the folio to the swap cache first",
	Author:      "Chengming Zhou",
	Source:      "lore 20240322163939.17846-1-chengming.zhou@linux.dev (RFC)",
	Kernel:      "v6.9-rc1",
	NeedsBypass: true,
	// The folio joins the swap cache under the pin's SWAP_HAS_CACHE, so
	// the fix needs a pin.
	Syncs: []model.SyncMode{model.SyncTick, model.SyncWaitqueue},
	hooks: func(model.SyncMode) model.Hooks {
		return model.Hooks{
			ExclusiveLoad:        alwaysExclusive,
			BypassAddToSwapCache: (*model.Kernel).ZswapFind,
		}
	},
}
