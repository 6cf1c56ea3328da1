package model

// Mutation seeds a known bug into the model. It exists only so the race
// explorer can prove it catches each one (a checker that cannot fail is
// worse than none); nothing else sets it.
type Mutation uint8

// The mutations.
const (
	// MutSkipPTESame drops do_swap_page's pte_same check.
	MutSkipPTESame Mutation = 1 << iota
	// MutSkipPin drops the bypass path's swapcache_prepare pin (and so its
	// swapcache_clear), whatever the sync mode says.
	MutSkipPin
	// MutDoubleFreeEntry makes an exclusive zswap_load free its entry twice.
	MutDoubleFreeEntry
	// MutSkipLoadDirty makes an exclusive zswap_load forget to mark the
	// folio dirty.
	MutSkipLoadDirty
)

// Mutations lists every mutation with its name.
func Mutations() map[string]Mutation {
	return map[string]Mutation{
		"skip-pte-same":     MutSkipPTESame,
		"skip-pin":          MutSkipPin,
		"double-free-entry": MutDoubleFreeEntry,
		"skip-load-dirty":   MutSkipLoadDirty,
	}
}

func (k *Kernel) mutated(m Mutation) bool { return k.cfg.Mutations&m != 0 }
