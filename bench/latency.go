package bench

// latencyCap bounds the per-swapin latencies kept between two drains:
// one per swapin of a batch. A `swapbench run` round (2000 swapins at the
// default -benchtime) keeps a uniform sample of 256, so -count 10 gives
// 2560 per configuration, enough for a p99.9 (the third largest), in
// lines of about 2 KB.
const latencyCap = batch

// Latencies is a bounded, uniform sample of per-swapin latencies: the
// modelled kernel time, in ns, from the fault to the mapped page as the
// faulting thread experiences it (package cost), including a failed
// fault's exits and refault, lock waits and sleeps. It is the quantity
// kernel-ns/op averages, swapin by swapin; for a plain swapin the sample
// mean is kernel-ns/op.
//
// The measured simulator time of one swapin is not recorded: it is a
// microsecond or two read through a clock that costs tens of ns per read,
// the reads would sit inside the timed loop and the tail would show the
// host's scheduling and garbage collection, not the kernel.
//
// The sample is kept by reservoir sampling (Vitter's algorithm R) with a
// fixed seed, into storage allocated once: recording never allocates. It
// holds every swapin recorded since the last Drain until latencyCap of
// them, then a uniform sample of latencyCap.
type Latencies struct {
	vals []float64
	seen uint64
	rng  uint64
}

// NewLatencies returns an empty sample.
func NewLatencies() *Latencies {
	return &Latencies{vals: make([]float64, 0, latencyCap), rng: latencySeed}
}

const latencySeed = 0x9e3779b97f4a7c15

// add records one swapin's latency; a nil sample records nothing.
func (l *Latencies) add(ns float64) {
	if l == nil {
		return
	}
	l.seen++
	if len(l.vals) < cap(l.vals) {
		l.vals = append(l.vals, ns)
		return
	}
	// xorshift64*, then keep ns with probability cap/seen.
	l.rng ^= l.rng >> 12
	l.rng ^= l.rng << 25
	l.rng ^= l.rng >> 27
	if j := (l.rng * 0x2545f4914f6cdd1d) % l.seen; j < uint64(cap(l.vals)) {
		l.vals[j] = ns
	}
}

// Drain returns the sample and empties it. The slice is the sample's own
// storage: it is valid until the next swapin is recorded.
func (l *Latencies) Drain() []float64 {
	v := l.vals
	l.vals, l.seen, l.rng = l.vals[:0], 0, latencySeed
	return v
}
