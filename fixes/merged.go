package fixes

import "github.com/swapbench/swapbench/model"

// merged is what went in: exclusive only when the folio is in the swap
// cache; a bypass fault leaves the entry to be freed with the slot.
var merged = Fix{
	Name:    "merged",
	Summary: "zswap_load is exclusive only for swap cache folios",
	Author:  "Johannes Weiner",
	Source:  "25cd241408a2 (v6.9-rc2), lore 20240324210447.956973-1-hannes@cmpxchg.org",
	Kernel:  "v6.9-rc2",
	Syncs:   pinnedSyncs,
	// What the reports compare every other fix against.
	Baseline: true,
	// From v7.0 every folio is a swap cache folio, so the rule makes
	// every load exclusive: still this fix, on a base without a bypass.
	Mainline: Releases{From: Release{6, 9},
		Why: "25cd241408a2 (v6.9-rc2); from v7.0 (f1879e8a0c60, no bypass) every load is a swap cache folio's"},
	hooks: func(model.SyncMode) model.Hooks {
		return model.Hooks{ExclusiveLoad: exclusiveIfSwapcache}
	},
}
