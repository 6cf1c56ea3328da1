package cost

import (
	"bytes"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/model"
)

func builtin(t *testing.T, name string) *Profile {
	t.Helper()
	p, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBuiltinsHaveSources: every number says where it comes from.
func TestBuiltinsHaveSources(t *testing.T) {
	ok := func(src string) bool {
		return strings.HasPrefix(src, "derived: ") || strings.HasPrefix(src, "assumed: ") || strings.HasPrefix(src, "per codec: ")
	}
	for _, n := range Names() {
		p := builtin(t, n)
		if p.Name != n || !ok(p.HZSource) {
			t.Errorf("%s: name %q, hz source %q", n, p.Name, p.HZSource)
		}
		for _, op := range model.Ops() {
			if !ok(p.Ops[op].Source) {
				t.Errorf("%s: op %s: source %q does not say derived: or assumed:", n, op, p.Ops[op].Source)
			}
		}
		for _, c := range []string{"lz4", "zstd", "deflate", "lzo", "lzo-rle"} {
			cc, found := p.Codec(c, "text")
			if !found || !ok(cc.Compress.Source) || !ok(cc.Decompress.Source) || cc.Decompress.Base <= 0 {
				t.Errorf("%s: codec %s: %+v", n, c, cc)
			}
		}
		if err := p.check(); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	// Lookup hands out copies.
	p := builtin(t, "x86-2024")
	p.Ops[model.OpFault].Base = 0
	p.Codecs["lz4"] = CodecCost{}
	if q := builtin(t, "x86-2024"); q.Ops[model.OpFault].Base == 0 || q.Codecs["lz4"].Compress.Base == 0 {
		t.Error("changing a looked-up profile changed the built-in")
	}
}

func TestSwaptableCheaper(t *testing.T) {
	x, s := builtin(t, "x86-2024"), builtin(t, "swaptable-2026")
	for _, op := range []model.Op{model.OpSwapCacheAdd, model.OpSwapCacheDelete, model.OpSwapCacheLookup} {
		if s.Ops[op].NS(3) >= x.Ops[op].NS(3)/2 {
			t.Errorf("%s: swaptable-2026 %v ns, x86-2024 %v ns: want 'trivial'", op, s.Ops[op].NS(3), x.Ops[op].NS(3))
		}
	}
}

func TestCodecOverride(t *testing.T) {
	p := builtin(t, "x86-2024")
	gen, _ := p.Codec("lz4", "text")
	rnd, _ := p.Codec("lz4", "random")
	if rnd.Compress.Base >= gen.Compress.Base || rnd.Decompress != gen.Decompress {
		t.Errorf("lz4 random %+v vs generic %+v: want a cheaper compress and the same decompress", rnd, gen)
	}
	if _, ok := p.Codec("brotli", ""); ok {
		t.Error("brotli found")
	}
}

func TestWriteParseRoundTrip(t *testing.T) {
	for _, n := range Names() {
		p := builtin(t, n)
		var buf bytes.Buffer
		if err := p.Write(&buf); err != nil {
			t.Fatal(err)
		}
		text := buf.String()
		q, err := Parse(strings.NewReader(text), "roundtrip.txt")
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("%s: round trip changed the profile:\n%+v\n%+v", n, p, q)
		}
		var again bytes.Buffer
		q.Write(&again)
		if again.String() != text {
			t.Fatalf("%s: Write(Parse(Write(p))) differs from Write(p)", n)
		}
	}
}

func TestParseBase(t *testing.T) {
	in := `# a fitted profile
profile fitted
base x86-2024
op swap_cache_add base=300 per=0 source="measured: probe, test"
codec lz4 decompress data=text base=700 source="measured: probe"
hz 1000 source="measured: CONFIG_HZ"
`
	p, err := Parse(strings.NewReader(in), "fit.txt")
	if err != nil {
		t.Fatal(err)
	}
	x := builtin(t, "x86-2024")
	if p.Name != "fitted" || p.HZ != 1000 || p.Ops[model.OpSwapCacheAdd].Base != 300 || p.Ops[model.OpFault] != x.Ops[model.OpFault] {
		t.Fatalf("base and overrides: %+v", p)
	}
	if c, _ := p.Codec("lz4", "text"); c.Decompress.Base != 700 || c.Compress != x.Codecs["lz4"].Compress {
		t.Fatalf("codec override: %+v", c)
	}
	if c, _ := p.Codec("lz4", "binary"); c.Decompress != x.Codecs["lz4"].Decompress {
		t.Fatalf("the override leaked to another class: %+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	full := func(extra string) string {
		var b bytes.Buffer
		builtin(t, "x86-2024").Write(&b)
		return b.String() + extra
	}
	lines := strings.Count(full(""), "\n")
	for _, tc := range []struct{ in, want string }{
		{"", "p.txt: empty; want hz, op and codec lines"},
		{"# only a comment\n", "p.txt: empty"},
		{`op nosuchop base=1 per=0 source="x"`, `p.txt:1: op "nosuchop": unknown; want a model op name`},
		{"# c\nop swap_free base=1 per=0", `p.txt:2: op swap_free: no source="..."`},
		{`op swap_free base=-1 per=0 source="x"`, `p.txt:1: op swap_free: base=-1: want a non-negative number of ns`},
		{`op swap_free base=NaN source="x"`, `p.txt:1: op swap_free: base=NaN: want a non-negative`},
		{`op swap_free per=2 source="x"`, `p.txt:1: op swap_free: no base=NS`},
		{`op swap_free base=1 cost=2 source="x"`, `p.txt:1: op swap_free: cost=: unknown key`},
		{`op swap_free base=1 source=x`, `p.txt:1: source=x: want a double-quoted string`},
		{`op swap_free base=1 source="x`, `p.txt:1: source="x: want a double-quoted string`},
		{`op swap_free base=1 source="x" extra`, `p.txt:1: "extra" after key=value pairs`},
		{`hz fast source="x"`, `p.txt:1: hz "fast": want an integer from 1 to 10000`},
		{`hz 100`, `p.txt:1: hz: no source="..."`},
		{`codec lz4 squash base=1 source="x"`, `p.txt:1: want: codec CODEC compress|decompress [data=CLASS]`},
		{`codec lz4 compress data=nope base=1 source="x"`, `p.txt:1: data "nope": want a content class`},
		{`codec LZ4! compress base=1 source="x"`, `p.txt:1: codec "LZ4!": want a name like lz4`},
		{`frobnicate`, `p.txt:1: "frobnicate": want profile, base, hz, op or codec`},
		{"profile a\nbase x86-1999", `p.txt:2: base "x86-1999": want one of x86-2024, swaptable-2026`},
		{"hz 100 source=\"x\"\nbase x86-2024", `p.txt:2: base after other statements`},
		{"base x86-2024\nop swap_free base=1 source=\"x\"\nop swap_free base=2 source=\"y\"", `p.txt:3: op swap_free given twice (first on line 2)`},
		{`op swap_free base=1 source="x"`, `p.txt: no hz line`},
		{"hz 100 source=\"x\"\n" + `op swap_free base=1 source="x"`, `p.txt: no line for op do_swap_page; want one for every op`},
		{full("op swap_free base=1 source=\"again\"\n"), `p.txt:` + strconv.Itoa(lines+1) + `: op swap_free given twice`},
		{full("codec brotli compress base=1 source=\"x\"\n"), `p.txt: codec brotli: no decompress line`},
	} {
		_, err := Parse(strings.NewReader(tc.in), "p.txt")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%.60q): %v\n\twant one line containing %q", tc.in, err, tc.want)
		}
	}
	if _, err := Lookup("x86-1999"); err == nil || !strings.Contains(err.Error(), `cost profile "x86-1999": unknown; want one of x86-2024, swaptable-2026 or file:PATH`) {
		t.Errorf("Lookup: %v", err)
	}
	if _, err := Lookup("file:/nonexistent/p.txt"); err == nil || err.Error() != "cost profile /nonexistent/p.txt: no such file or directory" {
		t.Errorf("Load: %v", err)
	}
}

