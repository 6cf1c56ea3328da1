// Package report turns swapbench benchmark output into what a kernel
// review thread can use: benchstat-style comparison tables, latency
// percentiles, a few sentences naming the largest differences, and a
// plain-text report of at most 72 columns.
//
// # Input
//
// Read reads files in the standard Go benchmark format
// (https://golang.org/design/14313-benchmark-format): "key: value"
// configuration lines and Benchmark lines, as go test -bench and
// swapbench run write them. Every file must hold at least one result
// or one latency line; a missing, empty or non-benchmark file is an
// error that names it.
//
// # Latency side format
//
// Per-swapin latency samples, from which the percentiles and the CDF
// plot are drawn, travel in comment lines that benchstat and the
// benchfmt reader ignore, either in the results file itself or in a
// separate file passed with it:
//
//	# latency-ns NAME: V V V ...
//
// NAME is the benchmark name exactly as on its Benchmark line
// ("BenchmarkSwapin/fix=merged/sync=tick/...-2"; the "Benchmark"
// prefix and the -GOMAXPROCS suffix are optional), so the same sub-name
// keys (fix, sync, backend, ...) select and group them; it ends at the
// first ": " (a name may hold ':', as data=corpus:FILE does). Each V is one
// swapin's latency in nanoseconds, a non-negative decimal number.
// Lines with the same NAME add to the same sample, in order: emitters
// should keep a line under 64 KiB (benchstat's line limit; 1000
// values a line is safe) and split longer samples over several lines.
// A malformed latency line is an error naming the file and line.
//
// # Statistics
//
// Comparison tables are built with golang.org/x/perf exactly as
// benchstat builds them: benchproc projections choose tables, rows and
// columns; benchmath summarises each cell by its median and a
// distribution-free confidence interval (95% by default) and compares
// each column with the first (the baseline) with the Mann-Whitney U
// test, showing "~" where p >= alpha (0.05 by default); benchunit
// scales the numbers. Tables are split by file configuration, as in
// benchstat, and also by benchmark name, so a geomean row never
// averages different benchmarks. The tests check medians and p-values
// against the real benchstat.
//
// Latency percentiles use the nearest-rank method
// (github.com/montanaflynn/stats PercentileNearestRank): p99 is a
// latency that was actually observed.
package report
