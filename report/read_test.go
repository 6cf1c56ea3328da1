package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadLatency(t *testing.T) {
	s, err := Read("testdata/swapin.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Latency) != 7 {
		t.Fatalf("%d latency samples, want 7 (one per fix and sync)", len(s.Latency))
	}
	l := s.Latency[0]
	if l.Name != "Swapin/fix=exclusive/sync=tick/kernel=v6.9/backend=zswap+zram/comp=lz4/data=text-2" || len(l.Values) != 2000 {
		t.Errorf("first sample %s has %d values", l.Name, len(l.Values))
	}
	if l.Key("fix") != "exclusive" || l.Key("sync") != "tick" || l.Key("nosuch") != "" {
		t.Errorf("keys of %s: fix %q sync %q", l.Name, l.Key("fix"), l.Key("sync"))
	}
	// Latency lines are not results, and results are still all read.
	if len(s.Results) != 10*(7*8+3*6*3) {
		t.Errorf("%d results", len(s.Results))
	}
}

func TestLatencyFormat(t *testing.T) {
	// A separate latency file, samples split over lines, prefix and
	// GOMAXPROCS suffix optional.
	p := writeTemp(t, "x.lat", "# latency-ns BenchmarkSwapin/fix=a-2: 1 2 3\n"+
		"# latency-ns BenchmarkSwapin/fix=a-2: 4 5.5\n"+
		"# latency-ns Swapin/fix=b: 7\n"+
		"# latency-ns Swapin/data=corpus:pages.bin-2: 8 9\n")
	s, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Latency) != 3 || len(s.Latency[0].Values) != 5 || s.Latency[0].Values[4] != 5.5 || s.Latency[1].Name != "Swapin/fix=b" {
		t.Fatalf("got %+v %+v", s.Latency[0], s.Latency[1])
	}
	if l := s.Latency[2]; l.Name != "Swapin/data=corpus:pages.bin-2" || len(l.Values) != 2 {
		t.Errorf("a name with a colon: got %+v", l)
	}
	for _, bad := range []string{
		"# latency-ns Swapin/fix=a 1 2\n",
		"# latency-ns Swapin/fix=a:\n",
		"# latency-ns Swapin/fix=a: 1 x\n",
		"# latency-ns Swapin/fix=a: 1 -2\n",
		"# latency-ns : 1\n",
	} {
		p := writeTemp(t, "bad.lat", "goos: linux\n"+bad)
		_, err := Read(p)
		if err == nil || !strings.HasPrefix(err.Error(), p+":2: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line naming %s:2", bad, err, p)
		}
	}
}

func TestPercentiles(t *testing.T) {
	l := &Latency{Name: "x"}
	for i := 100; i >= 1; i-- {
		l.Values = append(l.Values, float64(i))
	}
	p, err := l.Percentiles()
	if err != nil {
		t.Fatal(err)
	}
	if p != (Percentiles{N: 100, P50: 50, P90: 90, P99: 99, P999: 100, Max: 100}) {
		t.Errorf("got %+v", p)
	}
	if _, err := (&Latency{Name: "empty"}).Percentiles(); err == nil {
		t.Error("no error for an empty sample")
	}
}

func TestWriteLatencyGolden(t *testing.T) {
	s, err := Read("testdata/swapin.txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteLatency(&b, s.Latency); err != nil {
		t.Fatal(err)
	}
	checkWidth(t, b.String())
	golden(t, "latency.golden", []byte(b.String()))
}

func TestReadWarnings(t *testing.T) {
	p := writeTemp(t, "w.txt", "BenchmarkX 10 5 ns/op\nBenchmarkY 10 x ns/op\n")
	s, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Results) != 1 || len(s.Warnings) != 1 || !strings.HasPrefix(s.Warnings[0], p+":2: ") {
		t.Errorf("results %d warnings %q", len(s.Results), s.Warnings)
	}
	if _, err := Read(); err == nil {
		t.Error("Read() with no files: no error")
	}
	if _, err := Read(t.TempDir()); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("reading a directory: %v", err)
	}
}

// TestWriteLatencyLong: labels too long for one 72-column line go on
// lines of their own, each followed by its numbers.
func TestWriteLatencyLong(t *testing.T) {
	var lats []*Latency
	for _, fix := range []string{"writeback-on-failure", "merged"} {
		for _, pat := range []string{"sequential", "random"} {
			lats = append(lats, &Latency{
				Name:   "ParallelSwapin/fix=" + fix + "/sync=tick/pattern=" + pat + "-2",
				Values: []float64{4298, 4439, 6120, 12360, 4004000},
			})
		}
	}
	var b strings.Builder
	if err := WriteLatency(&b, lats); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	checkWidth(t, out)
	if !strings.Contains(out, "\nwriteback-on-failure/sequential\n    5  6.120µs") {
		t.Errorf("want each label on its own line, numbers below:\n%s", out)
	}
}

// A file with no valid result names its first bad line, not its last,
// and only its own.
func TestReadFirstBadLine(t *testing.T) {
	good := writeTemp(t, "good.txt", "BenchmarkX 10 5 ns/op\nBenchmarkX 10 x ns/op\n")
	bad := writeTemp(t, "bad.txt", "goos: linux\nBenchmarkX 10 x ns/op\nBenchmarkY 10\nBenchmarkZ ten 5 ns/op\n")
	_, err := Read(good, bad)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "first bad line "+bad+":2: ") || !strings.Contains(msg, "2 more bad lines") ||
		strings.Contains(msg, good) || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line naming %s:2 as the first bad line", msg, bad)
	}
}
