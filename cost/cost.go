// Package cost turns the model's counted operations into modelled kernel
// time: a Profile charges each model.Op base + per*n nanoseconds (n is what
// the model reports with the op: nodes visited, compressed bytes, ...),
// with per-codec compression costs, and says where every number comes
// from.
//
// Profile files are plain text, one statement a line, # for comments:
//
//	profile NAME
//	hz 250
//	op NAME base=NS per=NS source="..."
//	codec NAME compress=NS+NS/B source="..."
//	codec NAME decompress=NS+NS/B source="..."
//
// op names are model.Op names (model.ParseOp); codec costs replace the
// compress/decompress ops for that codec (base + per compressed byte).
package cost

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/swapbench/swapbench/model"
)

// Charge is base + per*n nanoseconds, with its source.
type Charge struct {
	Base, Per float64
	Source    string
}

// ns is the charge for n.
func (c Charge) ns(n int) float64 { return c.Base + c.Per*float64(n) }

// CodecCost is what one codec costs per page.
type CodecCost struct {
	Compress, Decompress Charge
}

// A Profile gives modelled kernel costs.
type Profile struct {
	Name   string
	HZ     int
	Ops    [model.NumOps]Charge
	Codecs map[string]CodecCost
}

// TickNS is one jiffy in nanoseconds.
func (p *Profile) TickNS() float64 { return 1e9 / float64(p.HZ) }

// Names lists the built-in profiles.
func Names() []string { return []string{"x86-2024", "swaptable-2026"} }

// Lookup returns a built-in profile by name, or loads "file:PATH".
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
		return nil, fmt.Errorf("cost profile %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	return Parse(f, path)
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Parse reads a profile in the file format; name labels errors.
func Parse(r io.Reader, name string) (*Profile, error) {
	p := &Profile{Name: name, HZ: 250, Codecs: map[string]CodecCost{}}
	sc := bufio.NewScanner(r)
	line := 0
	seen := false
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		seen = true
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
		}
		kw, rest, _ := strings.Cut(text, " ")
		rest = strings.TrimSpace(rest)
		switch kw {
		case "profile":
			if rest == "" {
				return nil, bad("profile needs a name")
			}
			p.Name = rest
		case "hz":
			hz, err := strconv.Atoi(rest)
			if err != nil || hz < 1 || hz > 10000 {
				return nil, bad("hz %q: want 1 to 10000", rest)
			}
			p.HZ = hz
		case "op":
			opName, args, _ := strings.Cut(rest, " ")
			op, ok := model.ParseOp(opName)
			if !ok {
				return nil, bad("op %q: unknown; want a model op such as swap_cache_add", opName)
			}
			kv, src, err := fields(args)
			if err != nil {
				return nil, bad("%v", err)
			}
			c := Charge{Source: src}
			if c.Base, err = number(kv, "base"); err != nil {
				return nil, bad("op %s: %v", opName, err)
			}
			if c.Per, err = number(kv, "per"); err != nil {
				return nil, bad("op %s: %v", opName, err)
			}
			p.Ops[op] = c
		case "codec":
			codec, args, _ := strings.Cut(rest, " ")
			kv, src, err := fields(args)
			if err != nil {
				return nil, bad("%v", err)
			}
			cc := p.Codecs[codec]
			n := 0
			for _, side := range []struct {
				key string
				c   *Charge
			}{{"compress", &cc.Compress}, {"decompress", &cc.Decompress}} {
				v, ok := kv[side.key]
				if !ok {
					continue
				}
				n++
				base, per, found := strings.Cut(strings.TrimSuffix(v, "/B"), "+")
				b, err1 := strconv.ParseFloat(base, 64)
				q, err2 := strconv.ParseFloat(per, 64)
				if !found || err1 != nil || err2 != nil || b < 0 || q < 0 {
					return nil, bad("codec %s: %s=%q: want NS+NS/B", codec, side.key, v)
				}
				*side.c = Charge{Base: b, Per: q, Source: src}
			}
			if n == 0 {
				return nil, bad("codec %s: want compress=NS+NS/B or decompress=NS+NS/B", codec)
			}
			p.Codecs[codec] = cc
		default:
			return nil, bad("%q: want profile, hz, op or codec", kw)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if !seen {
		return nil, fmt.Errorf("%s: empty; want op and codec lines", name)
	}
	return p, nil
}

// fields splits `k=v k=v source="..."` into values and the source.
func fields(s string) (map[string]string, string, error) {
	kv := map[string]string{}
	src := ""
	if i := strings.Index(s, `source="`); i >= 0 {
		end := strings.LastIndexByte(s, '"')
		if end <= i+len(`source="`)-1 {
			return nil, "", fmt.Errorf("unterminated source string")
		}
		src = s[i+len(`source="`) : end]
		s = s[:i] + s[end+1:]
	}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, "", fmt.Errorf("%q: want key=value", f)
		}
		kv[k] = v
	}
	if src == "" {
		return nil, "", fmt.Errorf(`no source="..." (every number needs one)`)
	}
	return kv, src, nil
}

