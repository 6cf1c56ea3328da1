package fixes

import "github.com/swapbench/swapbench/model"

// writebackOrDevice is writeback-on-failure with the fallback a reviewer
// asks for at once: when the store back into zswap fails (pool limit,
// allocation, incompressible), write the folio to the swap device at its
// entry, as swapout does (__swap_writepage). The pin still holds the
// entry, so the slot cannot be reused before the write. Nobody posted it;
// it is here to price the fallback and let the explorer judge it.
var writebackOrDevice = Fix{
	Name:            "writeback-or-device",
	Summary:         "as writeback-on-failure; if zswap_store fails, write the folio to the device",
	Author:          "(a reviewer's question to Yosry Ahmed's idea)",
	Source:          "no patch; swap_writepage's zswap_store-then-__swap_writepage order, mm/page_io.c",
	Kernel:          "v6.9-rc1",
	NeedsBypass:     true,
	Syncs:           pinnedSyncs,
	StoresOnFailure: true,
	hooks: func(model.SyncMode) model.Hooks {
		return model.Hooks{
			ExclusiveLoad: alwaysExclusive,
			FaultFailed:   storeBackOrWrite,
		}
	},
}

// storeBackOrWrite recompresses a dirty private folio into zswap, or
// writes it to the device if zswap refuses it.
func storeBackOrWrite(k *model.Kernel, f *model.Folio, e model.SwpEntry, private bool) {
	if private && f.Test(model.PGdirty) && !k.ZswapStore(f) {
		k.SwapWritepage(f, e)
	}
}
