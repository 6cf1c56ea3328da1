package probe

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestParseLoadavg(t *testing.T) {
	l, err := ParseLoadavg([]byte("1.25 0.80 0.30 2/321 4242\n"), "loadavg")
	if err != nil || l != [3]float64{1.25, 0.80, 0.30} {
		t.Errorf("ParseLoadavg = %v, %v", l, err)
	}
	for _, in := range []string{"", "1.0 x 2.0", "1.0 2.0"} {
		if _, err := ParseLoadavg([]byte(in), "loadavg"); err == nil || !strings.Contains(err.Error(), "loadavg") {
			t.Errorf("ParseLoadavg(%q) = %v, want an error naming the file", in, err)
		}
	}
}

func TestParseCPUStat(t *testing.T) {
	stat := "cpu  10 1 20 300 4 5 6 7 0 0\ncpu0 1 0 2 30 1 0 0 3 0 0\ncpu1 9 1 18 270 3 5 6 4 0 0\nintr 1\n"
	c, err := ParseCPUStat([]byte(stat), 1, "stat")
	if err != nil || c != (CPUTime{Total: 316, Idle: 273, Steal: 4}) || c.Busy() != 39 {
		t.Errorf("cpu1 = %+v (busy %d), %v", c, c.Busy(), err)
	}
	all, err := ParseCPUStat([]byte(stat), -1, "stat")
	if err != nil || all.Steal != 7 || all.Total != 353 {
		t.Errorf("cpu = %+v, %v", all, err)
	}
	if d := all.Sub(CPUTime{Total: 53, Idle: 4, Steal: 1}); d != (CPUTime{300, 300, 6}) {
		t.Errorf("Sub = %+v", d)
	}
	for _, in := range []string{"cpu0 1 2 3\n", "cpu0 1 2 3 4 5 6 7 x\n", "intr 1\n"} {
		if _, err := ParseCPUStat([]byte(in), 0, "stat"); err == nil {
			t.Errorf("ParseCPUStat(%q) = nil error", in)
		}
	}
}

func TestOrderOf(t *testing.T) {
	for size, want := range map[string]int{"4kB": 0, "16kB": 2, "64kB": 4, "128kB": 5, "2048kB": 9, "48kB": -1, "x": -1} {
		if got := OrderOf(size); got != want {
			t.Errorf("OrderOf(%s) = %d, want %d", size, got, want)
		}
	}
	if SizeName(4) != "64kB" {
		t.Errorf("SizeName(4) = %s", SizeName(4))
	}
}

