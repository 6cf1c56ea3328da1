// Package cost turns the model's counted operations into modelled kernel
// time. A Profile charges each model.Op base + per*n nanoseconds, where n
// is the value the model reports with the op (levels walked, compressed
// bytes, ...; see model/ops.go), gives each codec a compression and a
// decompression cost (optionally per data class), and sets the tick
// length (HZ). Every number carries a source: a published measurement
// (docs/kernels.md#published-costs), a derivation from one
// ("derived: ..."), or an assumption with its reasoning ("assumed: ...").
//
// An Accounter (a model.Accounter) sums the charges per simulated CPU. A
// Sched runs several actors in modelled-time order and lets the
// Accounter model lock contention and sleeps (see Sched).
//
// # Profile files
//
// A profile file is plain text, one statement a line; blank lines and
// lines starting with # are ignored:
//
//	profile NAME                  the profile's name (default: the file name)
//	base BUILTIN                  start from a built-in profile (first, after profile)
//	hz N source="..."             tick rate: a jiffy is 1e9/N ns; schedule_timeout(1) sleeps 1-2 of them
//	op OP base=NS per=NS source="..."
//	codec CODEC compress|decompress [data=CLASS] base=NS per=NS source="..."
//
// For example:
//
//	op swap_cache_add base=878.5 per=0 source="derived: ..."
//	codec lz4 decompress base=820 per=0 source="derived: lz4 README ..."
//	codec lz4 compress data=random base=1500 source="assumed: ..."
//
// OP is a model.Op name (model.ParseOp: swap_cache_add, zswap_tree_lock,
// ...); an op costs base + per*n ns. A codec line costs one page's
// compression or decompression as base + per*(compressed bytes); with
// data=CLASS (a workloads content class) it overrides the codec's cost for
// that class only. per may be left out (0); sources are Go-quoted strings
// and are required. Without a base line every op, hz and both directions
// of every codec must be given; with one, later lines override it. A
// statement may appear once (a base line's values excepted). Write
// produces this format and Parse reads it back unchanged.
//
// Lookup names a profile: a built-in (Names) or "file:PATH".
package cost

import (
	"fmt"
	"maps"
	"os"
	"sort"
	"strings"

	"github.com/swapbench/swapbench/model"
)

// Charge is base + per*n nanoseconds, with where the numbers come from.
type Charge struct {
	Base, Per float64
	Source    string
}

// NS is the charge for n.
func (c Charge) NS(n int) float64 { return c.Base + c.Per*float64(n) }

// CodecCost is what compressing and decompressing one page costs; n is
// the compressed size in bytes.
type CodecCost struct {
	Compress, Decompress Charge
}

// A Profile gives modelled kernel costs.
type Profile struct {
	Name     string
	HZ       int
	HZSource string
	// Ops are the charges per model.Op. The compress and decompress ops
	// are charged from Codecs instead; schedule_timeout adds the sleep
	// itself, 1 to 2 jiffies of 1e9/HZ ns (Accounter), to its charge.
	Ops [model.NumOps]Charge
	// Codecs maps a codec name ("lz4") to its costs, and "codec/class"
	// ("lz4/random") to a data class's overrides, whose zero sides fall
	// back to the codec's.
	Codecs map[string]CodecCost
}

// TickNS is one jiffy in nanoseconds.
func (p *Profile) TickNS() float64 { return 1e9 / float64(p.HZ) }

// Codec returns the costs of codec for pages of data class data ("" for
// any), and whether the profile has the codec.
func (p *Profile) Codec(codec, data string) (CodecCost, bool) {
	c, ok := p.Codecs[codec]
	if !ok {
		return CodecCost{}, false
	}
	if o, ok := p.Codecs[codec+"/"+data]; ok && data != "" {
		if o.Compress.Source != "" {
			c.Compress = o.Compress
		}
		if o.Decompress.Source != "" {
			c.Decompress = o.Decompress
		}
	}
	return c, true
}

// CodecNames returns the codecs the profile prices, sorted.
func (p *Profile) CodecNames() []string {
	var names []string
	for k := range p.Codecs {
		if !strings.Contains(k, "/") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

// Clone returns a deep copy that can be changed without touching p (a
// probe starts from a built-in and replaces what it fits).
func (p *Profile) Clone() *Profile {
	q := *p
	q.Codecs = maps.Clone(p.Codecs)
	return &q
}

// Names lists the built-in profiles.
func Names() []string { return []string{"x86-2024", "swaptable-2026"} }

// Lookup returns a built-in profile by name (a fresh copy), or loads
// "file:PATH".
func Lookup(name string) (*Profile, error) {
	if path, ok := strings.CutPrefix(name, "file:"); ok {
		return Load(path)
	}
	switch name {
	case "x86-2024":
		return x86_2024(), nil
	case "swaptable-2026":
		return swaptable2026(), nil
	}
	return nil, fmt.Errorf("cost profile %q: unknown; want one of %s or file:PATH", name, strings.Join(Names(), ", "))
}

// Load reads a profile file.
func Load(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		if pe, ok := err.(*os.PathError); ok {
			err = pe.Err
		}
		return nil, fmt.Errorf("cost profile %s: %v", path, err)
	}
	defer f.Close()
	return Parse(f, path)
}
