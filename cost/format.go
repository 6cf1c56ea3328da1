package cost

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/workloads"
)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// Parse reads a profile in the file format (see the package doc); name
// labels errors ("profiles/fit.txt:12: ...") and is the default profile
// name.
func Parse(r io.Reader, name string) (*Profile, error) {
	p := &Profile{Name: name, Codecs: map[string]CodecCost{}}
	var (
		opLine    [model.NumOps]int
		hzLine    int
		codecLine = map[string]int{} // "key compress" -> line
		line      int
		seen      bool
		settled   bool // a statement other than profile was read
	)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
		}
		if rest, ok := strings.CutPrefix(text, "profile"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			if rest = strings.TrimSpace(rest); rest == "" {
				return nil, bad("want: profile NAME")
			}
			seen = true
			p.Name = rest
			continue
		}
		words, kv, src, err := tokens(text)
		if err != nil {
			return nil, bad("%v", err)
		}
		seen = true
		early := !settled
		settled = true
		switch kw := words[0]; kw {
		case "base":
			if len(words) != 2 || len(kv) != 0 || src != nil {
				return nil, bad("want: base BUILTIN")
			}
			if !early {
				return nil, bad("base after other statements; want it first (after profile)")
			}
			b, err := Lookup(words[1])
			if err != nil || strings.HasPrefix(words[1], "file:") {
				return nil, bad("base %q: want one of %s", words[1], strings.Join(Names(), ", "))
			}
			keep := p.Name
			*p = *b
			p.Name = keep
		case "hz":
			if len(words) != 2 || len(kv) != 0 {
				return nil, bad("want: hz N source=\"...\"")
			}
			hz, err := strconv.Atoi(words[1])
			if err != nil || hz < 1 || hz > 10000 {
				return nil, bad("hz %q: want an integer from 1 to 10000", words[1])
			}
			if src == nil {
				return nil, bad(`hz: no source="..." (every number needs one)`)
			}
			if hzLine != 0 {
				return nil, bad("hz given twice (first on line %d)", hzLine)
			}
			hzLine = line
			p.HZ, p.HZSource = hz, *src
		case "op":
			if len(words) != 2 {
				return nil, bad("want: op OP base=NS per=NS source=\"...\"")
			}
			op, ok := model.ParseOp(words[1])
			if !ok {
				return nil, bad("op %q: unknown; want a model op name (swapbench profiles lists them)", words[1])
			}
			c, err := charge(kv, src)
			if err != nil {
				return nil, bad("op %s: %v", words[1], err)
			}
			if opLine[op] != 0 {
				return nil, bad("op %s given twice (first on line %d)", words[1], opLine[op])
			}
			opLine[op] = line
			p.Ops[op] = c
		case "codec":
			if len(words) != 3 || (words[2] != "compress" && words[2] != "decompress") {
				return nil, bad("want: codec CODEC compress|decompress [data=CLASS] base=NS per=NS source=\"...\"")
			}
			codec, dir := words[1], words[2]
			if !nameRE.MatchString(codec) {
				return nil, bad("codec %q: want a name like lz4 or lzo-rle", codec)
			}
			key := codec
			if data, ok := kv["data"]; ok {
				delete(kv, "data")
				if !knownClass(data) {
					return nil, bad("data %q: want a content class (%s) or corpus:FILE", data, strings.Join(workloads.ContentNames(), ", "))
				}
				key = codec + "/" + data
			}
			c, err := charge(kv, src)
			if err != nil {
				return nil, bad("codec %s %s: %v", key, dir, err)
			}
			if l := codecLine[key+" "+dir]; l != 0 {
				return nil, bad("codec %s %s given twice (first on line %d)", key, dir, l)
			}
			codecLine[key+" "+dir] = line
			cc := p.Codecs[key]
			if dir == "compress" {
				cc.Compress = c
			} else {
				cc.Decompress = c
			}
			p.Codecs[key] = cc
		default:
			return nil, bad("%q: want profile, base, hz, op or codec", kw)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", name, line+1, err)
	}
	if !seen {
		return nil, fmt.Errorf("%s: empty; want hz, op and codec lines (or a base line)", name)
	}
	fillLaterOps(p, name)
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return p, nil
}

// fillLaterOps gives a profile written before the v6.12 and later bases'
// ops existed (a probe's fit from an earlier swapbench) x86-2024's charges
// for them, saying so. A file that names any of them (or whose base has
// them) keeps its own, and must name all.
func fillLaterOps(p *Profile, name string) {
	var d Profile
	setLaterOps(&d)
	for op, c := range d.Ops {
		if c.Source != "" && p.Ops[op].Source != "" {
			return
		}
	}
	for op, c := range d.Ops {
		if c.Source != "" {
			c.Source = "assumed: x86-2024's (" + name + " predates this op): " + c.Source
			p.Ops[op] = c
		}
	}
}

