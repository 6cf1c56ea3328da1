package main

import (
	"fmt"

	"github.com/swapbench/swapbench/plots"
	"github.com/swapbench/swapbench/report"
)

// failureRates are the x axis of the expected-cost figure: failed faults
// per swapin.
var failureRates = []float64{0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2}

// expectedCost draws the expected modelled kernel time per swapin against
// the rate of faults that fail after their read, one line per fix:
// (1-p)*Swapin + p*FailedSwapin, from the medians in the results, for the
// v6.9 base, zswap in front of zram, text pages. A fix that loses the page
// on a failure (lost-pages > 0) is marked in its name: its cost line does
// not count the data it loses.
func expectedCost(set *report.Set) (*plots.Figure, error) {
	sums, err := set.Summaries("/kernel:v6.9 /backend:zswap+zram /data:text", 0)
	if err != nil {
		return nil, err
	}
	ok, fail, lost := map[string]float64{}, map[string]float64{}, map[string]bool{}
	var order []string
	for _, s := range sums {
		fix := s.Key("fix")
		if fix == "" {
			continue
		}
		switch {
		case s.Unit == "kernel-ns/op" && s.Base() == "Swapin":
			if _, seen := ok[fix]; !seen {
				order = append(order, fix)
			}
			ok[fix] = s.Center
		case s.Unit == "kernel-ns/op" && s.Base() == "FailedSwapin":
			fail[fix] = s.Center
		case s.Unit == "lost-pages" && s.Base() == "FailedSwapin" && s.Center > 0:
			lost[fix] = true
		}
	}
	var series []plots.Series
	for _, fix := range order {
		f, has := fail[fix]
		if !has {
			continue
		}
		name := fix
		if lost[fix] {
			name += " (loses data)"
		}
		s := plots.Series{Name: name}
		for _, p := range failureRates {
			s.X = append(s.X, p)
			s.Y = append(s.Y, (1-p)*ok[fix]+p*f)
		}
		series = append(series, s)
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("no Swapin and FailedSwapin results for kernel v6.9, zswap+zram, text pages")
	}
	return plots.ExpectedCost(series)
}
