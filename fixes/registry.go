package fixes

// registry lists the fixes in the order reports show them. One line a fix.
var registry = []*Fix{
	&exclusive,
	&alwaysSwapcache,
	&alwaysSwapcacheNopin,
	&writebackOnFailure,
	&writebackOrDevice,
	&nonExclusive,
	&merged,
	&neverBypass,
}
