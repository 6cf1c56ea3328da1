package workloads

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

const captureChildEnv = "SWAPBENCH_CAPTURE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(captureChildEnv) == "1" {
		captureChild()
	}
	os.Exit(m.Run())
}

// capturePage is the page the child process fills its memory with.
var capturePage = bytes.Repeat([]byte("swapbench-child!"), PageSize/16)

var childMem []byte

// captureChild is the child process of TestCapture: it fills 8 MiB of
// anonymous memory with capturePage, says "ready" and waits to be killed.
func captureChild() {
	childMem = make([]byte, 8<<20)
	for i := 0; i < len(childMem); i += PageSize {
		copy(childMem[i:], capturePage)
	}
	fmt.Println("ready")
	for {
		time.Sleep(time.Hour)
	}
}

func TestCapture(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Capture reads /proc, which needs Linux")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), captureChildEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		if line != "ready\n" {
			t.Fatalf("child said %q, want \"ready\"", line)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("child did not get ready within 30 s")
	}
	pid := cmd.Process.Pid
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		t.Skipf("cannot open the child's memory (%v): Capture needs ptrace access to the process", err)
	}
	mem.Close()

	const maxPages = 1024
	var out bytes.Buffer
	n, err := Capture(pid, maxPages, 1, &out)
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCorpus("captured", out.Bytes())
	if err != nil {
		t.Fatalf("Capture wrote a bad corpus: %v", err)
	}
	if n < 1 || n > maxPages || uint64(n) != c.n {
		t.Fatalf("Capture returned %d pages, corpus holds %d; want 1..%d and equal", n, c.n, maxPages)
	}
	if want := fmt.Sprintf("pid=%d ", pid); !strings.HasPrefix(c.source, want) {
		t.Errorf("corpus source %q, want it to start with %q", c.source, want)
	}
	hits := 0
	for i := range c.n {
		if bytes.Equal(c.data[i*PageSize:(i+1)*PageSize], capturePage) {
			hits++
		}
	}
	t.Logf("captured %d pages (%s), %d hold the pattern", n, c.source, hits)
	if hits == 0 {
		t.Errorf("none of the %d captured pages holds the child's 8 MiB pattern", n)
	}
}

func TestCaptureErrors(t *testing.T) {
	for _, tc := range []struct {
		pid, max int
		want     string
	}{
		{-7, 10, "capture pid -7: open /proc/-7/maps"},
		{os.Getpid(), 0, "maxPages 0; want at least 1"},
	} {
		_, err := Capture(tc.pid, tc.max, 1, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Capture(%d, %d) error %v, want %q", tc.pid, tc.max, err, tc.want)
		}
	}
}

func TestParseMaps(t *testing.T) {
	maps := `55d0c0a00000-55d0c0a02000 r--p 00000000 fd:01 123 /usr/bin/cat
55d0c0a02000-55d0c0a06000 rw-p 00002000 fd:01 123 /usr/bin/cat
55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0                          [heap]
7f0000000000-7f0000004000 rw-p 00000000 00:00 0
7f0000004000-7f0000008000 ---p 00000000 00:00 0
7f0000008000-7f000000a000 rw-p 00000000 00:00 0                          [anon:go heap]
7f000000a000-7f000000b000 rw-s 00000000 00:01 7                          /dev/zero (deleted)
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]
7ffc000fe000-7ffc00100000 r--p 00000000 00:00 0                          [vvar]
`
	rs, total, err := parseMaps([]byte(maps))
	if err != nil {
		t.Fatal(err)
	}
	want := []anonRange{{0x55d0c1000, 0x21}, {0x7f0000000, 4}, {0x7f0000008, 2}, {0x7ffc00000, 0x21}}
	if !slices.Equal(rs, want) || total != 0x21+4+2+0x21 {
		t.Errorf("parseMaps = %x, %d; want %x, %d", rs, total, want, 0x21+4+2+0x21)
	}
	if _, _, err := parseMaps([]byte("zz-10 rw-p 0 0:0 0\n")); err == nil {
		t.Error("parseMaps accepted a bad address range")
	}
}

func TestSamplePages(t *testing.T) {
	a, b := samplePages(1000, 100, 5), samplePages(1000, 100, 5)
	if !slices.Equal(a, b) {
		t.Error("samplePages is not deterministic")
	}
	if len(a) != 100 || !slices.IsSorted(a) || len(slices.Compact(slices.Clone(a))) != 100 || a[99] >= 1000 {
		t.Errorf("samplePages(1000, 100) = %v: want 100 distinct sorted pages below 1000", a)
	}
	if c := samplePages(1000, 100, 6); slices.Equal(a, c) {
		t.Error("samplePages ignores the seed")
	}
	if all := samplePages(3, 10, 1); !slices.Equal(all, []uint64{0, 1, 2}) {
		t.Errorf("samplePages(3, 10) = %v, want all pages", all)
	}
	// Uniform: every tenth of the range gets about a tenth of the picks.
	var tenths [10]int
	for s := range uint64(200) {
		for _, p := range samplePages(10000, 50, s) {
			tenths[p/1000]++
		}
	}
	for i, k := range tenths {
		if k < 800 || k > 1200 {
			t.Errorf("tenth %d got %d of 10000 picks, want about 1000", i, k)
		}
	}
}
