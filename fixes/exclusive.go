package fixes

import "github.com/swapbench/swapbench/model"

// exclusive is the bug: zswap_load always frees the entry and dirties the
// folio, even when the folio is a bypass path's private folio.
var exclusive = Fix{
	Name:    "exclusive",
	Summary: "unpatched exclusive loads: zswap_load always frees the entry and dirties the folio",
	Author:  "Yosry Ahmed (b9c91c43412f), made mandatory by Johannes Weiner (c2e2ba770200)",
	Source:  "b9c91c43412f (v6.5, optional); c2e2ba770200 (v6.9-rc1, mandatory)",
	Kernel:  "v6.9-rc1",
	Syncs:   pinnedSyncs,
	hooks: func(model.SyncMode) model.Hooks {
		return model.Hooks{ExclusiveLoad: alwaysExclusive}
	},
}
