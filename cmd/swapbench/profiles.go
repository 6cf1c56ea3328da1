package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/swapbench/swapbench/cost"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/report"
)

func init() {
	commands["profiles"] = command{"list cost profiles and their sources", cmdProfiles}
}

// opUnit names what n counts for ops whose cost grows with it (model/ops.go).
var opUnit = map[model.Op]string{
	model.OpSwapCacheLookup:  "level",
	model.OpSwapCacheAdd:     "level",
	model.OpSwapCacheDelete:  "level",
	model.OpZswapIndexLookup: "node",
	model.OpZswapIndexInsert: "node",
	model.OpZswapIndexErase:  "node",
	model.OpSameFilledCheck:  "B scanned",
	model.OpFillPage:         "B",
	model.OpZsMalloc:         "class B",
	model.OpZsFree:           "class B",
	model.OpDeviceRead:       "stored B",
	model.OpDeviceWrite:      "stored B",
	model.OpLRUDrain:         "folio",
	model.OpSlotCacheFlush:   "slot",
	model.OpZswapInvalidate:  "entry freed",
	model.OpSleepTick:        "tick",
	model.OpCopyPage:         "B",
}

func cmdProfiles(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("profiles", stderr)
	name := fs.String("profile", "", "one profile: "+strings.Join(cost.Names(), ", ")+" or file:PATH (default: every built-in)")
	file := fs.Bool("file", false, "print in the profile file format (cost.Load reads it; edit it, or start a fit from it)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	names := cost.Names()
	if *name != "" {
		names = []string{*name}
	}
	for i, n := range names {
		p, err := cost.Lookup(n)
		if err != nil {
			return usageError{err}
		}
		if *file {
			if err := p.Write(stdout); err != nil {
				return err
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		writeProfileText(stdout, p)
	}
	return nil
}

// writeProfileText prints every number of p with its source, in at most
// 72 columns.
func writeProfileText(w io.Writer, p *cost.Profile) {
	fmt.Fprintf(w, "cost profile %s: modelled kernel ns per model op\n", p.Name)
	fmt.Fprintln(w, strings.Repeat("=", min(report.MaxWidth, len("cost profile : modelled kernel ns per model op")+len(p.Name))))
	item := func(what, value, source string) {
		fmt.Fprintf(w, "%-24s %s\n", what, value)
		if source != "" {
			fmt.Fprintln(w, report.Wrap("      "+source, "      "))
		}
	}
	item("hz", fmt.Sprintf("%d (one tick %s ns)", p.HZ, profileNum(p.TickNS())), p.HZSource)
	fmt.Fprintln(w, "\nops (base + per unit of the n the model reports)")
	for _, op := range model.Ops() {
		c := p.Ops[op]
		v := profileNum(c.Base) + " ns"
		if c.Per != 0 {
			unit := opUnit[op]
			if unit == "" {
				unit = "unit"
			}
			v += " + " + profileNum(c.Per) + " ns/" + unit
		}
		if op == model.OpSleepTick {
			v += " + one tick"
		}
		item(op.String(), v, c.Source)
	}
	fmt.Fprintln(w, "\ncodecs (per page; + ns per compressed byte)")
	for _, name := range p.CodecNames() {
		var keys []string
		for k := range p.Codecs {
			if k == name || strings.HasPrefix(k, name+"/") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			c := p.Codecs[k]
			for _, side := range []struct {
				dir string
				c   cost.Charge
			}{{"compress", c.Compress}, {"decompress", c.Decompress}} {
				if side.c.Source == "" {
					continue
				}
				label := strings.Replace(k, "/", " data=", 1) + " " + side.dir
				v := profileNum(side.c.Base) + " ns"
				if side.c.Per != 0 {
					v += " + " + profileNum(side.c.Per) + " ns/B"
				}
				item(label, v, side.c.Source)
			}
		}
	}
}

// profileNum prints a number of ns plainly: 4000000, not 4e+06.
func profileNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
