package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/swapbench/swapbench/workloads"
)

func init() {
	commands["capture"] = command{"sample a live process's anonymous pages into a corpus file (data=corpus:FILE)", cmdCapture}
}

func cmdCapture(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("capture", stderr)
	pid := fs.Int("pid", 0, "process to sample (needs ptrace access: same user or root)")
	out := fs.String("o", "", "corpus file to write")
	pages := fs.Int("pages", 4096, "most pages to sample")
	seed := fs.Uint64("seed", 1, "sampling seed")
	if err := parse(fs, args, false); err != nil {
		return err
	}
	switch {
	case *pid <= 0:
		return usagef("-pid %d: want the id of a running process", *pid)
	case *out == "":
		return usagef("-o: want the corpus file to write")
	case *pages < 1 || *pages > 1<<20:
		return usagef("-pages %d: want 1 to %d", *pages, 1<<20)
	}
	var buf bytes.Buffer
	n, err := workloads.Capture(*pid, *pages, *seed, &buf)
	if err != nil {
		return err
	}
	if err := writeBytes(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d pages from pid %d (seed %d); use data=corpus:%s\n", *out, n, *pid, *seed, *out)
	return nil
}
