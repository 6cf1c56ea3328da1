package main

import (
	"io"

	"github.com/swapbench/swapbench/report"
)

func init() {
	commands["compare"] = command{"compare benchmark results benchstat-style, one column per fix", cmdCompare}
}

func cmdCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare", stderr)
	col := fs.String("col", "", "split results into columns by this benchproc projection (default /fix)")
	row := fs.String("row", "", "split results into rows by this projection (default .fullname: the rest of the name)")
	table := fs.String("table", "", "split results into tables by this projection, as benchstat's -table (default .config, as benchstat, for -format text; .config,.name, a table per benchmark, for the others)")
	base := fs.String("base", "", "the column to compare the others with, moved first (default the first in file order, as benchstat)")
	filter := fs.String("filter", "", "use only results matching this benchproc filter, e.g. '.unit:kernel-ns/op /backend:zram'")
	format := fs.String("format", "text", "output format: text (go tool benchstat's layout, as wide as the columns need), mail (at most 72 columns, a line per row and column when wider), markdown or csv")
	alpha := fs.Float64("alpha", 0.05, "significance level of the Mann-Whitney U test")
	confidence := fs.Float64("confidence", 0.95, "confidence level of the intervals")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no results files; usage: swapbench compare [-col KEY] [-row KEY] [-table KEY] [-format text|mail|markdown|csv] FILES...")
	}
	var write func(*report.Comparison, io.Writer) error
	switch *format {
	case "text":
		write = (*report.Comparison).WriteBenchstat
		if *table == "" {
			*table = ".config"
		}
	case "mail":
		write = (*report.Comparison).WriteText
	case "markdown", "md":
		write = (*report.Comparison).WriteMarkdown
	case "csv":
		write = (*report.Comparison).WriteCSV
	default:
		return usagef("-format %q: want text, mail, markdown or csv", *format)
	}
	c, err := report.Compare(files, report.Options{Col: *col, Row: *row, Table: *table, Base: *base, Filter: *filter, Alpha: *alpha, Confidence: *confidence})
	if err != nil {
		return usageError{err}
	}
	return write(c, stdout)
}
