package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/swapbench/swapbench/plots"
	"github.com/swapbench/swapbench/report"
)

func init() {
	commands["plot"] = command{"draw the figures of benchmark results as PNG and SVG files", cmdPlot}
}

// cmdPlot draws every figure the results support into -o. An -o that
// cannot be created or written is bad input (exit 2), found before any
// plotting; a failure while writing the files is a failed run (exit 1).
func cmdPlot(args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("plot", stderr)
	out := fs.String("o", ".", "directory to write the figures to (created if missing)")
	filter := fs.String("filter", "", "use only results matching this benchproc filter, e.g. '/kernel:v6.9 /data:text'")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no results files; usage: swapbench plot FILES... -o DIR")
	}
	undo, err := writableDir(*out)
	if err != nil {
		return usageError{err}
	}
	defer undo(&err)
	s, err := report.Read(files...)
	if err != nil {
		return usageError{err}
	}
	// The latency samples the report draws (selectLatency): a CDF of
	// every sample in a full run would have more curves than a reader
	// can tell apart. A bad -filter is FromSet's to report.
	if keep, err := selectLatency(s.Latency, *filter); err == nil {
		s.Latency = keep
	}
	figs, err := plots.FromSet(s, *filter)
	if err != nil {
		return usageError{err}
	}
	paths, err := plots.Save(*out, figs)
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	return err
}

// writableDir makes dir if it is missing and checks that a file can be
// created in it. The command defers undo(&err) with its result: if the
// command fails, undo removes the directories writableDir created, and
// the empty directories the command made in them, as long as they are
// still empty; what a failed command did write stays.
func writableDir(dir string) (undo func(*error), err error) {
	var created []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			break
		}
		created = append(created, d) // innermost first
		if d == filepath.Dir(d) {
			break
		}
	}
	undo = func(err *error) {
		if *err == nil || errors.Is(*err, flag.ErrHelp) {
			return
		}
		for _, d := range created {
			removeEmptyDirs(d)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		undo(&err)
		return nil, fmt.Errorf("-o %s: cannot create the directory: %v", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".swapbench-probe-*")
	if err != nil {
		undo(&err)
		return nil, fmt.Errorf("-o %s: cannot write there: %v", dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	return undo, os.Remove(name)
}

// removeEmptyDirs removes dir if, once its empty subdirectories are
// removed, it is empty. os.Remove removes no directory that holds a file.
func removeEmptyDirs(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			removeEmptyDirs(filepath.Join(dir, e.Name()))
		}
	}
	os.Remove(dir)
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments and returns the positional arguments in
// order. "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args, true); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
