package explore

import (
	"runtime/debug"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// As swapbench check does: the search allocates a clone per branch
	// and keeps little, so fewer collections pay off.
	debug.SetGCPercent(400)
	// Check runs its configurations on worker goroutines: none may be left.
	goleak.VerifyTestMain(m)
}
