package explore

import (
	"testing"

	"github.com/swapbench/swapbench/fixes"
)

func TestProfOne(t *testing.T) {
	v := variant(t, "merged", "waitqueue", "v6.12")
	if _, err := Check(Options{Variants: []fixes.Variant{v}, Scenarios: Scenarios(), Bounds: DefaultBounds, Parallel: 1}); err != nil {
		t.Fatal(err)
	}
}
