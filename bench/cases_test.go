package bench

import (
	"regexp"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/runner"
)

func find(t *testing.T, cs []runner.Case, sub string) runner.Case {
	t.Helper()
	for _, c := range cs {
		if strings.Contains(c.Name, sub) {
			return c
		}
	}
	t.Fatalf("no case %q", sub)
	return runner.Case{}
}

// TestNames: every name is key=value, with the fix names verbatim.
func TestNames(t *testing.T) {
	cs, err := Cases(Matrix{})
	if err != nil {
		t.Fatal(err)
	}
	kv := regexp.MustCompile(`^Benchmark[A-Za-z]+(/[a-z]+=[a-z0-9.+:-]+)+$`)
	seen := map[string]bool{}
	for _, c := range cs {
		if !kv.MatchString(c.Name) {
			t.Errorf("%q is not Benchmark/key=value/...", c.Name)
		}
		if seen[c.Name] {
			t.Errorf("%q twice", c.Name)
		}
		seen[c.Name] = true
	}
	for _, f := range fixes.Names() {
		if !strings.Contains(strings.Join(keys(seen), " "), "fix="+f+"/") {
			t.Errorf("no benchmark for fix %s", f)
		}
	}
	if _, err := Cases(Matrix{Fixes: []string{"nope"}}); err == nil {
		t.Error("an unknown fix was accepted")
	}
	if _, err := Cases(Matrix{Data: []string{"nope"}}); err == nil {
		t.Error("an unknown data class was accepted")
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSteadyState: swapins allocate nothing once warm, and the lost-pages
// metric is live: exclusive loses every page whose fault fails after the
// read, merged none.
func TestSteadyState(t *testing.T) {
	if testing.Short() {
		t.Skip("runs benchmarks for about a second each")
	}
	cs, err := Cases(Matrix{Short: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"BenchmarkSwapin/fix=merged/sync=tick/kernel=v6.9/backend=zswap+zram",
		"BenchmarkSwapin/fix=never-bypass/sync=folio-lock/kernel=v6.9/backend=zram",
		"BenchmarkFailedSwapin/fix=writeback-on-failure/",
	} {
		r := testing.Benchmark(find(t, cs, name).F)
		if r.N == 0 {
			t.Fatalf("%s failed", name)
		}
		if a := r.AllocsPerOp(); a != 0 {
			t.Errorf("%s: %d allocs/op, want 0", name, a)
		}
		if r.Extra["lost-pages"] != 0 {
			t.Errorf("%s: lost pages", name)
		}
	}
	r := testing.Benchmark(find(t, cs, "BenchmarkFailedSwapin/fix=exclusive/").F)
	if r.N == 0 || r.Extra["lost-pages"] < float64(r.N)/2 {
		t.Errorf("exclusive with a failing fault: %v lost pages in %d ops; want most", r.Extra["lost-pages"], r.N)
	}
}
