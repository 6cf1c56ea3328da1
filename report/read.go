package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// A Set is everything read from some benchmark output files.
type Set struct {
	// Paths are the inputs, in the order given.
	Paths []string
	// Results are the benchmark results, in input order. Each has a
	// ".file" configuration key naming its input (the path, or the
	// label of a "label=path" argument), as benchstat does.
	Results []*benchfmt.Result
	// Latency holds the per-swapin latency samples, one per
	// benchmark name, in order of first appearance.
	Latency []*Latency
	// Units is the unit metadata ("Unit" lines) of all inputs.
	Units benchfmt.UnitMetadataMap
	// Warnings are the Benchmark lines that did not parse, as
	// "file:line: message". Like benchstat, Read skips them.
	Warnings []string
}

// A Latency is the per-swapin latency sample of one benchmark.
type Latency struct {
	// Name is the benchmark name without the "Benchmark" prefix,
	// e.g. "Swapin/fix=merged/sync=tick/data=text-2".
	Name string
	// Values are the latencies in nanoseconds, in input order.
	Values []float64
}

// expect is what every input error says was expected.
const expect = "expected Go benchmark output (lines like \"BenchmarkSwapin/fix=merged-2  100000  2310 ns/op\")"

// latencyPrefix starts a latency line.
const latencyPrefix = "# latency-ns "

// maxLine is the longest line Read accepts (latency lines may be long).
const maxLine = 64 << 20

// Read reads benchmark results and latency samples from files. An
// argument of the form label=path reads path and labels its results
// label in the ".file" key, as benchstat does. The error for a file
// that is missing, empty or holds no benchmark output names it and
// says what was expected.
func Read(paths ...string) (*Set, error) {
	if len(paths) == 0 {
		return nil, errors.New("no input files; " + expect)
	}
	s := &Set{Paths: paths}
	lat := map[string]*Latency{}
	var r benchfmt.Reader
	count := map[string]int{}
	for _, arg := range paths {
		if label, path := splitLabel(arg); label == path {
			count[path]++
		}
	}
	seen := map[string]int{}
	for _, arg := range paths {
		label, path := splitLabel(arg)
		if label == path && count[path] > 1 {
			label = fmt.Sprintf("%s#%d", path, seen[path])
			seen[path]++
		}
		data, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: no such file; %s", path, expect)
			}
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: %v; %s", path, pe.Err, expect)
			}
			return nil, err
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return nil, fmt.Errorf("%s: empty file; %s", path, expect)
		}
		rest, nlat, err := extractLatency(path, data, lat, &s.Latency)
		if err != nil {
			return nil, err
		}
		n, firstWarning := 0, len(s.Warnings)
		r.Reset(bytes.NewReader(rest), path, ".file", label)
		for r.Scan() {
			switch rec := r.Result().(type) {
			case *benchfmt.Result:
				s.Results = append(s.Results, rec.Clone())
				n++
			case *benchfmt.SyntaxError:
				s.Warnings = append(s.Warnings, rec.Error())
			}
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
		if n == 0 && nlat == 0 {
			if bad := s.Warnings[firstWarning:]; len(bad) > 0 {
				more := ""
				if len(bad) > 1 {
					more = fmt.Sprintf("; %d more bad lines", len(bad)-1)
				}
				return nil, fmt.Errorf("%s: no benchmark results (first bad line %s%s); %s", path, bad[0], more, expect)
			}
			return nil, fmt.Errorf("%s: no benchmark results; %s", path, expect)
		}
	}
	s.Units = r.Units()
	return s, nil
}

// splitLabel splits a "label=path" argument.
func splitLabel(arg string) (label, path string) {
	if i := strings.Index(arg, "="); i >= 0 {
		return arg[:i], arg[i+1:]
	}
	return arg, arg
}

// extractLatency parses the latency lines of data into lat (appending
// new samples to order) and returns data with those lines blanked, so
// that the benchfmt reader's line numbers stay right.
func extractLatency(path string, data []byte, lat map[string]*Latency, order *[]*Latency) ([]byte, int, error) {
	if !bytes.Contains(data, []byte(latencyPrefix)) {
		return data, 0, nil
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxLine)
	n, line := 0, 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if !strings.HasPrefix(text, latencyPrefix) {
			out.WriteString(text)
			out.WriteByte('\n')
			continue
		}
		out.WriteByte('\n')
		name, vals, err := parseLatency(text[len(latencyPrefix):])
		if err != nil {
			return nil, 0, fmt.Errorf("%s:%d: %v; want \"# latency-ns BenchmarkNAME: NS NS ...\"", path, line, err)
		}
		l := lat[name]
		if l == nil {
			l = &Latency{Name: name}
			lat[name] = l
			*order = append(*order, l)
		}
		l.Values = append(l.Values, vals...)
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("%s:%d: %v", path, line+1, err)
	}
	return out.Bytes(), n, nil
}

func parseLatency(s string) (string, []float64, error) {
	// The name ends at the first ": "; names may hold ':' themselves
	// (data=corpus:FILE).
	name, list, ok := strings.Cut(s, ": ")
	if !ok {
		name, list, ok = strings.Cut(s, ":")
	}
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return "", nil, errors.New("latency line has no benchmark name before ':'")
	}
	name = strings.TrimPrefix(name, "Benchmark")
	fields := strings.Fields(list)
	if len(fields) == 0 {
		return "", nil, errors.New("latency line has no values")
	}
	vals := make([]float64, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 0 || v != v || v > 1e300 {
			return "", nil, fmt.Errorf("latency value %q is not a non-negative number of nanoseconds", f)
		}
		vals[i] = v
	}
	return name, vals, nil
}