// TestAccounter charges a hand-computed op sequence.
func TestAccounter(t *testing.T) {
	p := builtin(t, "x86-2024")
	a, err := NewAccounter(p, "lz4", "random", 2)
	if err != nil {
		t.Fatal(err)
	}
	a.Account(0, model.OpSwapCacheLookup, 2)  // 15 + 2*5
	a.Account(0, model.OpZswapIndexLookup, 3) // 5 + 3*8
	a.Account(1, model.OpDecompress, 1000)    // 820 (lz4, per 0)
	a.Account(1, model.OpCompress, 4100)      // 1500 (lz4 on random pages)
	a.Account(1, model.OpSleepTick, 1)        // 1500, then until the 2nd jiffy boundary (8 ms at HZ 250)
	a.Account(1, model.OpFillPage, 4096)      // 4096 * 0.025
	a.Off = true
	a.Account(0, model.OpFault, 1)
	cpu0, cpu1 := 25.0+29, 8e6+102.4
	if math.Abs(a.NS[0]-cpu0) > 1e-9 || math.Abs(a.NS[1]-cpu1) > 1e-6 || math.Abs(a.Total()-cpu0-cpu1) > 1e-6 {
		t.Fatalf("charged %v, want [%v %v]", a.NS, cpu0, cpu1)
	}
	if a.SleepNS != 8e6-820-1500-1500 || a.CompressedBytes != 4100 || a.LockWaits() != 0 {
		t.Fatalf("sleep %v, compressed %v, waits %v", a.SleepNS, a.CompressedBytes, a.LockWaits())
	}
	a.Reset()
	if a.Total() != 0 || a.Off || a.SleepNS != 0 {
		t.Fatal("Reset kept something")
	}
	if _, err := NewAccounter(p, "brotli", "", 1); err == nil || !strings.Contains(err.Error(), `no costs for codec "brotli"`) {
		t.Errorf("an unknown codec: %v", err)
	}
	if n := testing.AllocsPerRun(100, func() {
		a.Account(0, model.OpFault, 1)
		a.Account(1, model.OpZswapTreeLock, 3)
	}); n != 0 {
		t.Errorf("Account allocates %v times", n)
	}
}

