package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
	"github.com/swapbench/swapbench/report"
)

func cmdFixes(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("fixes", stderr)
	if err := parse(fs, args, false); err != nil {
		return err
	}
	// The table keeps to the short columns; who proposed a fix and
	// where, which run long, go in the paragraphs below it, wrapped
	// to report.MaxWidth, so that no line passes 100 columns.
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "fix\tsync modes\tapplies to")
	for _, f := range fixes.All() {
		var syncs []string
		for _, s := range f.Syncs {
			syncs = append(syncs, s.String())
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", f.Name, strings.Join(syncs, ","), f.Kernel)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	var kbs []string
	for _, kb := range model.KernelBases() {
		kbs = append(kbs, kb.String())
	}
	fmt.Fprintf(stdout, "\n%s\n\n", report.Wrap("Every fix runs on each kernel base: "+strings.Join(kbs, ", ")+
		". The first sync mode listed is the one the fix was proposed with.", ""))
	for _, f := range fixes.All() {
		fmt.Fprintln(stdout, report.Wrap(f.Name+": "+f.Summary, "    "))
		fmt.Fprintln(stdout, report.Wrap("    from "+f.Author, "      "))
		fmt.Fprintln(stdout, report.Wrap("    "+f.Source, "      "))
	}
	return nil
}
