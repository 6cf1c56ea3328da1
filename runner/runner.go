// Package runner runs benchmark bodies outside `go test`, the way
// `swapbench run` does: the same func(*testing.B) bodies that bench/'s
// tests run, so an installed binary needs no source tree and prints the
// same names.
//
// Configurations are interleaved across rounds (round 1 runs every case
// once, then round 2, ...) so that drift of a noisy machine does not bias
// one configuration. Results are standard Go benchmark format. Every
// completed line is written to the output's temporary file at once and
// the file is renamed into place when the run ends, is interrupted, or
// fails, so a killed run leaves complete lines only, and -resume finishes
// a matrix without redoing what a results file already holds.
//
// A case that records per-op latencies (Case.Latency) has them written
// right after its Benchmark line, in the same write, as report's latency
// side format (see package report):
//
//	# latency-ns BenchmarkNAME-P: V V V ...
//
// benchstat and the benchfmt reader skip these comment lines. A kill
// that tears the write leaves either the round's whole sample or, with
// the torn line dropped by -resume, none of it.
package runner

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A Case is one named benchmark body. Name is the full benchmark name
// without the -GOMAXPROCS suffix, e.g. "BenchmarkSwapin/fix=merged/...".
type Case struct {
	Name string
	F    func(b *testing.B)
	// Latency, if set, returns the per-op latencies in ns that F recorded
	// since Latency was last called, and forgets them. Run drains it
	// before each round of the case and writes what the round recorded.
	Latency func() []float64
}

// Options control a run.
type Options struct {
	// Count is how many rounds to run (benchstat wants 10).
	Count int
	// Benchtime is go test's -benchtime: a duration ("1s") or "Nx".
	Benchtime string
	// Header lines ("key: value") written first, like goos/goarch/cpu.
	Header []string
	// Out is the results file. Resume keeps the lines it already holds
	// and skips those rounds.
	Out    string
	Resume bool
	// Progress, if set and TTY is true (it is a terminal), receives a bar
	// redrawn in place with the ETA; otherwise the run is quiet.
	Progress io.Writer
	TTY      bool
}

// ErrOptions is what errors.Is finds in an error about the run's options
// (count, benchtime, an output file that cannot be created) or about a
// partial file an interrupted run left: the caller's usage, not a failed
// run.
var ErrOptions = errors.New("bad run options")

// optionError is an ErrOptions with its own message.
type optionError string

func (e optionError) Error() string         { return string(e) }
func (optionError) Is(target error) bool    { return target == ErrOptions }
func optionErrorf(f string, a ...any) error { return optionError(fmt.Sprintf(f, a...)) }

var initOnce sync.Once

// setBenchtime sets testing's -test.benchtime, which testing.Benchmark reads.
func setBenchtime(bt string) error {
	initOnce.Do(testing.Init)
	if bt == "" {
		bt = "1s"
	}
	if err := flag.Set("test.benchtime", bt); err != nil {
		return optionErrorf("benchtime %q: want a duration like 1s or a count like 100x", bt)
	}
	return nil
}

// PartialPath is where a run keeps its results until it ends: a complete
// results file at every moment, renamed to out when the run finishes or
// is interrupted. After a SIGKILL it is what is left, and -resume
// continues it.
func PartialPath(out string) string { return out + ".partial" }

