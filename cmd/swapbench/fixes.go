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
	fmt.Fprintln(w, "fix\tsync modes\tproposed for\tkernel bases")
	var refused []string
	for _, f := range fixes.All() {
		var syncs, bases []string
		for _, s := range f.Syncs {
			syncs = append(syncs, s.String())
		}
		for _, kb := range model.KernelBases() {
			if err := f.AppliesTo(kb); err != nil {
				refused = append(refused, err.Error())
				continue
			}
			bases = append(bases, kb.String())
		}
		span := bases[0]
		if len(bases) > 1 {
			span += "-" + bases[len(bases)-1]
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", f.Name, strings.Join(syncs, ","), f.Kernel, span)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%s\n", report.Wrap("The first sync mode listed is the one the fix was proposed with, "+
		"and its default up to v6.10; from v6.12 a fix proposed with the one-tick sleep runs by default with the "+
		"wait queue that replaced it (01626a182302), and on v7.0, which has no bypass, every fix runs with the swap "+
		"cache's own synchronisation (folio-lock).", ""))
	if len(refused) > 0 {
		fmt.Fprintf(stdout, "\nRefused pairings:\n")
		for _, r := range refused {
			fmt.Fprintln(stdout, report.Wrap("  "+r, "    "))
		}
	}
	fmt.Fprintln(stdout)
	for _, f := range fixes.All() {
		fmt.Fprintln(stdout, report.Wrap(f.Name+": "+f.Summary, "    "))
		fmt.Fprintln(stdout, report.Wrap("    from "+f.Author, "      "))
		fmt.Fprintln(stdout, report.Wrap("    "+f.Source, "      "))
	}
	return nil
}
