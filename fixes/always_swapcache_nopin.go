package fixes

import "github.com/swapbench/swapbench/model"

// alwaysSwapcacheNopin is always-swapcache without the pin: the race
// Yosry Ahmed's objection names ("A concurrent faulting thread could have
// already checked the swapcache before we add the folio to it ... that
// thread will go ahead and call swap_read_folio() anyway"). The RFC as
// posted cannot run without 13ddaf26be32: it hands the pin's
// SWAP_HAS_CACHE to the swap cache (need_clear_cache), add_to_swap_cache
// does not set it, and its commit message says the zswap check is only
// stable after the pin. This is the hypothetical port to an unpinned
// base: SWAP_HAS_CACHE is taken only at the add (model/memory.go,
// StepBypassAddToSwapCache), and a fault that loses it reads privately.
// It is a control, not a proposal.
var alwaysSwapcacheNopin = Fix{
	Name:        "always-swapcache-nopin",
	Summary:     "hypothetical: always-swapcache before the pin, SWAP_HAS_CACHE taken at the add (Yosry's race)",
	Author:      "Chengming Zhou's RFC, ported back by swapbench",
	Source:      "objection: lore CAJD7tkYuYEsKFvjKKRxOx3fCekA03jPpOpmV7T20q=9K=Jb2bA@mail.gmail.com",
	Kernel:      "v6.8-rc5 (before 13ddaf26be32)",
	NeedsBypass: true,
	Syncs:       []model.SyncMode{model.SyncNone},
	Control:     true,
	hooks: func(model.SyncMode) model.Hooks {
		return model.Hooks{
			ExclusiveLoad:        alwaysExclusive,
			BypassAddToSwapCache: (*model.Kernel).ZswapFind,
		}
	},
}
