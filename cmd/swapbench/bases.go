package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/report"
)

// basesData is the page the kernel-bases section prices: a text page
// compressed with lz4, as the answer reads.
const basesData, basesComp = "text", "lz4"

// basesSection is the report's table of one swapin on each kernel base
// as the kernel runs it: the bypass (the merged rule under the base's own
// sync mode) and the swap cache path (never-bypass on the bases that
// have a bypass; on v7.0 the kernel itself), on zram and on zswap+zram,
// then v7.0 against v6.12 per fault: the question swap table phase II
// was argued on. Cells the results lack print "-".
func basesSection(set *report.Set) ([]string, error) {
	sums, err := set.Summaries("", 0)
	if err != nil {
		return nil, err
	}
	ns := map[string]float64{}
	for _, m := range sums {
		if m.Base() == "Swapin" && m.Unit == "kernel-ns/op" && m.Key("data") == basesData && m.Key("comp") == basesComp && m.Key("event") == "" {
			ns[m.Key("fix")+"/"+m.Key("sync")+"/"+m.Key("kernel")+"/"+m.Key("backend")] = m.Center
		}
	}
	merged := fixes.Baseline()
	nb, err := fixes.SwapCachePath()
	if err != nil {
		return nil, err
	}
	type row struct{ bypass, swapcache [2]float64 }
	backends := []model.Backend{model.BackendZram, model.BackendZswapZram}
	rows := map[model.KernelBase]row{}
	found := false
	for _, kb := range model.KernelBases() {
		var r row
		for i, be := range backends {
			r.bypass[i], r.swapcache[i] = math.NaN(), math.NaN()
			if kb.HasBypass() {
				r.bypass[i] = get(ns, merged, merged.DefaultSyncOn(kb), kb, be)
				r.swapcache[i] = get(ns, nb, nb.DefaultSyncOn(kb), kb, be)
			} else {
				r.swapcache[i] = get(ns, merged, merged.DefaultSyncOn(kb), kb, be)
			}
			found = found || !math.IsNaN(r.bypass[i]) || !math.IsNaN(r.swapcache[i])
		}
		rows[kb] = r
	}
	if !found {
		return nil, nil
	}
	lines := []string{
		report.Wrap(fmt.Sprintf("Modelled kernel time of one swapin of a %s page (%s, order 0) as each base runs it: the bypass with the %s rule "+
			"and the base's own sync mode, and the swap cache path (%s where there is a bypass; %s has none and is "+
			"that path itself). Deterministic: one round gives it.", basesData, basesComp, merged.Name, nb.Name, noBypassBases()), ""),
		"",
		fmt.Sprintf("%-6s %-10s %11s %11s %11s %11s", "base", "sync", "zram", "zram", "zswap+zram", "zswap+zram"),
		fmt.Sprintf("%-6s %-10s %11s %11s %11s %11s", "", "", "bypass", "swap cache", "bypass", "swap cache"),
	}
	cell := func(v float64) string {
		if math.IsNaN(v) {
			return "-"
		}
		return report.FormatNS(v)
	}
	for _, kb := range model.KernelBases() {
		r := rows[kb]
		lines = append(lines, fmt.Sprintf("%-6s %-10s %11s %11s %11s %11s", kb, merged.DefaultSyncOn(kb),
			cell(r.bypass[0]), cell(r.swapcache[0]), cell(r.bypass[1]), cell(r.swapcache[1])))
	}
	old, now := rows[model.V6_12], rows[model.V7_0]
	var vs []string
	for i, be := range backends {
		b, c, n := old.bypass[i], old.swapcache[i], now.swapcache[i]
		if math.IsNaN(b) || math.IsNaN(n) {
			continue
		}
		vs = append(vs, fmt.Sprintf("%s %+.1f%% against v6.12's bypass, %+.1f%% against its swap cache path", be, 100*(n-b)/b, 100*(n-c)/c))
	}
	if len(vs) > 0 {
		lines = append(lines, "", report.Wrap("v7.0 per fault (f1879e8a0c60; its cover letter: \"~20% better for some workloads\", "+
			"in Redis requests per second): "+strings.Join(vs, "; ")+". Order-0 faults only: the model has no large folios yet. "+
			"From v6.18 the swap cache columns rest on the profile's swap_table_add (swapbench profiles gives its source); "+
			"a probe of 6.18 measured its swap cache path 86 ns faster than its bypass (docs/validation.md).", ""))
	}
	return lines, nil
}

func get(ns map[string]float64, f *fixes.Fix, s model.SyncMode, kb model.KernelBase, be model.Backend) float64 {
	if v, ok := ns[f.Name+"/"+s.String()+"/"+kb.String()+"/"+be.String()]; ok {
		return v
	}
	return math.NaN()
}

// noBypassBases names the bases without a bypass.
func noBypassBases() string {
	var names []string
	for _, kb := range model.KernelBases() {
		if !kb.HasBypass() {
			names = append(names, kb.String())
		}
	}
	return strings.Join(names, ", ")
}
