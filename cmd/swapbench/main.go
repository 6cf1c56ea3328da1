// Command swapbench settles arguments about the Linux swapin fast path with
// a faithful simulator: it checks each proposed fix for data loss over all
// interleavings, benchmarks them, and writes a report ready to post.
//
// Exit status: 0 success (a finding of lost data is a result, not a
// failure), 1 the run failed once it had started, 2 bad usage or input
// (unknown names, malformed files, an output path that cannot be
// created), the same in every command.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"fixes": {"print the table of fixes, their sources and the axes that apply", cmdFixes},
	"check": {"explore every interleaving of each scenario: safe, or the schedule that loses data", cmdCheck},
}

// usageError marks bad usage or input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "swapbench: unknown command %q; want one of %s\n", args[0], commandNames())
		return 2
	}
	err := c.run(args[1:], stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "swapbench %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "swapbench %s: %v\n", args[0], err)
		return 1
	}
}

func commandNames() string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: swapbench COMMAND [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nexit status, the same in every command: 0 ok (lost data found is a result),\n"+
		"1 the run failed once started, 2 bad usage or input (an unknown name, a\n"+
		"malformed file, an -o that cannot be created)")
}

// helpOut remembers where each flag set prints its help: the flag package
// itself prints nothing, so that a bad flag is one line of error.
var helpOut = map[*flag.FlagSet]io.Writer{}

// newFlags makes a flag set whose errors come back as usage errors.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("swapbench "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	helpOut[fs] = stderr
	return fs
}

// parse parses flags and rejects positional arguments unless allowed.
func parse(fs *flag.FlagSet, args []string, positional bool) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			w := helpOut[fs]
			fmt.Fprintf(w, "usage: %s [flags]\n", fs.Name())
			fs.SetOutput(w)
			fs.PrintDefaults()
			return err
		}
		return usageError{err}
	}
	if !positional && fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
