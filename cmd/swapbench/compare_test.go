package main

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

const small = "../../report/testdata/small.txt"

// The default text is benchstat's own layout: the golden is what
// `go tool benchstat -col /fix` printed for the same file.
func TestCompareBenchstatLayout(t *testing.T) {
	want, err := os.ReadFile("../../report/testdata/benchstat-small.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"compare", small}, {"compare", "-col", "/fix", small}} {
		code, out, stderr := runCmd(t, args...)
		if code != 0 || stderr != "" || out != string(want) {
			t.Errorf("%q: exit %d, stderr %q; output differs from benchstat's:\n%s", args, code, stderr, out)
		}
	}
}

// -format mail fits a mail reply.
func TestCompare(t *testing.T) {
	code, out, stderr := runCmd(t, "compare", "-format", "mail", small)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		"Swapin/sync=tick/kernel=v6.9/backend=*/comp=lz4/data=text-2",
		"kernel-sec/op       median       vs merged",
		"  always-swapcache  3.286µ ± 7%  +53.87% (p=0.000 n=10)",
		"Mann-Whitney U",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for i, l := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(l) > 72 || strings.Contains(l, "\t") {
			t.Errorf("line %d too wide or tabbed: %q", i+1, l)
		}
	}
}

// Flags may come after the files, and in any order.
func TestCompareFlagOrder(t *testing.T) {
	_, before, _ := runCmd(t, "compare", "-col", "/backend", "-format", "csv", small)
	code, after, stderr := runCmd(t, "compare", small, "-format", "csv", "-col", "/backend")
	if code != 0 || before != after {
		t.Fatalf("exit %d %s; flags after the files give other output", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(after)).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][3] != "col" || recs[1][3] != "zram" {
		t.Errorf("csv: %v %q", err, recs[:min(2, len(recs))])
	}
	code, md, _ := runCmd(t, "compare", "-format", "markdown", "-filter", ".unit:ns/op", small)
	if code != 0 || !strings.Contains(md, "| benchmark | merged | always-swapcache | vs base |") {
		t.Errorf("markdown, exit %d:\n%s", code, md)
	}
}

func TestCompareErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"compare"}, 2, "no results files"},
		{[]string{"compare", "../../report/testdata/nosuch.txt"}, 2, "nosuch.txt: no such file"},
		{[]string{"compare", "../../report/testdata/empty.txt"}, 2, "empty.txt: empty file"},
		{[]string{"compare", "../../report/testdata/notbench.txt"}, 2, "notbench.txt: no benchmark results"},
		{[]string{"compare", "../../report/testdata/disjoint.txt"}, 2, "no benchmark is in more than one column"},
		{[]string{"compare", "-col", "/nosuch", small}, 2, "-col /nosuch: no result in ../../report/testdata/small.txt has that key; keys present: /fix /sync"},
		{[]string{"compare", "-format", "html", small}, 2, `-format "html": want text, mail, markdown or csv`},
		{[]string{"compare", "-nosuchflag", small}, 2, "flag provided but not defined"},
	} {
		code, out, stderr := runCmd(t, tc.args...)
		if code != tc.code || out != "" || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d and one line with %q", tc.args, code, out, stderr, tc.code, tc.want)
		}
	}
	if code, _, stderr := runCmd(t, "compare", "-h"); code != 0 || !strings.Contains(stderr, "-col") {
		t.Errorf("-h: exit %d, %q", code, stderr)
	}
}
