package fixes

import "github.com/swapbench/swapbench/model"

// nonExclusive is Barry Song's zram-like idea: zswap_load never frees the
// entry; it lives until the swap slot is freed (zswap_invalidate), at the
// cost of a duplicate compressed copy while the page is resident.
var nonExclusive = Fix{
	Name:    "non-exclusive",
	Summary: "zswap_load never frees; the entry lives until the swap slot is freed",
	Author:  "Barry Song",
	Source:  "reply in the thread of lore 20240322163939.17846-1-chengming.zhou@linux.dev",
	Kernel:  "v6.9-rc1",
	Syncs:   pinnedSyncs,
	// Before v6.9 exclusive loads were a config option, off by default
	// (b9c91c43412f, v6.5), so zswap_load never freed: this fix.
	Mainline: Releases{Until: Release{6, 9},
		Why: "exclusive loads were off by default until c2e2ba770200 (v6.9-rc1)"},
	hooks: func(model.SyncMode) model.Hooks {
		return model.Hooks{ExclusiveLoad: neverExclusive}
	},
}