// TestLockWait: under a Sched, a CPU taking a lock another CPU released
// later than its own clock waits for it; lock-free lookups never wait.
func TestLockWait(t *testing.T) {
	p := builtin(t, "x86-2024")
	a, _ := NewAccounter(p, "lz4", "", 2)
	a.sched = true
	// v6.8's zswap_load: tree lock, search of 20 nodes, in one step.
	a.Account(0, model.OpZswapTreeLock, 0)     // 15
	a.Account(0, model.OpZswapIndexLookup, 20) // 165
	a.release(0)                               // released at 180
	a.Account(1, model.OpZswapTreeLock, 0)     // waits 180, then 15
	a.Account(1, model.OpZswapIndexLookup, 20) // 165
	a.release(1)                               // at 360
	a.Account(0, model.OpZswapTreeLock, 1)     // another tree: no wait
	a.release(0)
	if w := a.LockWaitNS[model.OpZswapTreeLock]; w != 180 || a.NS[1] != 360 || a.Clock(1) != 360 || a.NS[0] != 195 {
		t.Fatalf("wait %v, cpu1 %v at %v, cpu0 %v; want 180, 360 at 360, 195", w, a.NS[1], a.Clock(1), a.NS[0])
	}
	// v6.10's xa_load: no lock, no wait, whatever the clocks.
	b, _ := NewAccounter(p, "lz4", "", 2)
	b.sched = true
	for range 10 {
		b.Account(0, model.OpZswapIndexLookup, 3)
		b.release(0)
		b.Account(1, model.OpZswapIndexLookup, 3)
		b.release(1)
	}
	if b.LockWaits() != 0 {
		t.Fatalf("lock-free lookups waited %v ns", b.LockWaits())
	}
	// Sleeping releases the lock first: nobody waits for a sleeper's tick.
	c, _ := NewAccounter(p, "lz4", "", 2)
	c.sched = true
	c.Account(0, model.OpClusterLock, 0)
	c.Account(0, model.OpSleepTick, 1)
	c.release(0)
	c.Account(1, model.OpClusterLock, 0)
	if c.LockWaits() != 15 {
		t.Fatalf("waited %v ns behind a sleeper, want 15 (its lock op)", c.LockWaits())
	}
}
