package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckJSON(t *testing.T) {
	code, out, stderr := runCmd(t, "check", "-fix", "exclusive,merged", "-kernel", "v6.9", "-scenario", "pte-change,concurrent", "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("-json output does not parse: %v\n%s", err, out)
	}
	verdicts := map[string]string{}
	for _, r := range rows {
		for _, k := range []string{"fix", "sync", "kernel", "verdict", "schedules", "trace"} {
			if _, ok := r[k]; !ok {
				t.Errorf("row %v lacks %q", r, k)
			}
		}
		verdicts[r["fix"].(string)+"/"+r["sync"].(string)] = r["verdict"].(string)
	}
	if verdicts["exclusive/tick"] != "loses-data" || verdicts["merged/tick"] != "safe" {
		t.Errorf("verdicts %v", verdicts)
	}
}

// TestCheckReplay runs the printed replay command of a counterexample.
func TestCheckReplay(t *testing.T) {
	code, out, stderr := runCmd(t, "check", "-fix", "exclusive", "-sync", "tick", "-kernel", "v6.9", "-scenario", "retry")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The command follows "replay:", continued over lines with "\".
	i := strings.Index(out, "replay:\n")
	if i < 0 {
		t.Fatalf("no replay command in:\n%s", out)
	}
	var words []string
	for _, l := range strings.Split(out[i+len("replay:\n"):], "\n") {
		words = append(words, strings.Fields(strings.TrimSuffix(l, "\\"))...)
		if !strings.HasSuffix(l, "\\") {
			break
		}
	}
	if len(words) < 2 || words[0] != "swapbench" {
		t.Fatalf("replay command %q", words)
	}
	code, rout, stderr := runCmd(t, words[1:]...)
	if code != 0 || !strings.Contains(rout, "lost-data: mapped a zero page") {
		t.Fatalf("replay %q: exit %d, %s\n%s", words, code, stderr, rout)
	}
}

func TestCheckExpect(t *testing.T) {
	if code, _, _ := runCmd(t, "check", "-fix", "merged", "-sync", "tick", "-kernel", "v6.10", "-scenario", "retry", "-expect", "safe"); code != 0 {
		t.Errorf("-expect safe on a safe configuration: exit %d", code)
	}
	code, _, stderr := runCmd(t, "check", "-fix", "exclusive", "-sync", "tick", "-kernel", "v6.10", "-scenario", "retry", "-expect", "safe")
	if code != 1 || !strings.Contains(stderr, "-expect safe") {
		t.Errorf("-expect safe on a losing configuration: exit %d, %q", code, stderr)
	}
}

func TestBadUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "-fix", "bogus"}, `fix "bogus": unknown; want one of exclusive`},
		{[]string{"check", "-sync", "spin"}, `sync mode "spin": unknown`},
		{[]string{"check", "-kernel", "v5.4"}, `kernel base "v5.4": unknown`},
		{[]string{"check", "-scenario", "nope"}, `scenario "nope": unknown`},
		{[]string{"check", "-expect", "fine"}, `verdict "fine": unknown`},
		{[]string{"check", "-depth", "0"}, "bounds"},
		{[]string{"check", "-replay", "0x3"}, "-replay needs exactly one"},
		{[]string{"check", "-fix", "merged", "-sync", "tick", "-kernel", "v6.9", "-scenario", "retry", "-replay", "9"}, "scenario retry has actors 0-"},
		{[]string{"check", "-fix", "merged", "-sync", "tick", "-kernel", "v6.9", "-scenario", "retry", "-replay", "0xq"}, "bad repeat"},
		{[]string{"check", "stray"}, `unexpected argument "stray"`},
		{[]string{"check", "-nosuchflag"}, "flag provided but not defined"},
		{[]string{"nosuchcommand"}, `unknown command "nosuchcommand"`},
	} {
		code, _, stderr := runCmd(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestFixesTable(t *testing.T) {
	code, out, _ := runCmd(t, "fixes")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"exclusive", "always-swapcache", "writeback-on-failure", "non-exclusive", "merged", "never-bypass", "25cd241408a2"} {
		if !strings.Contains(out, name) {
			t.Errorf("fixes output lacks %s", name)
		}
	}
}

func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "-no-check", "-o", dir, "-in", "/nonexistent/results.txt"}, "/nonexistent/results.txt"},
		{[]string{"report", "-no-check", "-o", dir, "-in", "../../report/testdata/empty.txt"}, "empty.txt"},
		{[]string{"report", "-no-check", "-o", dir, "-in", "../../report/testdata/notbench.txt"}, "notbench.txt"},
		{[]string{"report", "-no-check", "-o", "/proc/forbidden", "-in", "../../report/testdata/small.txt"}, "-o /proc/forbidden"},
	} {
		code, _, stderr := runCmd(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2, one line naming %q", tc.args, code, stderr, tc.want)
		}
	}
	code, out, stderr := runCmd(t, "report", "-no-check", "-o", dir, "-in", "../../report/testdata/small.txt")
	if code != 0 || !strings.Contains(out, "report.txt") {
		t.Fatalf("report -in: exit %d, %s %s", code, out, stderr)
	}
}
