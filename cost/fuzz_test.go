package cost

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParse: any input either parses into a profile that writes and
// parses back to itself, or fails with a one-line error.
func FuzzParse(f *testing.F) {
	p, _ := Lookup("x86-2024")
	var buf bytes.Buffer
	p.Write(&buf)
	f.Add(buf.String())
	f.Add("op swap_free base=1 per=0 source=\"x\"\n")
	f.Add("codec lz4 compress=1+2/B source=\"y\"\nhz 100\n")
	f.Fuzz(func(t *testing.T, in string) {
		p, err := Parse(strings.NewReader(in), "fuzz")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		var out bytes.Buffer
		if err := p.Write(&out); err != nil {
			t.Fatal(err)
		}
		q, err := Parse(&out, "again")
		if err != nil {
			t.Fatalf("a written profile does not parse: %v\n%s", err, out.String())
		}
		if q.HZ != p.HZ || q.Ops != p.Ops {
			t.Fatalf("round trip changed the profile")
		}
	})
}
