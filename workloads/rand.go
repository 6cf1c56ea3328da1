package workloads

import "math/bits"

// rng is a wyrand generator: one 64-bit add and one 64x64->128 multiply per
// output. It is used for all page contents, patterns and dice, so every
// output is a pure function of the seed on every platform.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// below returns a value in [0, n) from the high bits of a 64x64 product
// (Lemire's reduction; the bias is at most n/2^64).
func (r *rng) below(n uint64) uint64 {
	hi, _ := bits.Mul64(r.next(), n)
	return hi
}

// mix is the splitmix64 finalizer, a bijection on uint64.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

const golden = 0x9e3779b97f4a7c15

// pageKey derives the generator state of one (seed, salt, page, version).
// Each step is a bijection of its input, so for a fixed seed and salt two
// different (page, version) pairs collide only by chance (about 2^-64).
func pageKey(seed, salt, page, version uint64) uint64 {
	h := mix(seed ^ salt + golden)
	h = mix(h ^ page + golden)
	return mix(h ^ version + golden)
}

// Dice is a deterministic Bernoulli source for injecting events. Every Roll
// consumes exactly one draw whatever p is, so two runs with the same seed
// and different probabilities stay coupled: raising p only adds events.
// A Dice is not safe for concurrent use.
type Dice struct{ r rng }

// NewDice returns a Dice whose rolls are a pure function of seed.
func NewDice(seed uint64) *Dice { return &Dice{rng{mix(seed + golden)}} }

// Roll reports true with probability p: never for p <= 0 (or NaN), always for
// p >= 1.
func (d *Dice) Roll(p float64) bool {
	u := float64(d.r.next()>>11) * 0x1p-53 // uniform in [0, 1)
	return u < p
}