// TestNewLinesRoundTrip writes a result with every line the probe now
// records (baselines, timer control, conditions, an mTHP size and a
// fallen-back one) and reads it back.
func TestNewLinesRoundTrip(t *testing.T) {
	c := Config{PathBypass, BackendZram, "lz4", "text", 0}
	big := c
	big.Order = 4
	fb := c
	fb.Order = 2
	rs := []*Result{
		{Config: c, Rounds: []Round{{Pages: 64, SwapinNS: 3000, SwapinP50: 2900, SwapinP99: 9000, TimerNS: 60, ResidentNS: 2, MinorFaultNS: 700, AnonFaultNS: 1500, SwapoutNS: 5000}},
			Vmstat: map[string]int64{"pswpin": 64, "pswpout": 64}, Cond: &Cond{CPU: 1, LoadBefore: []float64{0.5}, LoadAfter: []float64{0.75}, StealPct: 1.5, OtherPct: 3}},
		{Config: big, Rounds: []Round{{Pages: 64, SwapinNS: 1000, TimerNS: 70, MinorFaultNS: 650, AnonFaultNS: 1400}}, Vmstat: map[string]int64{},
			Mthp: map[string]int64{"anon_fault_alloc": 4, "swpin": 4, "swpin_fallback": 0, "swpout": 4}, Large: 4},
		{Config: fb, Rounds: []Round{{Pages: 64, SwapinNS: 3000}}, Vmstat: map[string]int64{}, Mthp: map[string]int64{"swpin": 0}, Fallback: ZswapFallback + ": every swapin took order 0"},
	}
	var b bytes.Buffer
	if err := WriteResults(&b, Header{GOOS: "linux", GOARCH: "amd64", Kernel: "6.18.0", CPU: "x"}, rs, 2); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResults(b.Bytes(), "new")
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(got) != 3 {
		t.Fatalf("%d results, want 3:\n%s", len(got), b.String())
	}
	r := Find(got, c)
	if r == nil || r.Rounds[0] != rs[0].Rounds[0] || r.Cond == nil || r.Cond.CPU != 1 || r.Cond.LoadAfter[0] != 0.75 || r.Cond.StealPct != 1.5 || r.Cond.OtherPct != 3 {
		t.Errorf("read back %+v (cond %+v), want %+v", r, r.Cond, rs[0])
	}
	r = Find(got, big)
	if r == nil || r.Large != 4 || r.Mthp["swpin"] != 4 || r.Fallback != "" || r.Rounds[0].MinorFaultNS != 650 {
		t.Errorf("order 4 read back %+v", r)
	}
	r = Find(got, fb)
	if r == nil || len(r.Rounds) != 0 || !strings.HasPrefix(r.Fallback, ZswapFallback) {
		t.Errorf("fallen-back order 2 read back %+v; want no rounds and its fallback", r)
	}
	if !strings.Contains(b.String(), "BenchmarkKernelSwapin/path=bypass/backend=zram/comp=lz4/data=text/order=4-2") {
		t.Errorf("no order=4 benchmark line:\n%s", b.String())
	}
}

// TestOldResultsRead reads a results file from before the probe recorded
// its conditions and baselines (validate/testdata/probe-6.18-fc-v782.txt, the
// 6.18.44-fc-v782 run): every result reads, with no conditions and the
// new fields 0.
func TestOldResultsRead(t *testing.T) {
	data, err := os.ReadFile("../validate/testdata/probe-6.18-fc-v782.txt")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ReadResults(data, "probe-6.18.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 90 {
		t.Errorf("%d results, want 90", len(rs))
	}
	for _, r := range rs {
		if r.Cond != nil || r.Order != 0 || len(r.Rounds) != 5 || r.Rounds[0].MinorFaultNS != 0 || r.Rounds[0].TimerNS != 0 || r.MedianSwapin() <= 0 {
			t.Errorf("%s: %+v", r.Key(), r)
		}
	}
	if b := Baselines(rs); b != (Baseline{}) {
		t.Errorf("Baselines of an old file = %+v, want none", b)
	}
}

func TestMthpCheck(t *testing.T) {
	c := Config{PathBypass, BackendZram, "lz4", "text", 4}
	const pages = 256 // 16 folios of 64kB
	ok := map[string]int64{"anon_fault_alloc": 16, "swpout": 16, "swpin": 16}
	if got := MthpCheck(c, pages, 16, ok); got != "" {
		t.Errorf("all large: %q", got)
	}
	zs := map[string]int64{"anon_fault_alloc": 16, "swpout": 16, "swpin": 0, "swpin_fallback": 0}
	if got := MthpCheck(c, pages, 0, zs); !strings.HasPrefix(got, ZswapFallback) || strings.Contains(got, "\n") {
		t.Errorf("zswap fallback: %q", got)
	}
	if got := MthpCheck(c, pages, 0, map[string]int64{"anon_fault_alloc": 2}); !strings.Contains(got, "the fill got 2 of 16") {
		t.Errorf("small fill: %q", got)
	}
	if got := MthpCheck(c, pages, 8, map[string]int64{"anon_fault_alloc": 16, "swpout": 16, "swpin": 8, "swpin_fallback": 8}); !strings.Contains(got, "8 of 16 folios") {
		t.Errorf("half: %q", got)
	}
}