func number(kv map[string]string, key string) (float64, error) {
	v, ok := kv[key]
	if !ok {
		return 0, fmt.Errorf("no %s=", key)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%s=%q: want a non-negative number of ns", key, v)
	}
	return f, nil
}

// Write writes p in the file format; Parse reads it back.
func (p *Profile) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "profile %s\nhz %d\n", p.Name, p.HZ)
	for _, op := range model.Ops() {
		if c := p.Ops[op]; c.Source != "" { // unset ops stay unset
			fmt.Fprintf(bw, "op %s base=%g per=%g source=\"%s\"\n", op, c.Base, c.Per, c.Source)
		}
	}
	names := make([]string, 0, len(p.Codecs))
	for n := range p.Codecs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := p.Codecs[n]
		if c.Compress.Source != "" {
			fmt.Fprintf(bw, "codec %s compress=%g+%g/B source=\"%s\"\n", n, c.Compress.Base, c.Compress.Per, c.Compress.Source)
		}
		if c.Decompress.Source != "" {
			fmt.Fprintf(bw, "codec %s decompress=%g+%g/B source=\"%s\"\n", n, c.Decompress.Base, c.Decompress.Per, c.Decompress.Source)
		}
	}
	return bw.Flush()
}

// Accounter charges every op the model reports to the CPU that did it.
// It implements model.Accounter without allocating. Off stops charging
// (benchmarks turn it off while they set up).
type Accounter struct {
	p     *Profile
	codec CodecCost
	NS    []float64 // per CPU
	Off   bool
	// CompressedBytes sums the output of every compression charged.
	CompressedBytes int
}

// NewAccounter charges from p, with codec's compression costs.
func NewAccounter(p *Profile, codec string, cpus int) (*Accounter, error) {
	cc, ok := p.Codecs[codec]
	if !ok {
		return nil, fmt.Errorf("cost profile %s has no costs for codec %q", p.Name, codec)
	}
	return &Accounter{p: p, codec: cc, NS: make([]float64, cpus)}, nil
}

// Account implements model.Accounter.
func (a *Accounter) Account(cpu int, op model.Op, n int) {
	if a.Off || cpu >= len(a.NS) {
		return
	}
	var ns float64
	switch op {
	case model.OpCompress:
		ns = a.codec.Compress.ns(n)
		a.CompressedBytes += n
	case model.OpDecompress:
		ns = a.codec.Decompress.ns(n)
	case model.OpSleepTick:
		ns = a.p.TickNS() * float64(n)
	default:
		ns = a.p.Ops[op].ns(n)
	}
	a.NS[cpu] += ns
}

// Reset forgets everything charged and turns charging on.
func (a *Accounter) Reset() {
	clear(a.NS)
	a.CompressedBytes = 0
	a.Off = false
}

// Total is the modelled time charged on all CPUs.
func (a *Accounter) Total() float64 {
	t := 0.0
	for _, v := range a.NS {
		t += v
	}
	return t
}
