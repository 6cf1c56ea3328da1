package plots

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/report"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

func figures(t *testing.T, filter string) map[string]*Figure {
	t.Helper()
	s, err := report.Read("../report/testdata/swapin.txt")
	if err != nil {
		t.Fatal(err)
	}
	figs, err := FromSet(s, filter)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ExpectedCost("retry", "VM_FAULT_RETRY after the read, per swapin", "", expected)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*Figure{}
	for _, f := range append(figs, e) {
		m[f.Name] = f
	}
	return m
}

var expected = []Series{
	{Name: "merged", X: []float64{1e-5, 1e-4, 1e-3, 1e-2}, Y: []float64{2140, 2141, 2150, 2240}},
	{Name: "always-swapcache", X: []float64{1e-5, 1e-4, 1e-3, 1e-2}, Y: []float64{3280, 3280, 3281, 3290}},
}

// fontData is an embedded font: the goldens keep its hash, not the
// half megabyte of base64.
var fontData = regexp.MustCompile(`base64,([A-Za-z0-9+/=]+)`)

// normalise replaces embedded font data by its SHA-256. Nothing else in
// gonum's SVG varies: it writes no timestamp and no random id.
func normalise(svg []byte) []byte {
	return fontData.ReplaceAllFunc(svg, func(m []byte) []byte {
		return fmt.Appendf(nil, "base64,sha256:%x", sha256.Sum256(m[len("base64,"):]))
	})
}

func TestGoldenSVG(t *testing.T) {
	figs := figures(t, "/comp:lz4 OR .name:ZswapIndex")
	for _, name := range []string{"swapin-kernel-time", "swapin-sim-time", "dup-memory", "slot-held", "zswap-index-lookup", "expected-cost-retry", "latency-cdf"} {
		t.Run(name, func(t *testing.T) {
			f := figs[name]
			if f == nil {
				t.Fatalf("no figure %s", name)
			}
			var a, b bytes.Buffer
			if err := f.WriteSVG(&a); err != nil {
				t.Fatal(err)
			}
			if err := f.WriteSVG(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two renderings differ")
			}
			if !bytes.Contains(a.Bytes(), []byte("@font-face")) || !bytes.Contains(a.Bytes(), []byte("font/ttf")) {
				t.Error("fonts are not embedded")
			}
			got := normalise(a.Bytes())
			path := filepath.Join("testdata", name+".svg.golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update creates it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (go test -update rewrites it)", name, path)
			}
		})
	}
}

func TestFigures(t *testing.T) {
	figs := figures(t, "")
	want := []string{"swapin-kernel-time", "swapin-sim-time", "dup-memory", "slot-held",
		"zswap-index-lookup", "zswap-index-insert", "zswap-index-erase", "latency-cdf", "expected-cost-retry"}
	if len(figs) != len(want) {
		t.Errorf("%d figures, want %d", len(figs), len(want))
	}
	for _, n := range want {
		f := figs[n]
		if f == nil {
			t.Errorf("no figure %s", n)
			continue
		}
		if f.Title == "" || f.Plot.X.Label.Text == "" || f.Plot.Y.Label.Text == "" {
			t.Errorf("%s: title %q, x %q, y %q", n, f.Title, f.Plot.X.Label.Text, f.Plot.Y.Label.Text)
		}
		for _, l := range []string{f.Plot.Y.Label.Text} {
			if !strings.Contains(l, "(") && n != "latency-cdf" {
				t.Errorf("%s: y label %q has no unit", n, l)
			}
		}
		if f.Plot.X.Tick.Label.Font.Size < 10 || f.Legend.TextStyle.Font.Size < 10 || f.Plot.Y.Label.TextStyle.Font.Size < 10 {
			t.Errorf("%s: fonts below 10 pt", n)
		}
	}
	// Keys the figure does not show are pinned to one value, the
	// README's (Prefer) where the results have it, and the title says
	// which.
	if got := figs["swapin-kernel-time"].Title; got != "Swapin: modelled kernel time (data=text)" {
		t.Errorf("title %q", got)
	}
	// The baseline comes first and is marked, wherever the results
	// list it.
	for _, n := range []string{"swapin-kernel-time", "dup-memory", "slot-held"} {
		e := figs[n].entries
		if len(e) == 0 || !strings.HasPrefix(e[0].name, fixes.Baseline().Name) || !strings.HasSuffix(e[0].name, " (baseline)") {
			t.Errorf("%s: legend starts %v, want the baseline, marked", n, e[0].name)
		}
	}
}

func TestBars(t *testing.T) {
	zero := []Bar{{Group: "zram", Series: "a"}, {Group: "zram", Series: "b"}}
	if _, err := Bars("z", "t", "x", "y", zero, "a"); err == nil || !strings.Contains(err.Error(), "zero") {
		t.Errorf("all-zero bars: %v, want refused", err)
	}
	bars := []Bar{
		{Group: "zram", Series: "a", Value: 100, Lo: 100, Hi: 100},
		{Group: "zram", Series: "base", Value: 99.5, Lo: 99.5, Hi: 99.5},
		{Group: "zswap", Series: "base", Value: 50, Lo: 50, Hi: 50},
		{Group: "zswap", Series: "c", Value: math.NaN()},
	}
	f, err := Bars("b", "t", "x", "y", bars, "base")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range f.entries {
		names = append(names, e.name)
	}
	if got := strings.Join(names, ","); got != "base (baseline),a,c" {
		t.Errorf("legend %s, want the baseline first", got)
	}
	var svg bytes.Buffer
	if err := f.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	// a lacks zswap, c lacks zram and reports NaN for zswap: three n/a;
	// a is 0.5% over base, which a y axis from 0 would hide.
	for text, n := range map[string]int{">n/a<": 3, ">+0.5%<": 1, ">99.5<": 1} {
		if got := bytes.Count(svg.Bytes(), []byte(text)); got != n {
			t.Errorf("%s appears %d times in the SVG, want %d", text, got, n)
		}
	}
}

