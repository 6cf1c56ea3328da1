package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/swapbench/swapbench/plots"
	"github.com/swapbench/swapbench/validate"
)

func init() {
	commands["validate"] = command{"run the simulator for the configurations swapbench probe measured and compare", cmdValidate}
}

// cmdValidate prints the held-out (leave-one-out) and in-sample
// predictions against measured time for every configuration of a probe
// results file and writes the table and the
// plots into -o. Unreadable or malformed inputs and an unusable -o are
// bad input (exit 2); a simulation that fails is a failed run (exit 1).
func cmdValidate(args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("validate", stderr)
	probeFile := fs.String("probe", "", "results `file` written by swapbench probe (required)")
	profile := fs.String("profile", "", "cost profile `file` to simulate under (default: the -probe file with .profile appended, as probe writes it)")
	base := fs.String("base", "x86-2024", "cost `profile` the fit started from (swapbench probe -base): each leave-one-out refit starts from it")
	out := fs.String("o", ".", "`directory` for validation.txt and the plots validate-swapin and validate-swapout (PNG, SVG)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *probeFile == "" {
		return usagef("no -probe file; usage: swapbench validate -probe FILE [-profile FILE] [-base P] [-o DIR]")
	}
	if *profile == "" {
		*profile = *probeFile + ".profile"
	}
	undo, err := writableDir(*out)
	if err != nil {
		return usageError{err}
	}
	defer undo(&err)
	in, err := validate.Load(*probeFile, *profile, *base)
	if err != nil {
		return usageError{err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	var opts validate.Options
	if isTerminal(stderr) {
		opts.Progress = stderr
	}
	rep, err := validate.Run(ctx, in, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "validate: %d leave-one-out refits, %d simulations run and %d answered from the memo in %.1f s\n",
		rep.Refits(), rep.Sims, rep.Cached, time.Since(start).Seconds())
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		return err
	}
	if _, err := stdout.Write(b.Bytes()); err != nil {
		return err
	}
	txt := filepath.Join(*out, "validation.txt")
	if err := writeBytes(txt, b.Bytes()); err != nil {
		return err
	}
	figs, err := rep.Figures()
	if err != nil {
		return err
	}
	paths, err := plots.Save(*out, figs)
	fmt.Fprintf(stderr, "wrote %s", txt)
	for _, p := range paths {
		fmt.Fprintf(stderr, " %s", p)
	}
	fmt.Fprintln(stderr)
	return err
}