// Run runs every case Count times, interleaved, and writes the results to
// opts.Out. If ctx is cancelled it stops after the case in progress,
// saves what completed and returns ctx.Err(). It returns the number of
// results in the file.
func Run(ctx context.Context, cases []Case, opts Options) (int, error) {
	if opts.Count < 1 || opts.Count > 1000 {
		return 0, optionErrorf("count %d: want 1 to 1000", opts.Count)
	}
	if len(cases) == 0 {
		return 0, errors.New("no benchmark matches")
	}
	if err := setBenchtime(opts.Benchtime); err != nil {
		return 0, err
	}
	partial := PartialPath(opts.Out)
	var kept []string
	done := map[string]int{}
	if opts.Resume {
		src := partial
		if _, err := os.Stat(partial); errors.Is(err, os.ErrNotExist) {
			src = opts.Out
		}
		var err error
		if kept, done, err = readDone(src); err != nil {
			return 0, err
		}
	} else if _, err := os.Stat(partial); err == nil {
		return 0, optionErrorf("results file %s: an interrupted run left %s; use -resume to finish it or remove it", opts.Out, partial)
	}
	if len(kept) == 0 {
		kept = opts.Header
	}
	f, err := startPartial(opts.Out, kept)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	written := 0
	for _, n := range done {
		written += n
	}
	todo := 0
	est := newETA()
	for _, c := range cases {
		n := max(opts.Count-done[c.Name], 0)
		todo += n
		est.left[kind(c.Name)] += n
	}
	ran := 0
	suffix := ""
	if p := runtime.GOMAXPROCS(0); p != 1 {
		suffix = fmt.Sprintf("-%d", p)
	}
	var runErr error
rounds:
	for round := 1; round <= opts.Count; round++ {
		for _, c := range cases {
			if done[c.Name] >= round {
				continue
			}
			if err := ctx.Err(); err != nil {
				runErr = err
				break rounds
			}
			progress(opts, c.Name, round, ran, todo, est.String())
			if c.Latency != nil {
				c.Latency() // nothing from before this round
			}
			t0 := time.Now()
			r, failed := benchmark(c.F)
			est.done(kind(c.Name), time.Since(t0))
			if failed != "" {
				runErr = fmt.Errorf("%s: %s", c.Name, failed)
				break rounds
			}
			line := fmt.Sprintf("%s%s\t%s\n", c.Name, suffix, format(r))
			if c.Latency != nil {
				line += LatencyLines(c.Name+suffix, c.Latency())
			}
			// One write per result: a killed run never leaves half a line.
			if _, err := f.WriteString(line); err != nil {
				return written, fmt.Errorf("results file %s: %w", partial, err)
			}
			ran++
			written++
		}
	}
	if opts.Progress != nil && opts.TTY {
		fmt.Fprint(opts.Progress, "\r\033[K")
	}
	if err := f.Sync(); err != nil {
		return written, err
	}
	if err := f.Close(); err != nil {
		return written, err
	}
	if err := os.Rename(partial, opts.Out); err != nil {
		return written, fmt.Errorf("results file %s: %w", opts.Out, err)
	}
	return written, runErr
}

// startPartial creates out's partial file holding lines, atomically: it
// is written under a temporary name and renamed, so an existing partial
// file is never truncated before its lines are safe.
func startPartial(out string, lines []string) (*os.File, error) {
	partial := PartialPath(out)
	dir := filepath.Dir(partial)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(partial)+".*")
	if err != nil {
		// Nothing has run yet: the output named is bad input.
		return nil, optionErrorf("results file %s: cannot write in %s: %v", out, dir, errors.Unwrap(err))
	}
	// CreateTemp makes 0600; a results file is as readable as any other.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("results file %s: %w", partial, err)
	}
	w := bufio.NewWriter(tmp)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("results file %s: %w", partial, err)
	}
	if err := os.Rename(tmp.Name(), partial); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("results file %s: %w", partial, err)
	}
	return tmp, nil
}

// benchmark runs one body, recovering a b.Fatal as a failure message.
func benchmark(fn func(*testing.B)) (r testing.BenchmarkResult, failed string) {
	var msg string
	r = testing.Benchmark(func(b *testing.B) {
		defer func() {
			if b.Failed() && msg == "" {
				msg = "benchmark failed"
			}
		}()
		fn(b)
	})
	if r.N == 0 {
		if msg == "" {
			msg = "benchmark failed (b.Fatal or b.Skip; run it under go test for its message)"
		}
		return r, msg
	}
	return r, ""
}

// format renders a result as go test does: N, ns/op, then the reported
// metrics sorted by unit, then B/op and allocs/op.
func format(r testing.BenchmarkResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%8d\t%10.1f ns/op", r.N, float64(r.T.Nanoseconds())/float64(r.N))
	units := make([]string, 0, len(r.Extra))
	for u := range r.Extra {
		units = append(units, u)
	}
	sort.Strings(units)
	for _, u := range units {
		fmt.Fprintf(&b, "\t%10.4g %s", r.Extra[u], u)
	}
	fmt.Fprintf(&b, "\t%8d B/op\t%8d allocs/op", r.AllocedBytesPerOp(), r.AllocsPerOp())
	return b.String()
}

