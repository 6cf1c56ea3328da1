package workloads

import (
	"math"
	"strings"
	"testing"
)

func TestParseEvents(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Events
	}{
		{"", Events{}},
		{"  ", Events{}},
		{"retry=0.01,pte=0.001,concurrent=0,storefail=0.05", Events{0.01, 0.001, 0, 0.05}},
		{" storefail = 1 , retry=0 ", Events{StoreFail: 1}},
		{"pte=-0", Events{}},
		{"concurrent=1e-3", Events{ConcurrentFault: 0.001}},
	} {
		got, err := ParseEvents(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseEvents(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if s := got.String(); err == nil {
			back, err := ParseEvents(s)
			if err != nil || back != got {
				t.Errorf("round trip %q -> %q -> %+v, %v", tc.in, s, back, err)
			}
		}
	}
	e := Events{0.01, 0.001, 0, 0.05}
	if got, want := e.String(), "retry=0.01,pte=0.001,concurrent=0,storefail=0.05"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if z, _ := ParseEvents("pte=-0"); math.Signbit(z.PTEChange) {
		t.Error("pte=-0 parsed as negative zero")
	}
}

func TestParseEventsErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"retry", `item "retry": want key=probability`},
		{"retry=0.1,", `item "": want key=probability`},
		{"foo=0.1", `unknown key "foo"; want one of retry, pte, concurrent, storefail`},
		{"retry=0.1,retry=0.2", `key "retry" given twice`},
		{"retry=1.5", `retry="1.5": want a probability in [0, 1]`},
		{"pte=-0.1", `pte="-0.1": want a probability in [0, 1]`},
		{"storefail=NaN", `want a probability`},
		{"storefail=inf", `want a probability`},
		{"concurrent=", `want a probability`},
		{"concurrent=abc", `want a probability`},
	} {
		_, err := ParseEvents(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.in) {
			t.Errorf("ParseEvents(%q) error %v, want one naming the input and containing %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParseEvents checks that ParseEvents never panics, that what it
// accepts is in range, and that String round-trips it.
func FuzzParseEvents(f *testing.F) {
	for _, s := range []string{"", "retry=0.01,pte=0.001,concurrent=0,storefail=0.05", "retry=1", "x=1", "retry=0x1p-4", ",,", "pte=1e-300", "retry=0.5,retry=0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEvents(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		for _, p := range []float64{e.Retry, e.PTEChange, e.ConcurrentFault, e.StoreFail} {
			if !(p >= 0 && p <= 1) || math.Signbit(p) {
				t.Fatalf("ParseEvents(%q) = %+v: out of range", s, e)
			}
		}
		back, err := ParseEvents(e.String())
		if err != nil || back != e {
			t.Fatalf("round trip of %q: %q -> %+v, %v", s, e.String(), back, err)
		}
	})
}
