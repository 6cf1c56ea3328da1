package workloads

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Events are the per-swapin probabilities of the failure events the model
// can inject, each in [0, 1].
type Events struct {
	Retry           float64 // "retry": the swapin is retried
	PTEChange       float64 // "pte": the PTE changed under the fault
	ConcurrentFault float64 // "concurrent": another task faults the same entry
	StoreFail       float64 // "storefail": the compressed store fails
}

var eventKeys = []string{"retry", "pte", "concurrent", "storefail"}

func (e *Events) field(key string) *float64 {
	switch key {
	case "retry":
		return &e.Retry
	case "pte":
		return &e.PTEChange
	case "concurrent":
		return &e.ConcurrentFault
	case "storefail":
		return &e.StoreFail
	}
	return nil
}

// ParseEvents parses a comma-separated list of key=probability, such as
// "retry=0.01,pte=0.001,concurrent=0,storefail=0.05". Keys are retry, pte,
// concurrent and storefail, each at most once; a key left out is 0, and
// the empty string gives all zeros. Spaces around items are ignored.
func ParseEvents(s string) (Events, error) {
	var e Events
	if strings.TrimSpace(s) == "" {
		return e, nil
	}
	seen := map[string]bool{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		key, val, ok := strings.Cut(item, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			return Events{}, fmt.Errorf("events %q: item %q: want key=probability", s, item)
		}
		p := e.field(key)
		if p == nil {
			return Events{}, fmt.Errorf("events %q: unknown key %q; want one of %s", s, key, strings.Join(eventKeys, ", "))
		}
		if seen[key] {
			return Events{}, fmt.Errorf("events %q: key %q given twice", s, key)
		}
		seen[key] = true
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(v) || v < 0 || v > 1 {
			return Events{}, fmt.Errorf("events %q: %s=%q: want a probability in [0, 1]", s, key, val)
		}
		*p = v + 0 // turns -0 into 0
	}
	return e, nil
}

// String returns the canonical form, every key in a fixed order with the
// shortest exact value, e.g. "retry=0.01,pte=0,concurrent=0,storefail=0.05".
// ParseEvents(e.String()) == e for every valid e.
func (e Events) String() string {
	var b strings.Builder
	for i, k := range eventKeys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(*e.field(k), 'g', -1, 64))
	}
	return b.String()
}