// latencyPerLine keeps a latency line far below benchstat's 64 KiB line
// limit (package report).
const latencyPerLine = 1000

// LatencyLines formats latencies (ns) of the benchmark called name as
// "# latency-ns NAME: V V ..." lines, at most latencyPerLine values a
// line, each rounded to a whole ns. No latencies give no lines.
func LatencyLines(name string, ns []float64) string {
	var b []byte
	for i, v := range ns {
		if i%latencyPerLine == 0 {
			if i > 0 {
				b = append(b, '\n')
			}
			b = append(b, "# latency-ns "...)
			b = append(b, name...)
			b = append(b, ':')
		}
		b = append(b, ' ')
		b = strconv.AppendFloat(b, max(v, 0), 'f', 0, 64)
	}
	if len(b) > 0 {
		b = append(b, '\n')
	}
	return string(b)
}

// kind is a benchmark name's top level, e.g. "BenchmarkSwapin": the
// runs of one kind take about as long as each other, those of
// different kinds do not (a ZswapIndex round builds 2^24 entries, a
// Swapin one swaps 2000 pages).
func kind(name string) string {
	k, _, _ := strings.Cut(name, "/")
	return k
}

// An eta estimates the time a run has left from the runs completed so
// far, kind by kind: the runs left of each kind times the mean time of
// that kind's completed runs. A kind none of whose runs has completed
// yet is priced at the mean of all completed runs.
type eta struct {
	left  map[string]int           // runs still to do, per kind
	spent map[string]time.Duration // time of the completed runs, per kind
	ran   map[string]int           // completed runs, per kind
}

func newETA() *eta {
	return &eta{left: map[string]int{}, spent: map[string]time.Duration{}, ran: map[string]int{}}
}

// done records a completed run of kind k that took d.
func (e *eta) done(k string, d time.Duration) {
	e.left[k]--
	e.spent[k] += d
	e.ran[k]++
}

// estimate returns the time left, or false before any run completed.
func (e *eta) estimate() (time.Duration, bool) {
	var all time.Duration
	n := 0
	for k, d := range e.spent {
		all += d
		n += e.ran[k]
	}
	if n == 0 {
		return 0, false
	}
	var left float64
	for k, m := range e.left {
		if m <= 0 {
			continue
		}
		mean := float64(all) / float64(n)
		if e.ran[k] > 0 {
			mean = float64(e.spent[k]) / float64(e.ran[k])
		}
		left += mean * float64(m)
	}
	return time.Duration(left), true
}

func (e *eta) String() string {
	d, ok := e.estimate()
	if !ok {
		return "?"
	}
	return d.Round(time.Second).String()
}

func progress(opts Options, name string, round, ran, todo int, eta string) {
	// Only a terminal gets progress: a log or a pipe gets the results
	// file and the summary, not a line per benchmark run.
	if opts.Progress == nil || !opts.TTY {
		return
	}
	const width = 30
	fill := width * ran / max(todo, 1)
	fmt.Fprintf(opts.Progress, "\r\033[K[%s%s] %d/%d ETA %s  round %d %s",
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), ran, todo, eta, round, shorten(name, 60))
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n+3:]
}

// readDone reads a results file for -resume: the lines to keep and how
// many results each benchmark already has. A missing file is an empty
// start; a torn last line (a killed run) is dropped.
func readDone(path string) ([]string, map[string]int, error) {
	done := map[string]int{}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, done, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var kept []string
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if i == len(lines)-1 && l != "" {
			break // no newline: torn by a kill
		}
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "Benchmark") {
			f := strings.Fields(l)
			if len(f) < 4 || !strings.HasSuffix(l, "allocs/op") {
				continue // incomplete result
			}
			done[trimProcs(f[0])]++
		}
		kept = append(kept, l)
	}
	return kept, done, nil
}

// trimProcs drops a -GOMAXPROCS suffix from a benchmark name.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := fmt.Sscanf(name[i+1:], "%d", new(int)); err == nil && !strings.Contains(name[i:], "=") {
			return name[:i]
		}
	}
	return name
}
