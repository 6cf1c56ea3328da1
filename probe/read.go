package probe

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ReadResults reads results back from WriteResults output: the rounds from
// the BenchmarkKernelSwapin/Swapout lines, compressed bytes per page and
// vmstat deltas from the "# vmstat" comments, the load from "#
// conditions", the size's counters from "# mthp" and the fallen-back
// configurations from "# fallback". Results written before the probe
// recorded any of these read back without them. name labels errors.
func ReadResults(data []byte, name string) ([]*Result, error) {
	var out []*Result
	byKey := map[string]*Result{}
	get := func(key string, line int) (*Result, error) {
		if r, ok := byKey[key]; ok {
			return r, nil
		}
		var c Config
		for _, kv := range strings.Split(key, "/") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("%s:%d: %q: want path=P/backend=B/comp=C/data=D", name, line, key)
			}
			switch k {
			case "path":
				c.Path = v
			case "backend":
				c.Backend = v
			case "comp":
				c.Comp = v
			case "data":
				c.Data = v
			case "order":
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 20 {
					return nil, fmt.Errorf("%s:%d: order %q: want a folio order from 1 to 20", name, line, v)
				}
				c.Order = n
			}
		}
		if c.Path == "" || c.Backend == "" || c.Comp == "" || c.Data == "" {
			return nil, fmt.Errorf("%s:%d: %q: want path=P/backend=B/comp=C/data=D", name, line, key)
		}
		r := &Result{Config: c, Vmstat: map[string]int64{}}
		byKey[key] = r
		out = append(out, r)
		return r, nil
	}
	outs := map[string]int{} // swapout lines seen per key
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 4 && (strings.HasPrefix(f[0], "BenchmarkKernelSwapin/") || strings.HasPrefix(f[0], "BenchmarkKernelSwapout/")):
			bench, key, _ := strings.Cut(f[0], "/")
			if i := strings.LastIndexByte(key, '-'); i > strings.LastIndexByte(key, '=') {
				key = key[:i] // the -N GOMAXPROCS suffix
			}
			r, err := get(key, line)
			if err != nil {
				return nil, err
			}
			pages, err1 := strconv.Atoi(f[1])
			vals := map[string]float64{}
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %q: want a number before %s", name, line, f[i], f[i+1])
				}
				vals[f[i+1]] = v
			}
			ns, ok := vals["ns/op"]
			if err1 != nil || !ok {
				return nil, fmt.Errorf("%s:%d: want NAME PAGES NS ns/op", name, line)
			}
			if bench == "BenchmarkKernelSwapin" {
				r.Rounds = append(r.Rounds, Round{Pages: pages, SwapinNS: ns, SwapinP50: vals["p50-ns/op"], SwapinP99: vals["p99-ns/op"],
					Corrupt: int(vals["corrupt-pages"]), TimerNS: vals["timer-ns/op"], ResidentNS: vals["resident-ns/op"],
					MinorFaultNS: vals["minorfault-ns/op"], AnonFaultNS: vals["anonfault-ns/op"]})
			} else {
				i := outs[key]
				outs[key]++
				if i >= len(r.Rounds) {
					return nil, fmt.Errorf("%s:%d: a Swapout line without its Swapin line", name, line)
				}
				r.Rounds[i].SwapoutNS = ns
			}
		case len(f) >= 3 && f[0] == "#" && f[1] == "vmstat" && strings.Contains(f[2], "="):
			r, err := get(f[2], line)
			if err != nil {
				return nil, err
			}
			for _, kv := range f[3:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "pages" {
					continue
				}
				if k == "check" {
					break
				}
				if k == "compr-B/page" {
					r.ComprBytes, _ = strconv.ParseFloat(v, 64)
					continue
				}
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					r.Vmstat[k] = n
				}
			}
			if i := strings.Index(sc.Text(), "check=MISMATCH: "); i >= 0 {
				r.Mismatch = strings.Split(sc.Text()[i+len("check=MISMATCH: "):], "; ")
			}
		case len(f) >= 3 && f[0] == "#" && f[1] == "conditions" && strings.Contains(f[2], "="):
			r, err := get(f[2], line)
			if err != nil {
				return nil, err
			}
			if r.Cond, err = parseCond(f[3:], name, line); err != nil {
				return nil, err
			}
		case len(f) >= 3 && f[0] == "#" && f[1] == "mthp" && strings.Contains(f[2], "="):
			r, err := get(f[2], line)
			if err != nil {
				return nil, err
			}
			r.Mthp = map[string]int64{}
			for _, kv := range f[3:] {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || k == "size" || k == "folios" {
					continue
				}
				if k == "check" {
					break
				}
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %s=%q: want an integer", name, line, k, v)
				}
				if k == "large" {
					r.Large = int(n)
				} else {
					r.Mthp[k] = n
				}
			}
			if i := strings.Index(sc.Text(), "check=FALLBACK: "); i >= 0 {
				r.Fallback = sc.Text()[i+len("check=FALLBACK: "):]
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	for _, r := range out {
		if len(r.Rounds) == 0 && r.Fallback == "" {
			return nil, fmt.Errorf("%s: %s has comment lines but no BenchmarkKernelSwapin lines", name, r.Key())
		}
	}
	if !slices.ContainsFunc(out, func(r *Result) bool { return len(r.Rounds) > 0 }) {
		return nil, fmt.Errorf("%s: no BenchmarkKernelSwapin lines", name)
	}
	return out, nil
}

// parseCond reads the fields of a "# conditions" line.
func parseCond(f []string, name string, line int) (*Cond, error) {
	c := &Cond{CPU: -1}
	for _, kv := range f {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: %q: want KEY=VALUE", name, line, kv)
		}
		var err error
		switch k {
		case "cpu":
			c.CPU, err = strconv.Atoi(v)
		case "load-before", "load-after":
			var xs []float64
			for _, s := range strings.Split(v, ",") {
				x, perr := strconv.ParseFloat(s, 64)
				if perr != nil {
					err = perr
					break
				}
				xs = append(xs, x)
			}
			if k == "load-before" {
				c.LoadBefore = xs
			} else {
				c.LoadAfter = xs
			}
		case "steal-pct":
			c.StealPct, err = strconv.ParseFloat(v, 64)
		case "other-pct":
			c.OtherPct, err = strconv.ParseFloat(v, 64)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s=%q: want a number (comma-separated for the loads)", name, line, k, v)
		}
	}
	return c, nil
}
