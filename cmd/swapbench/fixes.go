package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/swapbench/swapbench/fixes"
	"github.com/swapbench/swapbench/model"
)

func cmdFixes(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("fixes", stderr)
	if err := parse(fs, args, false); err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "fix\tsync modes\tkernel bases\tapplies to\tproposed by")
	var kbs []string
	for _, kb := range model.KernelBases() {
		kbs = append(kbs, kb.String())
	}
	for _, f := range fixes.All() {
		var syncs []string
		for _, s := range f.Syncs {
			syncs = append(syncs, s.String())
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", f.Name, strings.Join(syncs, ","), strings.Join(kbs, ","), f.Kernel, f.Author)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	for _, f := range fixes.All() {
		fmt.Fprintf(stdout, "%s: %s\n    %s\n", f.Name, f.Summary, f.Source)
	}
	fmt.Fprintln(stdout, "\nThe first sync mode listed is the one the fix was proposed with.")
	return nil
}
