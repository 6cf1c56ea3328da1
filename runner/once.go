package runner

import (
	"errors"
	"testing"
)

// Once runs one benchmark body under benchtime (a duration or "Nx"), as
// Run runs each case, and returns its result, or the failure of a
// b.Fatal as an error. Callers that need a number from a body rather
// than a results file (swapbench validate) use it.
func Once(fn func(*testing.B), benchtime string) (testing.BenchmarkResult, error) {
	if err := setBenchtime(benchtime); err != nil {
		return testing.BenchmarkResult{}, err
	}
	r, failed := benchmark(fn)
	if failed != "" {
		return r, errors.New(failed)
	}
	return r, nil
}