// check reports the first thing a complete profile lacks.
func (p *Profile) check() error {
	if p.HZSource == "" {
		return fmt.Errorf("no hz line; want hz N source=\"...\" (or a base line)")
	}
	for _, op := range model.Ops() {
		if p.Ops[op].Source == "" {
			return fmt.Errorf("no line for op %s; want one for every op (or a base line)", op)
		}
	}
	keys := make([]string, 0, len(p.Codecs))
	for k := range p.Codecs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := p.Codecs[k]
		codec, _, override := strings.Cut(k, "/")
		if override {
			if _, ok := p.Codecs[codec]; !ok {
				return fmt.Errorf("codec %s: a data class override without codec %s lines", k, codec)
			}
			continue
		}
		if c.Compress.Source == "" {
			return fmt.Errorf("codec %s: no compress line", k)
		}
		if c.Decompress.Source == "" {
			return fmt.Errorf("codec %s: no decompress line", k)
		}
	}
	if len(p.CodecNames()) == 0 {
		return fmt.Errorf("no codec lines; want compress and decompress lines for at least one codec")
	}
	return nil
}

func knownClass(s string) bool {
	if strings.HasPrefix(s, "corpus:") && len(s) > len("corpus:") {
		return true
	}
	for _, n := range workloads.ContentNames() {
		if n == s {
			return true
		}
	}
	return false
}

// charge reads base= and per= and the source.
func charge(kv map[string]string, src *string) (Charge, error) {
	var c Charge
	for k, v := range kv {
		if k != "base" && k != "per" {
			return c, fmt.Errorf("%s=: unknown key; want base=, per= and source=", k)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return c, fmt.Errorf("%s=%s: want a non-negative number of ns", k, v)
		}
		if k == "base" {
			c.Base = f
		} else {
			c.Per = f
		}
	}
	if _, ok := kv["base"]; !ok {
		return c, fmt.Errorf("no base=NS")
	}
	if src == nil || *src == "" {
		return c, fmt.Errorf(`no source="..." (every number needs one)`)
	}
	c.Source = *src
	return c, nil
}

// tokens splits a statement into its bare words, key=value pairs and the
// Go-quoted source.
func tokens(s string) (words []string, kv map[string]string, src *string, err error) {
	kv = map[string]string{}
	for s = strings.TrimLeft(s, " \t"); s != ""; s = strings.TrimLeft(s, " \t") {
		end := strings.IndexAny(s, " \t=")
		if end < 0 {
			end = len(s)
		}
		if end == len(s) || s[end] != '=' {
			if len(kv) > 0 || src != nil {
				return nil, nil, nil, fmt.Errorf("%q after key=value pairs: want only key=value pairs there", s[:end])
			}
			words = append(words, s[:end])
			s = s[end:]
			continue
		}
		key := s[:end]
		s = s[end+1:]
		if key == "source" {
			q, qerr := strconv.QuotedPrefix(s)
			if qerr != nil {
				return nil, nil, nil, fmt.Errorf(`source=%s: want a double-quoted string`, firstWord(s))
			}
			v, _ := strconv.Unquote(q)
			if src != nil {
				return nil, nil, nil, fmt.Errorf("source given twice")
			}
			src = &v
			s = s[len(q):]
			if s != "" && s[0] != ' ' && s[0] != '\t' {
				return nil, nil, nil, fmt.Errorf("%q after the source: want a space", firstWord(s))
			}
			continue
		}
		v := firstWord(s)
		if key == "" || v == "" {
			return nil, nil, nil, fmt.Errorf("%q: want key=value", key+"="+v)
		}
		if _, dup := kv[key]; dup {
			return nil, nil, nil, fmt.Errorf("%s= given twice", key)
		}
		kv[key] = v
		s = s[len(v):]
	}
	if len(words) == 0 {
		return nil, nil, nil, fmt.Errorf("no statement; want profile, base, hz, op or codec")
	}
	return words, kv, src, nil
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Write writes p in the file format; Parse reads it back unchanged.
func (p *Profile) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# swapbench cost profile: modelled kernel ns per model op\n")
	if name := strings.Join(strings.Fields(p.Name), " "); name != "" {
		fmt.Fprintf(bw, "profile %s\n", name)
	}
	// Only what is set is written (a partial profile stays partial, and
	// Parse says what it lacks).
	if p.HZSource != "" {
		fmt.Fprintf(bw, "hz %d source=%s\n", p.HZ, strconv.Quote(p.HZSource))
	}
	for _, op := range model.Ops() {
		c := p.Ops[op]
		if c.Source == "" {
			continue
		}
		fmt.Fprintf(bw, "op %s base=%s per=%s source=%s\n", op, num(c.Base), num(c.Per), strconv.Quote(c.Source))
	}
	keys := make([]string, 0, len(p.Codecs))
	for k := range p.Codecs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		codec, data, _ := strings.Cut(k, "/")
		if data != "" {
			data = " data=" + data
		}
		c := p.Codecs[k]
		for _, side := range []struct {
			dir string
			c   Charge
		}{{"compress", c.Compress}, {"decompress", c.Decompress}} {
			if side.c.Source == "" {
				continue
			}
			fmt.Fprintf(bw, "codec %s %s%s base=%s per=%s source=%s\n", codec, side.dir, data, num(side.c.Base), num(side.c.Per), strconv.Quote(side.c.Source))
		}
	}
	return bw.Flush()
}
