package probe

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oneLineNaming fails t unless err is nil or one line naming name.
func oneLineNaming(t *testing.T, err error, name string) {
	t.Helper()
	if err != nil && (!strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "\n")) {
		t.Fatalf("error does not name %s in one line: %q", name, err)
	}
}

// seeds adds every recorded input under testdata.
func seeds(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzReadResults: a probe results file (what validate and probe -fit
// read) either reads, and then every result has a complete configuration
// and its medians can be taken, or is refused in one line naming it.
func FuzzReadResults(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ReadResults(data, "probe.txt")
		oneLineNaming(t, err, "probe.txt")
		for _, r := range rs {
			if r.Path == "" || r.Backend == "" || r.Comp == "" || r.Data == "" {
				t.Fatalf("result with an incomplete configuration %+v", r.Config)
			}
			r.MedianSwapin()
			r.MedianSwapout()
			r.Pages()
		}
	})
}

// FuzzParseProc: the /proc and /sys parsers never panic on what a kernel
// (or a broken one) might print, and name the file when they refuse it.
func FuzzParseProc(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseVmstat(data, "/proc/vmstat")
		oneLineNaming(t, err, "/proc/vmstat")
		_, err = ParseSwaps(data, "/proc/swaps")
		oneLineNaming(t, err, "/proc/swaps")
		_, _, err = ParseChoice(data, "comp_algorithm")
		oneLineNaming(t, err, "comp_algorithm")
		_, err = ParseCompressors(data, "/proc/crypto")
		oneLineNaming(t, err, "/proc/crypto")
		_, err = ParseBool(data, "enabled")
		oneLineNaming(t, err, "enabled")
		_, err = ParseInt(data, "max_pool_percent")
		oneLineNaming(t, err, "max_pool_percent")
	})
}
