package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Setup says how the results were produced. The caller fills what it
// knows; empty fields are left out.
type Setup struct {
	Machine   string // e.g. "2 cores, AMD EPYC 7B13, 24 GiB"
	GoVersion string // runtime.Version() of the run
	Profile   string // the cost profile of the modelled kernel time
	Seed      string // the workload seed
	Kernel    string // the kernel bases modelled, e.g. "v6.8 v6.9 v6.10"
	// ProfileSource says where the profile's numbers come from.
	ProfileSource string
	Bounds        string   // the race explorer's bounds, or why it did not run
	Rounds        string   // n: how many rounds of each benchmark
	Took          string   // how long each part of the run took
	Commands      []string // the command lines that produced the results
}

// A Report is what `swapbench report` posts: the set-up, the race
// explorer's verdicts, findings, comparison tables, latency
// percentiles and the list of plots. Nil and empty parts are left out.
type Report struct {
	Title string
	// Answer is the summary the report opens with (Answer.Lines):
	// which fix, at what cost, and why.
	Answer []string
	// Bases is the kernel-bases section, already rendered lines.
	Bases []string
	Setup Setup
	// Verdicts is the explorer's output, already rendered.
	Verdicts   string
	Comparison *Comparison
	// Findings are sentences on the largest differences; when nil,
	// they are Comparison.Findings(5).
	Findings []string
	Latency  []*Latency
	// Plots are the plot files, as the reader should find them
	// (relative to the report).
	Plots []string
}

const method = `Each cell is the median of n runs with its 95% confidence interval
(distribution-free, as benchstat). "vs base" is the change of the
median against the first column; p is from a two-sided Mann-Whitney U
test and "~" means no significant difference (p > 0.05). kernel-ns/op
is modelled kernel time from the cost profile; ns/op is the measured
time of the simulator itself, which only ranks the paths.`

func (r *Report) findings() []string {
	if r.Findings != nil || r.Comparison == nil {
		return r.Findings
	}
	return r.Comparison.Findings(5)
}

// WriteText writes the report as plain text: no line is wider than
// MaxWidth and there are no tabs. Prose is wrapped; a longer line of a
// pre-rendered block (a long benchmark name) is folded at a space or a
// slash, its continuation indented.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	title := r.Title
	if title == "" {
		title = "swapbench report"
	}
	b.WriteString(title + "\n" + strings.Repeat("=", min(utf8.RuneCountInString(title), MaxWidth)) + "\n")
	section := func(name string) {
		b.WriteString("\n" + name + "\n" + strings.Repeat("-", utf8.RuneCountInString(name)) + "\n\n")
	}
	if len(r.Answer) > 0 {
		section("Answer")
		for _, l := range r.Answer {
			b.WriteString(l + "\n")
		}
	}
	if len(r.Bases) > 0 {
		section("Kernel bases")
		for _, l := range r.Bases {
			b.WriteString(l + "\n")
		}
	}
	if lines := r.Setup.lines(); len(lines) > 0 {
		section("Method")
		for _, l := range lines {
			b.WriteString(wrap(l, "  ") + "\n")
		}
		for _, c := range r.Setup.Commands {
			b.WriteString(wrapCommand(c) + "\n")
		}
	}
	if r.Verdicts != "" {
		section("Race check")
		b.WriteString(strings.TrimRight(r.Verdicts, "\n") + "\n")
	}
	if f := r.findings(); len(f) > 0 {
		section("Findings")
		for _, s := range f {
			b.WriteString(wrap("- "+s, "  ") + "\n")
		}
	}
	if r.Comparison != nil {
		section("Costs")
		b.WriteString(wrapParagraph("The benchstat tables of every benchmark and unit, modelled kernel time first, are in "+TablesFile+" (and report.md); the answer above reads them.") + "\n")
	}
	if len(r.Latency) > 0 {
		section("Latency")
		if err := WriteLatency(&b, r.Latency); err != nil {
			return err
		}
	}
	if len(r.Plots) > 0 {
		section("Plots")
		for _, p := range r.Plots {
			b.WriteString(wrap("  "+p, "    ") + "\n")
		}
	}
	out := fold(b.String())
	if err := checkText(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, out)
	return err
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

