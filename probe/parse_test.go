package probe

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseVmstat(t *testing.T) {
	v, err := ParseVmstat(read(t, "vmstat-before.txt"), "vmstat-before.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"pswpin", "pswpout", "zswpin", "zswpout", "swap_ra", "swap_ra_hit", "nr_swapcached", "swpin_zero"} {
		if _, ok := v[k]; !ok {
			t.Errorf("no %s in the recorded vmstat", k)
		}
	}
	if v["pgfault"] == 0 {
		t.Errorf("pgfault = 0, want the recorded count")
	}
	after := Vmstat{}
	for k, x := range v {
		after[k] = x
	}
	after["pswpin"] += 4096
	after["zswpout"] += 7
	after["pgfault"] += 100 // not a swap counter
	d := Delta(v, after)
	if d["pswpin"] != 4096 || d["zswpout"] != 7 {
		t.Errorf("delta pswpin=%d zswpout=%d, want 4096 7", d["pswpin"], d["zswpout"])
	}
	if _, ok := d["pgfault"]; ok {
		t.Errorf("delta has pgfault, want swap counters only")
	}
	if got, want := FormatDelta(d, "pswpout"), "pswpin=4096 pswpout=0 zswpout=7"; got != want {
		t.Errorf("FormatDelta = %q, want %q", got, want)
	}
	for _, bad := range []string{"", "pswpin\n", "pswpin x\n", "a 1 2\n"} {
		if _, err := ParseVmstat([]byte(bad), "bad"); err == nil || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "bad") {
			t.Errorf("ParseVmstat(%q) = %v, want a one-line error naming the input", bad, err)
		}
	}
}

func TestSwapCounter(t *testing.T) {
	for name, want := range map[string]bool{
		"pswpin": true, "pswpout": true, "zswpin": true, "zswpout": true, "zswpwb": true,
		"swap_ra": true, "swap_ra_hit": true, "nr_swapcached": true, "swpin_zero": true, "swpout_zero": true,
		"pgfault": false, "pgmajfault": false, "nr_free_pages": false,
	} {
		if SwapCounter(name) != want {
			t.Errorf("SwapCounter(%s) = %v, want %v", name, !want, want)
		}
	}
}

func TestParseSwaps(t *testing.T) {
	s, err := ParseSwaps(read(t, "swaps-empty.txt"), "swaps-empty.txt")
	if err != nil || len(s) != 0 {
		t.Fatalf("empty /proc/swaps: %v, %v; want no swaps", s, err)
	}
	s, err = ParseSwaps(read(t, "swaps-two.txt"), "swaps-two.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Swap{
		{Filename: "/dev/zram0", Type: "partition", SizeKiB: 262140, UsedKiB: 1024, Priority: 32767},
		{Filename: "/swap file", Type: "file", SizeKiB: 1048572, Priority: -2},
	}
	if !slices.Equal(s, want) {
		t.Errorf("ParseSwaps = %+v, want %+v", s, want)
	}
	for _, bad := range []string{"", "nonsense\n", "Filename Type Size Used Priority\n/dev/x partition 1 2\n", "Filename\n/dev/x partition a 2 3\n"} {
		if _, err := ParseSwaps([]byte(bad), "bad"); err == nil || !strings.HasPrefix(err.Error(), "bad") {
			t.Errorf("ParseSwaps(%q) = %v, want an error naming the input", bad, err)
		}
	}
}

func TestParseChoice(t *testing.T) {
	for _, tc := range []struct {
		file, sel string
		choices   []string
	}{
		{"zram-comp_algorithm.txt", "lzo-rle", []string{"lzo-rle", "lzo", "lz4"}},
		{"zram-comp_algorithm-lz4.txt", "lz4", []string{"lzo", "lz4", "zstd"}},
	} {
		c, s, err := ParseChoice(read(t, tc.file), tc.file)
		if err != nil || s != tc.sel || !slices.Equal(c, tc.choices) {
			t.Errorf("%s: %v [%s] %v; want %v [%s]", tc.file, c, s, err, tc.choices, tc.sel)
		}
	}
	for _, bad := range []string{"", "lzo lz4\n", "[lzo] [lz4]", "lzo [lz4", "[]"} {
		if _, _, err := ParseChoice([]byte(bad), "bad"); err == nil || !strings.HasPrefix(err.Error(), "bad") {
			t.Errorf("ParseChoice(%q) = %v, want an error naming the input", bad, err)
		}
	}
}

func TestParseZswapParams(t *testing.T) {
	on, err := ParseBool(read(t, "zswap-enabled.txt"), "enabled")
	if err != nil || on {
		t.Errorf("enabled = %v, %v; want false (recorded N)", on, err)
	}
	if on, err := ParseBool([]byte("Y\n"), "enabled"); err != nil || !on {
		t.Errorf("ParseBool(Y) = %v, %v", on, err)
	}
	if _, err := ParseBool([]byte("maybe"), "enabled"); err == nil || !strings.HasPrefix(err.Error(), "enabled") {
		t.Errorf("ParseBool(maybe) = %v, want an error naming the input", err)
	}
	c, err := ParseWord(read(t, "zswap-compressor.txt"), "compressor")
	if err != nil || c != "lzo" {
		t.Errorf("compressor = %q, %v; want lzo", c, err)
	}
	if _, err := ParseWord([]byte("lzo lz4"), "compressor"); err == nil {
		t.Errorf("ParseWord(two words) succeeded")
	}
	n, err := ParseInt(read(t, "zswap-max_pool_percent.txt"), "max_pool_percent")
	if err != nil || n != 20 {
		t.Errorf("max_pool_percent = %d, %v; want 20", n, err)
	}
	if _, err := ParseInt([]byte("x"), "page-cluster"); err == nil || !strings.HasPrefix(err.Error(), "page-cluster") {
		t.Errorf("ParseInt(x) = %v, want an error naming the input", err)
	}
}

func TestParseCompressors(t *testing.T) {
	c, err := ParseCompressors(read(t, "crypto.txt"), "crypto.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"lzo", "lzo-rle", "deflate"} {
		if !slices.Contains(c, want) {
			t.Errorf("compressors %v: no %s", c, want)
		}
	}
	for _, not := range []string{"sha256", "aes", "crc32c"} {
		if slices.Contains(c, not) {
			t.Errorf("compressors %v include %s", c, not)
		}
	}
}

func TestDiff(t *testing.T) {
	a := &State{ZramComp: "lzo-rle", ZswapCompressor: "lzo", PageCluster: 3}
	b := *a
	if d := a.Diff(&b); len(d) != 0 {
		t.Errorf("Diff of equal states = %v", d)
	}
	b.PageCluster = 0
	b.Swaps = []Swap{{Filename: "/dev/zram0"}}
	if d := a.Diff(&b); len(d) != 2 {
		t.Errorf("Diff = %v, want swaps and page-cluster", d)
	}
}
