package probe

import (
	"bytes"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	const n = 4096
	for _, tc := range []struct {
		c    Config
		d    map[string]int64
		want string // "" for no mismatch, else a substring
	}{
		// Recorded on 6.18.44 (testdata/probe-run.txt, 2 rounds of 4096).
		{Config{PathBypass, BackendZram, "lzo", "text", 0}, map[string]int64{"pswpin": n, "pswpout": n, "swap_ra": 0, "nr_swapcached": 0}, ""},
		{Config{PathSwapcache, BackendZram, "lzo", "text", 0}, map[string]int64{"pswpin": n, "pswpout": n, "nr_swapcached": n}, ""},
		{Config{PathBypass, BackendZswapZram, "lzo", "text", 0}, map[string]int64{"zswpin": n, "zswpout": n, "nr_swapcached": 0}, ""},
		{Config{PathBypass, BackendZram, "lzo", "zero", 0}, map[string]int64{"swpin_zero": n, "swpout_zero": n, "nr_swapcached": 0}, ""},
		{Config{PathBypass, BackendZswapZram, "lzo", "zero", 0}, map[string]int64{"swpin_zero": n - 24, "swpout_zero": n - 24}, ""},
		{Config{PathBypass, BackendZswapZram, "lzo", "random", 0}, map[string]int64{"pswpin": n, "pswpout": n}, ""},
		{Config{PathBypass, BackendZswapZram, "lzo", "random", 0}, map[string]int64{"zswpin": n, "zswpout": n}, ""},
		// Recorded on 6.18.44 (-quick -backend zswap+file): a swap file is
		// not SWP_SYNCHRONOUS_IO, so swap count 1 also takes the swap cache.
		{Config{PathBypass, BackendZswapFile, "lzo", "text", 0}, map[string]int64{"zswpin": n, "zswpout": n, "nr_swapcached": n, "pswpin": 0}, ""},
		{Config{PathBypass, BackendZswapFile, "lzo", "random", 0}, map[string]int64{"zswpin": n, "zswpout": n, "nr_swapcached": n}, ""},
		// Recorded on 6.18.44 (validate/testdata/probe-6.18-fc-v782.txt): sparse
		// data holds a few zero pages, which the zeromap takes; 121 of
		// 20480 stayed in memory.
		{Config{PathBypass, BackendZswapZram, "deflate", "sparse", 0}, map[string]int64{"zswpin": 20261 * n / 20480, "zswpout": 20261 * n / 20480, "swpin_zero": 98 * n / 20480, "swpout_zero": 98 * n / 20480}, ""},
		{Config{PathBypass, BackendZram, "lz4", "sparse", 0}, map[string]int64{"pswpin": n - 30, "pswpout": n - 30, "swpin_zero": 30, "swpout_zero": 30}, ""},
		// Contradictions.
		{Config{PathBypass, BackendZswapZram, "deflate", "sparse", 0}, map[string]int64{"zswpin": n / 2, "zswpout": n / 2, "swpin_zero": 30, "swpout_zero": 30}, "zswpout+swpout_zero=2078, want ~4096"},
		{Config{PathBypass, BackendZswapFile, "lzo", "text", 0}, map[string]int64{"zswpin": n, "zswpout": n, "nr_swapcached": 0}, "nr_swapcached=0, want ~4096"},
		{Config{PathSwapcache, BackendZswapFile, "lzo", "text", 0}, map[string]int64{"pswpin": n, "pswpout": n, "nr_swapcached": n}, "zswpout=0, want ~4096"},
		{Config{PathBypass, BackendZram, "lzo", "text", 0}, map[string]int64{"zswpin": n, "zswpout": n}, "pswpout=0, want ~4096"},
		{Config{PathBypass, BackendZswapZram, "lzo", "text", 0}, map[string]int64{"pswpin": n, "pswpout": n}, "zswpout=0, want ~4096"},
		{Config{PathSwapcache, BackendZram, "lzo", "text", 0}, map[string]int64{"pswpin": n, "pswpout": n, "nr_swapcached": 0}, "nr_swapcached=0"},
		{Config{PathBypass, BackendZram, "lzo", "text", 0}, map[string]int64{"pswpin": n, "pswpout": n, "nr_swapcached": n}, "nr_swapcached=4096, want ~0"},
		{Config{PathBypass, BackendZram, "lzo", "text", 0}, map[string]int64{"pswpin": n, "pswpout": n, "swap_ra": 900}, "swap_ra=900"},
		{Config{PathBypass, BackendZram, "lzo", "text", 0}, map[string]int64{"pswpin": n / 2, "pswpout": n}, "pswpin=2048"},
	} {
		got := strings.Join(Check(tc.c, n, tc.d), "; ")
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("Check(%s, %v) = %q, want %q", tc.c.Key(), tc.d, got, tc.want)
		}
	}
}