// Curves drawn over each other are drawn once, the legend naming the
// others under the first.
func TestSharedCurves(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5, 1000}
	f, err := CDF("c", "t", []Sample{{"a", v}, {"b", []float64{7, 8, 9}}, {"c", slices.Clone(v)}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range f.entries {
		names = append(names, e.name)
	}
	if got, want := strings.Join(names, ","), "a,  = c,b,"+sameCurveNote; got != want {
		t.Errorf("legend %q, want %q", got, want)
	}
}

// Rates that cluster near zero get a log axis.
func TestExpectedCostLogRates(t *testing.T) {
	s := []Series{{Name: "a", X: []float64{0, 0.001, 0.01, 0.2}, Y: []float64{1, 2, 3, 4}}}
	f, err := ExpectedCost("retry", "retries", "", s)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Plot.X.Scale.(plot.LogScale); !ok || !strings.Contains(f.Plot.X.Label.Text, "rate 0 left off") {
		t.Errorf("x axis %T %q, want a log scale that says rate 0 is left off", f.Plot.X.Scale, f.Plot.X.Label.Text)
	}
}

func TestSave(t *testing.T) {
	figs := figures(t, "/comp:lz4 /data:text")
	dir := t.TempDir()
	paths, err := Save(dir, []*Figure{figs["swapin-kernel-time"], figs["latency-cdf"]})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Fatalf("paths %q", paths)
	}
	f, err := os.Open(filepath.Join(dir, "latency-cdf.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 900 || b.Dy() != 600 {
		t.Errorf("PNG is %dx%d, want 900x600 (6x4 in at 150 dpi)", b.Dx(), b.Dy())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("files in %s: %v", dir, entries)
	}

	for _, bad := range []string{filepath.Join(dir, "nosuch"), paths[0]} {
		_, err := Save(bad, []*Figure{figs["expected-cost-retry"]})
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), bad) {
			t.Errorf("Save(%s): %v, want a one-line error naming it", bad, err)
		}
	}
}

func TestTicks(t *testing.T) {
	var got []string
	for _, tk := range (log2Ticks{}).Ticks(1024, 1<<20) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if s := strings.Join(got, " "); s != "1K 2K 4K 8K 16K 32K 64K 128K 256K 512K 1M" && s != "1K 4K 16K 64K 256K 1M" {
		t.Errorf("log2 ticks %s", s)
	}
	got = got[:0]
	for _, tk := range (ninesTicks{}).Ticks(0, 0.9995) {
		got = append(got, tk.Label)
	}
	if s := strings.Join(got, " "); s != "0 0.5 0.9 0.99 0.999" {
		t.Errorf("nines ticks %s", s)
	}
}

func TestErrors(t *testing.T) {
	if _, err := Bars("x", "t", "x", "y", nil, ""); err == nil {
		t.Error("Bars with no data: no error")
	}
	if _, err := Lines("x", "t", "x", "y", Log2, []Series{{Name: "a", X: []float64{0, 1}, Y: []float64{1, 2}}}); err == nil {
		t.Error("zero on a log axis: no error")
	}
	if _, err := CDF("x", "t", []Sample{{Name: "a", Values: []float64{1}}}); err == nil {
		t.Error("CDF of one value: no error")
	}
	s, err := report.Read("../report/testdata/small.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromSet(s, ".name:Nothing"); err == nil || !strings.Contains(err.Error(), "nothing to plot") {
		t.Errorf("FromSet with nothing to plot: %v", err)
	}
}

// A quantity that is zero in the preferred configuration is drawn from
// the nearest one where it exists, and the title says why; zero
// everywhere, it is not drawn at all.
func TestNonZeroConfiguration(t *testing.T) {
	line := func(kernel string, dup int) string {
		return fmt.Sprintf("BenchmarkSwapin/fix=%s/sync=tick/kernel=%s/backend=zswap+zram/comp=lz4/data=text-2 2000 500 ns/op %d dup-B/op 4000 kernel-ns/op\n",
			fixes.Baseline().Name, kernel, dup)
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"some.txt": line("v6.8", 1355) + line("v6.9", 0),
		"none.txt": line("v6.8", 0) + line("v6.9", 0),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := report.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		figs, err := FromSet(s, "")
		if err != nil {
			t.Fatal(err)
		}
		var dup *Figure
		for _, f := range figs {
			if f.Name == "dup-memory" {
				dup = f
			}
			if f.Name == "swapin-kernel-time" && !strings.Contains(f.Title, "kernel=v6.9") {
				t.Errorf("%s: kernel time title %q, want the preferred kernel=v6.9", name, f.Title)
			}
		}
		switch {
		case name == "none.txt" && dup != nil:
			t.Errorf("%s: an all-zero dup-memory figure was drawn: %q", name, dup.Title)
		case name == "some.txt" && (dup == nil || !strings.Contains(dup.Title, "kernel=v6.8") || !strings.Contains(dup.Title, "zero at kernel=v6.9")):
			t.Errorf("%s: dup-memory %v, want it drawn from kernel=v6.8 and saying why", name, dup)
		}
	}
}
