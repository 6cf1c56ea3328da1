package explore

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestMain(m *testing.M) {
	// As swapbench check does: the search allocates a clone per branch
	// and keeps little, so fewer collections pay off.
	debug.SetGCPercent(400)
	os.Exit(m.Run())
}