func TestWriteReadResults(t *testing.T) {
	rs, err := ReadResults(read(t, "probe-run.txt"), "probe-run.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 12 {
		t.Fatalf("%d results, want 12", len(rs))
	}
	r := Find(rs, Config{PathBypass, BackendZram, "lzo", "text", 0})
	if r == nil || len(r.Rounds) != 2 || r.Pages() != 8192 || r.ComprBytes != 1327 || r.Vmstat["pswpin"] != 8192 {
		t.Fatalf("bypass zram lzo text = %+v, want 2 rounds of 4096, 1327 B/page, pswpin 8192", r)
	}
	if r.Rounds[0].SwapinNS != 22776.5 || r.Rounds[1].SwapoutNS != 53967.6 {
		t.Errorf("rounds %+v, want the recorded 22776.5 ns swapin and 53967.6 ns swapout", r.Rounds)
	}
	var buf bytes.Buffer
	h := Header{GOOS: "linux", GOARCH: "amd64", Kernel: "6.18.44-fc-v782", CPU: "AMD EPYC", Settings: []string{"probe-pages: 4096"}}
	if err := WriteResults(&buf, h, rs, 2); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"goos: linux\n", "kernel: 6.18.44-fc-v782\n", "cpu: AMD EPYC\n", "probe-pages: 4096\n",
		"BenchmarkKernelSwapin/path=bypass/backend=zswap+zram/comp=lzo/data=text-2\t    4096\t   19865.5 ns/op",
		"BenchmarkKernelSwapout/path=bypass/backend=zram/comp=lzo/data=text-2\t    4096\t",
		"# vmstat path=bypass/backend=zram/comp=lzo/data=text pages=8192 compr-B/page=1327 pswpin=8192 pswpout=8192",
		"check=ok\n", "# vmstat check: all 12 configurations match",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(out, "BenchmarkKernelSwapin/"); n != 24 {
		t.Errorf("%d Swapin lines, want one per round: 24", n)
	}
	back, err := ReadResults(buf.Bytes(), "written")
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(rs) || back[3].MedianSwapin() != rs[3].MedianSwapin() {
		t.Errorf("read back %d results, want %d equal", len(back), len(rs))
	}

	rs[0].Mismatch = []string{"pswpin=0, want ~8192"}
	buf.Reset()
	if err := WriteResults(&buf, h, rs, 1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"check=MISMATCH: pswpin=0, want ~8192", "# VMSTAT CHECK FAILED for 1 of 12", "BenchmarkKernelSwapin/path=bypass/backend=zram/comp=lzo/data=text\t"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestReadResultsErrors(t *testing.T) {
	for _, bad := range []string{"", "goos: linux\n", "BenchmarkKernelSwapin/path=bypass 10 5 ns/op\n", "BenchmarkKernelSwapin/path=bypass/backend=zram/comp=lzo/data=text-2 x 5 ns/op\n"} {
		if _, err := ReadResults([]byte(bad), "bad.txt"); err == nil || !strings.HasPrefix(err.Error(), "bad.txt") || strings.Contains(err.Error(), "\n") {
			t.Errorf("ReadResults(%q) = %v, want a one-line error naming bad.txt", bad, err)
		}
	}
}

func TestOptionsCheck(t *testing.T) {
	for _, o := range []Options{DefaultOptions(), QuickOptions()} {
		if err := o.Check(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	bad := QuickOptions()
	bad.Pages = 1
	if bad.Check() == nil {
		t.Errorf("pages 1 accepted")
	}
	bad = QuickOptions()
	bad.Backends = []string{"nvme"}
	if bad.Check() == nil {
		t.Errorf("backend nvme accepted")
	}
}

// TestCorpusKey: a corpus configuration is written under its file's base
// name (as bench names data=corpus:FILE), so its key reads back.
func TestCorpusKey(t *testing.T) {
	c := Config{Path: PathBypass, Backend: BackendZram, Comp: "lz4", Data: "corpus:/tmp/some dir/app.corpus"}
	if got, want := c.Key(), "path=bypass/backend=zram/comp=lz4/data=corpus:app.corpus"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	var buf bytes.Buffer
	rs := []*Result{{Config: c, Rounds: []Round{{Pages: 16, SwapinNS: 1000, SwapoutNS: 2000}}}}
	if err := WriteResults(&buf, Header{Kernel: "6.18"}, rs, 2); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResults(buf.Bytes(), "corpus.txt")
	if err != nil {
		t.Fatalf("a corpus configuration does not read back: %v", err)
	}
	if len(back) != 1 || back[0].Data != "corpus:app.corpus" || back[0].MedianSwapout() != 2000 {
		t.Errorf("read back %+v, want one corpus:app.corpus result", back)
	}
}
