package workflows

import (
	"fmt"
	"sort"
	"strings"
)

// Static limits checked at load time (reference/quotas: assignments per assign step, conditions
// per switch, branches per parallel step, parallel nesting depth).
const (
	maxAssignments    = 50
	maxSwitchCases    = 50
	maxBranches       = 10
	maxParallelDepth  = 2
	maxHTTPTimeoutSec = 1800
)

// vctx is the validation context of one position in the step tree.
type vctx struct {
	ld       *loader
	w        *Workflow
	r        *routine
	scopes   [][]*step // enclosing step lists a next can jump to (innermost last)
	inFor    bool
	parFor   bool
	inBranch bool
	parDepth int
}

func validate(ld *loader, w *Workflow) {
	routines := []*routine{w.main}
	for _, n := range sortedRoutineNames(w) {
		routines = append(routines, w.subs[n])
	}
	for _, r := range routines {
		seen := map[string]bool{}
		for _, p := range r.params {
			if seen[p.name] {
				ld.errs = append(ld.errs, &LoadError{ld.file, r.line, fmt.Sprintf("%s: duplicate parameter %q", r.name, p.name)})
			}
			seen[p.name] = true
			if p.hasDefault {
				(&vctx{ld: ld, w: w, r: r}).checkTmpl(p.def, r.line)
			}
		}
		if r.name == "main" && len(r.params) > 1 {
			ld.errs = append(ld.errs, &LoadError{ld.file, r.line, "main accepts at most one parameter (the execution argument)"})
		}
		v := &vctx{ld: ld, w: w, r: r}
		v.steps(r.steps)
	}
}

