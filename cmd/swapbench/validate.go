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

	"github.com/swapbench/swapbench/plots"
	"github.com/swapbench/swapbench/validate"
)

func init() {
	commands["validate"] = command{"run the simulator for the configurations swapbench probe measured and compare", cmdValidate}
}

// cmdValidate prints predicted against measured time for every
// configuration of a probe results file and writes the table and the
// plots into -o. Unreadable or malformed inputs and an unusable -o are
// bad input (exit 2); a simulation that fails is a failed run (exit 1).
func cmdValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", stderr)
	probeFile := fs.String("probe", "", "results `file` written by swapbench probe (required)")
	profile := fs.String("profile", "", "cost profile `file` to simulate under (default: the -probe file with .profile appended, as probe writes it)")
	out := fs.String("o", ".", "`directory` for validation.txt and the plots validate-swapin and validate-swapout (PNG, SVG)")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	if *probeFile == "" {
		return usagef("no -probe file; usage: swapbench validate -probe FILE [-profile FILE] [-o DIR]")
	}
	if *profile == "" {
		*profile = *probeFile + ".profile"
	}
	if err := writableDir(*out); err != nil {
		return usageError{err}
	}
	in, err := validate.Load(*probeFile, *profile)
	if err != nil {
		return usageError{err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := validate.Run(ctx, in, validate.Options{Progress: stderr})
	if err != nil {
		return err
	}
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
