package model

// Mutation seeds a known bug into the model. It exists only so the race
// explorer can prove it catches each one (a checker that cannot fail is
// worse than none); nothing else sets it.
type Mutation uint8

// The mutations.
const (
	// mutSkipPTESame drops do_swap_page's pte_same check.
	mutSkipPTESame Mutation = 1 << iota
	// mutSkipPin drops the bypass path's swapcache_prepare pin (and so its
	// swapcache_clear), whatever the sync mode says.
	mutSkipPin
	// mutDoubleFreeEntry makes an exclusive zswap_load free its entry twice.
	mutDoubleFreeEntry
	// mutSkipLoadDirty makes an exclusive zswap_load forget to mark the
	// folio dirty.
	mutSkipLoadDirty
)

// Mutations lists every mutation with its name.
func Mutations() map[string]Mutation {
	return map[string]Mutation{
		"skip-pte-same":     mutSkipPTESame,
		"skip-pin":          mutSkipPin,
		"double-free-entry": mutDoubleFreeEntry,
		"skip-load-dirty":   mutSkipLoadDirty,
	}
}

func (k *Kernel) mutated(m Mutation) bool { return k.cfg.Mutations&m != 0 }
