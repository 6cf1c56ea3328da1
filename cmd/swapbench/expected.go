package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/swapbench/swapbench/bench"
	"github.com/swapbench/swapbench/plots"
	"github.com/swapbench/swapbench/report"
)

// failureRates are the x axis of the expected-cost figures: events per
// swapin.
var failureRates = []float64{0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2}

// expectedFilter selects the results the expected-cost figures are drawn
// from: one base, backend, codec and data class, so that every variant's
// paths are comparable.
const expectedFilter = "/kernel:v6.9 /backend:zswap+zram /comp:lz4 /data:text"

// expectedWhere is expectedFilter as the figures' titles say it: the
// configuration as key=value, backend and codec by value (short enough
// for a title).
var expectedWhere = strings.NewReplacer("/kernel:", "kernel=", "/data:", "data=", "/backend:", "", "/comp:", "").Replace(expectedFilter)

// variantKeys splits a PathCosts variant, "fix=F/sync=S", into F and S.
func variantKeys(v string) (fix, sync string) {
	f, s, _ := strings.Cut(v, "/")
	return strings.TrimPrefix(f, "fix="), strings.TrimPrefix(s, "sync=")
}

// expectedEvents are the figures: one event's rate on the x axis, the
// others at zero.
var expectedEvents = []struct {
	name, what string
	set        func(*bench.Rates, float64)
}{
	{"retry", "VM_FAULT_RETRY after the read, per swapin", func(r *bench.Rates, x float64) { r.Retry = x }},
	{"pte-change", "pte_same failures after the read, per swapin", func(r *bench.Rates, x float64) { r.PTEChange = x }},
	{"concurrent", "concurrent faults on the entry, per swapin", func(r *bench.Rates, x float64) { r.Concurrent = x }},
}

// expectedCost draws the expected modelled kernel time per swapin
// (bench.ExpectedCost) against the rate of each event, one line per fix
// and sync mode, from the medians in the results (pathCosts). A variant
// that loses pages on an event (lost-pages > 0) is marked in its name: its
// cost line does not count the data it loses.
func expectedCost(set *report.Set) ([]*plots.Figure, error) {
	costs, lossy, err := pathCosts(set)
	if err != nil {
		return nil, err
	}
	var figs []*plots.Figure
	for _, ev := range expectedEvents {
		var series []plots.Series
		for _, c := range costs {
			if ev.name == "concurrent" && c.Concurrent == 0 {
				continue // no ParallelSwapin on shared pages for it
			}
			fix, sync := variantKeys(c.Variant)
			name := fix + "/" + sync
			isBase, control := plots.Role(fix, sync, "v6.9") // expectedFilter's kernel
			switch {
			case isBase:
				name += " (baseline)"
			case control:
				name += " (control)"
			}
			if lossy[c.Variant] {
				name += " (loses data)"
			}
			s := plots.Series{Name: name, X: failureRates, Y: bench.Sweep(c, bench.Rates{}, ev.set, failureRates)}
			if isBase {
				// The baseline first: the curve the others are read against.
				series = append([]plots.Series{s}, series...)
				continue
			}
			series = append(series, s)
		}
		if len(series) == 0 {
			continue
		}
		f, err := plots.ExpectedCost(ev.name, ev.what, " ("+expectedWhere+")", series)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// pathCosts reads each variant's bench.PathCosts from the medians of the
// results that pass expectedFilter: kernel-ns/op of Swapin (OK) and of
// FailedSwapin per event, and raced-page-kernel-ns of ParallelSwapin with
// two CPUs scanning shared pages in the same order (Concurrent). Variants
// without both a Swapin and a FailedSwapin are left out; lossy names
// those with lost pages on some path.
// errNoPathCosts: the results have no variant with both a Swapin and a
// FailedSwapin, so there is no expected-cost figure to draw.
var errNoPathCosts = errors.New("no Swapin and FailedSwapin results")

func pathCosts(set *report.Set) (costs []bench.PathCosts, lossy map[string]bool, err error) {
	sums, err := set.Summaries(expectedFilter, 0)
	if err != nil {
		return nil, nil, err
	}
	byVariant := map[string]*bench.PathCosts{}
	var order []string
	failed := map[string]bool{}
	lossy = map[string]bool{}
	for _, s := range sums {
		if s.Key("fix") == "" {
			continue
		}
		v := "fix=" + s.Key("fix") + "/sync=" + s.Key("sync")
		c := byVariant[v]
		if c == nil {
			c = &bench.PathCosts{Variant: v}
			byVariant[v] = c
			order = append(order, v)
		}
		if s.Unit == "lost-pages" && s.Center > 0 {
			lossy[v] = true
		}
		switch {
		case s.Base() == "Swapin" && s.Unit == "kernel-ns/op":
			c.OK = s.Center
		case s.Base() == "FailedSwapin" && s.Unit == "kernel-ns/op":
			failed[v] = true
			switch s.Key("event") {
			case "retry":
				c.Retry = s.Center
			case "pte-change":
				c.PTEChange = s.Center
			case "store-fail":
				c.StoreFail = s.Center
			}
		case s.Base() == "ParallelSwapin" && s.Unit == "raced-page-kernel-ns" &&
			s.Key("cpus") == "2" && s.Key("pages") == "shared" && s.Key("pattern") == "sequential":
			c.Concurrent = s.Center
		}
	}
	for _, v := range order {
		c := byVariant[v]
		if c.OK == 0 || !failed[v] {
			continue
		}
		if c.StoreFail == 0 {
			c.StoreFail = c.PTEChange // no store to fail (bench.PathCosts)
		}
		costs = append(costs, *c)
	}
	if len(costs) == 0 {
		return nil, nil, fmt.Errorf("%w for %s", errNoPathCosts, expectedFilter)
	}
	return costs, lossy, nil
}