func sortedRoutineNames(w *Workflow) []string {
	var ns []string
	for n := range w.subs {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

func (v *vctx) errf(line int, format string, args ...any) {
	v.ld.errs = append(v.ld.errs, &LoadError{v.ld.file, line, fmt.Sprintf(format, args...)})
}

// nested returns a copy of v whose jump scope includes list (or starts afresh with it).
func (v *vctx) nested(list []*step, fresh bool) *vctx {
	c := *v
	if fresh {
		c.scopes = [][]*step{list}
	} else {
		c.scopes = append(append([][]*step{}, v.scopes...), list)
	}
	return &c
}

func (v *vctx) steps(list []*step) {
	v.stepsIn(list, len(v.scopes) == 0)
}

func (v *vctx) stepsIn(list []*step, fresh bool) {
	c := v.nested(list, fresh)
	names := map[string]int{}
	for _, s := range list {
		if prev, dup := names[s.name]; dup {
			v.errf(s.line, "duplicate step name %q in %s (first at line %d)", s.name, v.r.name, prev)
		} else {
			names[s.name] = s.line
		}
		c.step(s)
	}
}

func (v *vctx) step(s *step) {
	v.checkNext(s.line, s.next)
	switch s.kind {
	case kAssign:
		if len(s.assign) > maxAssignments {
			v.errf(s.line, "step %q has %d assignments; the limit is %d", s.name, len(s.assign), maxAssignments)
		}
		for _, a := range s.assign {
			v.checkExpr(a.target, a.line)
			v.checkTmpl(a.value, a.line)
		}
	case kCall:
		v.checkCall(s)
	case kSwitch:
		v.checkSwitch(s)
	case kFor:
		v.checkFor(s.loop, false)
	case kParallel:
		v.checkParallel(s)
	case kTry:
		v.checkTry(s)
	case kRaise:
		v.checkTmpl(s.value, s.line)
	case kReturn:
		if v.inBranch {
			v.errf(s.line, "step %q: return is not supported inside a parallel branch", s.name)
		}
		v.checkTmpl(s.value, s.line)
	case kSteps:
		v.stepsIn(s.steps, false)
	}
}

func (v *vctx) checkNext(line int, next string) {
	switch next {
	case "", "end":
		return
	case "break", "continue":
		if !v.inFor {
			v.errf(line, "next: %s is only allowed inside a for loop", next)
		}
		if next == "break" && v.parFor {
			v.errf(line, "next: break is not supported in a parallel for loop")
		}
		return
	}
	for _, list := range v.scopes {
		for _, s := range list {
			if s.name == next {
				return
			}
		}
	}
	v.errf(line, "next: step %q not found in %s (a jump cannot enter nested steps or leave a for loop or parallel branch)", next, v.r.name)
}

func (v *vctx) checkSwitch(s *step) {
	if len(s.cases) > maxSwitchCases {
		v.errf(s.line, "step %q has %d switch conditions; the limit is %d", s.name, len(s.cases), maxSwitchCases)
	}
	for _, c := range s.cases {
		v.checkTmpl(c.cond, c.line)
		body := *c.body
		body.name = s.name
		v.step(&body)
	}
}

func (v *vctx) checkFor(f *forLoop, parallel bool) {
	if f == nil {
		return
	}
	v.checkTmpl(f.in, f.line)
	v.checkTmpl(f.rng, f.line)
	if l, ok := f.rng.(listTmpl); ok && len(l) != 2 {
		v.errf(f.line, "range must be a list of two numbers [start, end]")
	}
	c := *v
	c.inFor, c.parFor, c.scopes = true, parallel, nil
	c.steps(f.steps)
}

func (v *vctx) checkTry(s *step) {
	if s.try != nil {
		body := *s.try
		body.name = s.name
		v.step(&body)
	}
	if r := s.retry; r != nil {
		v.checkPredicate(r)
		for _, t := range []tmpl{r.maxRetries, r.initial, r.maxDelay, r.multiplier} {
			v.checkTmpl(t, r.line)
		}
	}
	if e := s.except; e != nil {
		if e.as != "" && !identRe.MatchString(e.as) {
			v.errf(e.line, "except: as must be a variable name")
		}
		v.stepsIn(e.steps, false)
	}
}

func (v *vctx) checkPredicate(r *retryPolicy) {
	if r.predicate == "" {
		return
	}
	if b, ok := stdlib[r.predicate]; ok && b.predicate {
		return
	}
	sub, ok := v.w.subs[r.predicate]
	if !ok {
		v.errf(r.line, "retry predicate %q is neither a documented predicate nor a subworkflow", r.predicate)
		return
	}
	if len(sub.params) < 1 {
		v.errf(r.line, "retry predicate subworkflow %q must take one parameter (the error)", r.predicate)
	}
}

// checkTmpl checks every expression inside a template value.
func (v *vctx) checkTmpl(t tmpl, line int) {
	switch x := t.(type) {
	case *exprTmpl:
		v.checkExpr(x.node, x.line)
	case listTmpl:
		for _, e := range x {
			v.checkTmpl(e, line)
		}
	case *mapTmpl:
		for _, e := range x.vals {
			v.checkTmpl(e, line)
		}
	}
}

// checkExpr rejects calls of unknown functions, of blocking functions and of subworkflows
// inside expressions.
func (v *vctx) checkExpr(n exprNode, line int) {
	walkExpr(n, func(e exprNode) {
		c, ok := e.(callNode)
		if !ok {
			return
		}
		b, known := stdlib[c.name]
		switch {
		case v.w.subs[c.name] != nil:
			v.errf(line, "subworkflow %q cannot be called in an expression; use a call step", c.name)
		case !known:
			v.errf(line, "unknown function %s() in expression%s", c.name, unsupportedHint(c.name))
		case b.blocking:
			v.errf(line, "%s() is a blocking call and can only be used in a call step", c.name)
		case len(c.args) < b.required || len(c.args) > len(b.params):
			v.errf(line, "%s() takes %s, got %d", c.name, arity(b), len(c.args))
		}
	})
}

func arity(b *builtin) string {
	if b.required == len(b.params) {
		return fmt.Sprintf("%d arguments (%s)", b.required, strings.Join(b.params, ", "))
	}
	return fmt.Sprintf("%d to %d arguments (%s)", b.required, len(b.params), strings.Join(b.params, ", "))
}

func unsupportedHint(name string) string {
	switch {
	case strings.HasPrefix(name, "googleapis."):
		return ": connectors (googleapis.*) are not supported by the emulator"
	case strings.HasPrefix(name, "events."):
		return ": callbacks (events.*) are not supported by the emulator"
	}
	return " (not supported by the emulator)"
}