func (s Setup) lines() []string {
	var out []string
	for _, kv := range [][2]string{
		{"machine", joinNonEmpty("; ", s.Machine, s.GoVersion)},
		{"kernel", s.Kernel},
		{"profile", joinNonEmpty(", seed ", strings.TrimSpace(s.Profile+" "+s.ProfileSource), s.Seed)},
		{"explorer", s.Bounds}, {"n", s.Rounds}, {"took", s.Took},
	} {
		if kv[1] != "" {
			out = append(out, kv[0]+": "+kv[1])
		}
	}
	if len(s.Commands) > 0 {
		out = append(out, "commands:")
	}
	return out
}

// WriteMarkdown writes the report as Markdown: the same sections, the
// tables as Markdown tables, the verdicts and latency in code blocks and
// the plots as images.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	title := r.Title
	if title == "" {
		title = "swapbench report"
	}
	b.WriteString("# " + title + "\n")
	if len(r.Answer) > 0 {
		b.WriteString("\n## Answer\n\n```\n" + strings.Join(r.Answer, "\n") + "\n```\n")
	}
	if len(r.Bases) > 0 {
		b.WriteString("\n## Kernel bases\n\n```\n" + strings.Join(r.Bases, "\n") + "\n```\n")
	}
	if lines := r.Setup.lines(); len(lines) > 0 {
		b.WriteString("\n## Method\n\n")
		for _, l := range lines {
			if l == "commands:" {
				continue
			}
			k, v, _ := strings.Cut(l, ": ")
			b.WriteString("- " + k + ": `" + v + "`\n")
		}
		if len(r.Setup.Commands) > 0 {
			b.WriteString("\n```\n")
			for _, c := range r.Setup.Commands {
				b.WriteString("$ " + c + "\n")
			}
			b.WriteString("```\n")
		}
	}
	if r.Verdicts != "" {
		b.WriteString("\n## Race check\n\n```\n" + strings.TrimRight(r.Verdicts, "\n") + "\n```\n")
	}
	if f := r.findings(); len(f) > 0 {
		b.WriteString("\n## Findings\n\n")
		for _, s := range f {
			b.WriteString("- " + mdEscape(s) + "\n")
		}
	}
	if r.Comparison != nil {
		b.WriteString("\n## Costs\n\n" + strings.ReplaceAll(method, "\n", " ") + "\n\n")
		var tb strings.Builder
		if err := r.Comparison.WriteMarkdown(&tb); err != nil {
			return err
		}
		b.WriteString(strings.TrimSuffix(tb.String(), "\n"+r.Comparison.method()))
	}
	if len(r.Latency) > 0 {
		b.WriteString("\n## Latency\n\n```\n")
		if err := WriteLatency(&b, r.Latency); err != nil {
			return err
		}
		b.WriteString("```\n")
	}
	if len(r.Plots) > 0 {
		b.WriteString("\n## Plots\n\n")
		for _, p := range r.Plots {
			if strings.HasSuffix(p, ".svg") || strings.HasSuffix(p, ".png") {
				fmt.Fprintf(&b, "![%s](%s)\n\n", filepath.Base(p), p)
			} else {
				fmt.Fprintf(&b, "- [%s](%s)\n", filepath.Base(p), p)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// TablesFile is the appendix of report.txt: the comparison tables.
const TablesFile = "report-tables.txt"

// WriteTables writes the comparison tables as plain text, the method
// first: report.txt's appendix.
func (r *Report) WriteTables(w io.Writer) error {
	var b strings.Builder
	b.WriteString(wrapParagraph(method) + "\n\n")
	if r.Comparison != nil {
		var tb strings.Builder
		if err := r.Comparison.WriteText(&tb); err != nil {
			return err
		}
		// The method paragraph above says it; drop the footer.
		b.WriteString(strings.TrimRight(strings.TrimSuffix(tb.String(), r.Comparison.method()), "\n") + "\n")
	}
	out := fold(b.String())
	if err := checkText(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, out)
	return err
}

// WriteFiles writes report.txt, its appendix (TablesFile, when there is a
// comparison) and report.md into dir and returns their paths. Each is
// written to a temporary file in dir and renamed into place, so a
// failure leaves any earlier report whole.
func (r *Report) WriteFiles(dir string) ([]string, error) {
	txt, md := filepath.Join(dir, "report.txt"), filepath.Join(dir, "report.md")
	if err := WriteFile(txt, r.WriteText); err != nil {
		return nil, err
	}
	out := []string{txt}
	if r.Comparison != nil {
		tables := filepath.Join(dir, TablesFile)
		if err := WriteFile(tables, r.WriteTables); err != nil {
			return nil, err
		}
		out = append(out, tables)
	}
	if err := WriteFile(md, r.WriteMarkdown); err != nil {
		return nil, err
	}
	return append(out, md), nil
}

// WriteFile writes a file atomically: write fills a temporary file in
// the same directory, which is synced and renamed to path only if
// every step succeeds. On failure path is untouched and the temporary
// file removed.
func WriteFile(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPath(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the temporary file's name from an error.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// Wrap word-wraps one line to MaxWidth, keeping its leading spaces on
// the first line; continuation lines start with indent.
func Wrap(line, indent string) string { return wrap(line, indent) }

// wrap word-wraps one line to MaxWidth, continuation lines starting
// with indent.
func wrap(line, indent string) string {
	var out []string
	cur := ""
	for _, w := range strings.Fields(line) {
		lead := ""
		if cur == "" {
			if len(out) > 0 {
				lead = indent
			} else {
				lead = line[:len(line)-len(strings.TrimLeft(line, " "))]
			}
			cur = lead + w
			continue
		}
		if utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) > MaxWidth {
			out = append(out, cur)
			cur = indent + w
			continue
		}
		cur += " " + w
	}
	out = append(out, cur)
	return strings.Join(out, "\n")
}

// wrapCommand shows a command line as "  $ command", continued over
// lines ending in a backslash so that it still pastes into a shell.
func wrapCommand(c string) string {
	var lines []string
	cur := "  $"
	for _, w := range strings.Fields(c) {
		if cur != "      " && utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w)+2 > MaxWidth {
			lines = append(lines, cur+" \\")
			cur = "      "
		}
		if cur == "      " {
			cur += w
		} else {
			cur += " " + w
		}
	}
	return strings.Join(append(lines, cur), "\n")
}

// wrapParagraph re-wraps a paragraph to MaxWidth.
func wrapParagraph(p string) string {
	return wrap(strings.Join(strings.Fields(p), " "), "")
}

// fold expands tabs and folds every line wider than MaxWidth at the
// last space, slash or comma that fits, the rest indented by four
// spaces; a line with none is cut at MaxWidth. Trailing spaces go.
func fold(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		nl := strings.HasSuffix(line, "\n")
		line = strings.TrimRight(expandTabs(strings.TrimSuffix(line, "\n")), " ")
		for utf8.RuneCountInString(line) > MaxWidth {
			r := []rune(line)
			indent := len(r) - len([]rune(strings.TrimLeft(line, " ")))
			cut := 0
			for i := MaxWidth; i > max(8, indent+1); i-- {
				if r[i-1] == ' ' || r[i-1] == '/' || r[i-1] == ',' {
					cut = i
					break
				}
			}
			if cut == 0 && len(r)-indent <= MaxWidth {
				// Indented text with no break point that fits once
				// moved left (a step in a timeline's right column):
				// move it rather than split it.
				line = string(r[len(r)-MaxWidth:])
				break
			}
			if cut == 0 {
				cut = MaxWidth
			}
			b.WriteString(strings.TrimRight(string(r[:cut]), " ") + "\n")
			line = "    " + strings.TrimLeft(string(r[cut:]), " ")
		}
		b.WriteString(line)
		if nl {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, c := range s {
		if c == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(c)
		col++
	}
	return b.String()
}

// checkText enforces the plain-text rules.
func checkText(s string) error {
	for i, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "\t") {
			return fmt.Errorf("report line %d has a tab", i+1)
		}
		if n := utf8.RuneCountInString(l); n > MaxWidth {
			return fmt.Errorf("report line %d is %d columns wide, more than %d", i+1, n, MaxWidth)
		}
	}
	return nil
}
