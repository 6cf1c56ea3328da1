package cost

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/swapbench/swapbench/model"
)

func TestBuiltinsHaveSources(t *testing.T) {
	for _, n := range Names() {
		p, err := Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range model.Ops() {
			if p.Ops[op].Source == "" {
				t.Errorf("%s: op %s has no source", n, op)
			}
		}
		for c, cc := range p.Codecs {
			if cc.Compress.Source == "" || cc.Decompress.Source == "" {
				t.Errorf("%s: codec %s has no source", n, c)
			}
		}
	}
}

func TestWriteParseRoundTrip(t *testing.T) {
	p, _ := Lookup("x86-2024")
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	q, err := Parse(&buf, "roundtrip")
	if err != nil {
		t.Fatal(err)
	}
	if q.Name != p.Name || q.HZ != p.HZ || q.Ops != p.Ops || len(q.Codecs) != len(p.Codecs) || q.Codecs["zstd"] != p.Codecs["zstd"] {
		t.Fatalf("round trip changed the profile:\n%+v\n%+v", p, q)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "p.txt: empty"},
		{"op nosuchop base=1 per=0 source=\"x\"", `p.txt:1: op "nosuchop": unknown`},
		{"# c\nop swap_free base=1 per=0", `p.txt:2: no source="..."`},
		{"op swap_free base=-1 per=0 source=\"x\"", `p.txt:1: op swap_free: base="-1"`},
		{"hz fast", `p.txt:1: hz "fast"`},
		{"codec lz4 compress=1 source=\"x\"", `p.txt:1: codec lz4: compress="1": want NS+NS/B`},
		{"frobnicate", `p.txt:1: "frobnicate": want profile, hz, op or codec`},
	} {
		_, err := Parse(strings.NewReader(tc.in), "p.txt")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): %v, want one line with %q", tc.in, err, tc.want)
		}
	}
	if _, err := Lookup("x86-1999"); err == nil || !strings.Contains(err.Error(), "swaptable-2026") {
		t.Errorf("Lookup: %v", err)
	}
	if _, err := Load("/nonexistent/p.txt"); err == nil || !strings.Contains(err.Error(), "/nonexistent/p.txt") {
		t.Errorf("Load: %v", err)
	}
}

// TestAccounter charges a hand-computed op sequence.
func TestAccounter(t *testing.T) {
	p, _ := Lookup("x86-2024")
	a, err := NewAccounter(p, "lz4", 2)
	if err != nil {
		t.Fatal(err)
	}
	a.Account(0, model.OpSwapCacheLookup, 2) // 20 + 2*10
	a.Account(1, model.OpDecompress, 1000)   // 700 + 0.1*1000
	a.Account(1, model.OpSleepTick, 1)       // 4 ms at HZ 250
	a.Off = true
	a.Account(0, model.OpFault, 1)
	want := 40.0 + 800 + 4e6
	if got := a.Total(); math.Abs(got-want) > 1e-6 || a.NS[0] != 40 {
		t.Fatalf("total %v (cpu0 %v), want %v (cpu0 40)", got, a.NS[0], want)
	}
	if _, err := NewAccounter(p, "brotli", 1); err == nil {
		t.Error("an unknown codec was accepted")
	}
	if n := testing.AllocsPerRun(100, func() { a.Account(0, model.OpFault, 1) }); n != 0 {
		t.Errorf("Account allocates %v times", n)
	}
}
