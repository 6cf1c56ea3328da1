package fixes

import "github.com/swapbench/swapbench/model"

// writebackOnFailure is Yosry Ahmed's idea in the thread: keep exclusive
// loads, and on do_swap_page's failure exits compress a dirty private
// folio (it came from an exclusive load) back into zswap. zswap_store can
// fail (pool limit, allocation, incompressible); it then invalidates the
// stale entry as always, and the page is lost: that is part of the
// variant, not hidden.
// Only the bypass path's private folio is stored back: a swap cache folio
// survives the failure in the swap cache (or left it for a reason).
var writebackOnFailure = Fix{
	Name:            "writeback-on-failure",
	Summary:         "on a failed bypass fault, zswap_store the dirty private folio again",
	Author:          "Yosry Ahmed",
	Source:          "reply in the thread of lore 20240322163939.17846-1-chengming.zhou@linux.dev (no patch)",
	Kernel:          "v6.9-rc1",
	NeedsBypass:     true,
	Syncs:           pinnedSyncs,
	StoresOnFailure: true,
	hooks: func(model.SyncMode) model.Hooks {
		return model.Hooks{
			ExclusiveLoad: alwaysExclusive,
			FaultFailed:   storeBack,
		}
	},
}

// storeBack recompresses a dirty private folio into zswap.
func storeBack(k *model.Kernel, f *model.Folio, _ model.SwpEntry, private bool) {
	if private && f.Test(model.PGdirty) {
		k.ZswapStore(f)
	}
}
