package explore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/swapbench/swapbench/model"
)

// FormatSchedule writes a schedule as dot-separated choices: an actor
// index, or t for a tick, with xN for N repeats ("0x6.1.t.0x4").
func FormatSchedule(s []Choice) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		if s[i] == Tick {
			b.WriteByte('t')
		} else {
			b.WriteString(strconv.Itoa(int(s[i])))
		}
		if n := j - i; n > 1 {
			fmt.Fprintf(&b, "x%d", n)
		}
		i = j
	}
	return b.String()
}

// ParseSchedule reads FormatSchedule's form. It checks only the syntax and
// limits (at most 100000 choices); Replay checks the choices against the
// scenario.
func ParseSchedule(s string) ([]Choice, error) {
	if s == "" {
		return nil, fmt.Errorf("schedule %q: empty; want choices like 0x6.1.t.0x4", s)
	}
	var out []Choice
	for _, tok := range strings.Split(s, ".") {
		what, rep, hasRep := strings.Cut(tok, "x")
		n := 1
		if hasRep {
			v, err := strconv.Atoi(rep)
			if err != nil || v < 1 || v > 100000 {
				return nil, fmt.Errorf("schedule %q: bad repeat in %q; want xN with N from 1 to 100000", s, tok)
			}
			n = v
		}
		var c Choice
		if what == "t" {
			c = Tick
		} else {
			v, err := strconv.Atoi(what)
			if err != nil || v < 0 || v > 100 {
				return nil, fmt.Errorf("schedule %q: bad choice %q; want an actor index or t", s, tok)
			}
			c = Choice(v)
		}
		if len(out)+n > 100000 {
			return nil, fmt.Errorf("schedule %q: more than 100000 choices", s)
		}
		for range n {
			out = append(out, c)
		}
	}
	return out, nil
}

// Event is one row of a replayed schedule.
type Event struct {
	Actor      int    // index, or -1 for a tick or the final read-back
	Name       string // actor name
	CPU        int
	Step       string // kernel function
	Violations []model.Violation
}

// Trace is a replayed schedule: its events and every violation.
type Trace struct {
	Actors     []string
	CPUs       []int
	Events     []Event
	Violations []model.Violation
}

// Replay runs exactly schedule s of scenario sc under cfg, then reads the
// checked pages back, recording every step.
func Replay(cfg model.Config, sc Scenario, s []Choice) (*Trace, error) {
	w, err := newWorld(cfg, sc)
	if err != nil {
		return nil, err
	}
	tr := &Trace{}
	for _, a := range w.actors {
		tr.Actors = append(tr.Actors, a.Name())
		tr.CPUs = append(tr.CPUs, a.CPU())
	}
	for i, c := range s {
		before := len(w.k.Violations())
		ev := Event{Actor: -1}
		switch {
		case c == Tick:
			passTime(w, maxTicks)
			ev.Step = fmt.Sprintf("(tick: jiffies = %d)", w.k.Jiffies())
		case int(c) >= len(w.actors):
			return nil, fmt.Errorf("schedule choice %d is actor %d; scenario %s has actors 0-%d", i, c, sc.Name, len(w.actors)-1)
		default:
			a := w.actors[c]
			if a.Next() == model.StepDone || !a.Runnable(w.k) {
				return nil, fmt.Errorf("schedule choice %d: actor %d (%s) cannot run at %s", i, c, a.Name(), a.Next())
			}
			ev = Event{Actor: int(c), Name: a.Name(), CPU: a.CPU(), Step: a.Next().String()}
			w.k.Step(a)
			if o, ok := a.(interface{ Outcome() string }); ok && o.Outcome() != "" {
				ev.Step = o.Outcome()
			}
		}
		ev.Violations = append(ev.Violations, w.k.Violations()[before:]...)
		tr.Events = append(tr.Events, ev)
	}
	if unfinished(w) == "" {
		before := len(w.k.Violations())
		if err := w.verify(); err != nil {
			return nil, err
		}
		if vs := w.k.Violations()[before:]; len(vs) > 0 {
			tr.Events = append(tr.Events, Event{Actor: -1, Step: "(later: every page is read back)", Violations: append([]model.Violation(nil), vs...)})
		}
	}
	tr.Violations = w.k.Violations()
	return tr, nil
}

// Timeline renders the trace as kernel commit messages draw races: one
// column per CPU, one row per step, the losing step marked. Traces with
// more than two actors use one "CPUn actor: step" line per step so that
// the result stays within 72 columns.
func (t *Trace) Timeline() string {
	var b strings.Builder
	used := map[int]bool{}
	for _, ev := range t.Events {
		if ev.Actor >= 0 {
			used[ev.Actor] = true
		}
	}
	const col = 36
	twoCol := len(used) <= 2
	var cols []int
	if twoCol {
		for i := range t.Actors {
			if used[i] {
				cols = append(cols, i)
			}
		}
		var head, rule string
		for j, i := range cols {
			if j > 0 {
				head = fmt.Sprintf("%-*s", col, head)
				rule = fmt.Sprintf("%-*s", col, rule)
			}
			head += fmt.Sprintf("CPU%d (%s)", t.CPUs[i], t.Actors[i])
			rule += "----"
		}
		b.WriteString(head + "\n" + rule + "\n")
	}
	for _, ev := range t.Events {
		line := ""
		switch {
		case ev.Actor < 0:
			line = ev.Step
		case twoCol:
			pos := 0
			for j, i := range cols {
				if i == ev.Actor {
					pos = j
				}
			}
			line = strings.Repeat(" ", pos*col) + ev.Step
		default:
			line = fmt.Sprintf("CPU%d %s: %s", ev.CPU, ev.Name, ev.Step)
		}
		b.WriteString(strings.TrimRight(line, " "))
		for _, v := range ev.Violations {
			note := "  <-- " + shortViolation(v)
			// Under the step when it fits in 72 columns, else from the left.
			ind := indentOf(line)
			if ind+len(note) > 72 {
				ind = max(0, 72-len(note))
			}
			fmt.Fprintf(&b, "\n%s%s", strings.Repeat(" ", ind), note)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

func shortViolation(v model.Violation) string {
	s := v.Kind.String()
	if v.Detail != "" {
		s += ": " + v.Detail
	}
	return s
}
