package probe

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestJournalRoundTrip(t *testing.T) {
	dir := t.TempDir()
	old := Root
	Root = dir
	defer func() { Root = old }()
	j := &Journal{Pid: 42, Started: time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC), SwapFile: "/var/tmp/swapbench-42.swap", State: &State{
		Swaps: []Swap{{Filename: "/swap file", Priority: -2}}, ZramComp: "lzo-rle", ZswapEnabled: true, ZswapCompressor: "lzo",
		PageCluster: 3, THP: map[string]string{"64kB": "never", "16kB": "inherit"}}}
	if err := j.Write(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(JournalPath())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadJournal(data, "j")
	if err != nil {
		t.Fatal(err)
	}
	if d := j.State.Diff(got.State); len(d) > 0 || got.Pid != 42 || got.SwapFile != j.SwapFile || !got.Started.Equal(j.Started) {
		t.Errorf("read back %+v (%v), want %+v", got, d, j)
	}
	if err := checkJournal(); err == nil || !strings.Contains(err.Error(), "swapbench probe -restore") {
		t.Errorf("checkJournal over a journal = %v", err)
	}
}

func TestReadJournalBad(t *testing.T) {
	for _, in := range []string{
		"pid: x\n",
		"pid: 1\nzram0.comp_algorithm: lzo\nzswap.enabled: maybe\nzswap.compressor: lzo\nvm.page-cluster: 0\n",
		"pid: 1\nzram0.comp_algorithm: lzo\nzswap.enabled: true\nzswap.compressor: lzo\n",
		"pid: 1\nbogus: 1\n",
		"pid: 1\nthp: 64kB\n",
	} {
		if _, err := ReadJournal([]byte(in), "j"); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("ReadJournal(%q) = %v, want a one-line error", in, err)
		}
	}
}
