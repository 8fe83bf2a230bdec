package workflows

import (
	"sort"
	"strings"
)

func (v *vctx) checkCall(s *step) {
	for _, name := range sortedArgNames(s.args) {
		v.checkTmpl(s.args[name], s.line)
	}
	if sub, ok := v.w.subs[s.call]; ok {
		v.checkSubCall(s, sub)
		return
	}
	b, ok := stdlib[s.call]
	if !ok {
		v.errf(s.line, "step %q: unknown call target %q%s", s.name, s.call, unsupportedHint(s.call))
		return
	}
	for _, name := range sortedArgNames(s.args) {
		if !contains1(b.params, name) {
			v.errf(s.line, "step %q: %s has no argument %q (arguments: %s)", s.name, s.call, name, strings.Join(b.params, ", "))
		}
	}
	for _, p := range b.params[:b.required] {
		if _, ok := s.args[p]; !ok {
			v.errf(s.line, "step %q: %s needs argument %q", s.name, s.call, p)
		}
	}
	if strings.HasPrefix(s.call, "http.") {
		v.checkHTTPArgs(s)
	}
}

func sortedArgNames(m map[string]tmpl) []string {
	ns := make([]string, 0, len(m))
	for n := range m {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

func (v *vctx) checkSubCall(s *step, sub *routine) {
	known := map[string]bool{}
	for _, p := range sub.params {
		known[p.name] = true
		if _, ok := s.args[p.name]; !ok && !p.hasDefault {
			v.errf(s.line, "step %q: subworkflow %s needs argument %q", s.name, sub.name, p.name)
		}
	}
	for _, name := range sortedArgNames(s.args) {
		if !known[name] {
			v.errf(s.line, "step %q: subworkflow %s has no parameter %q", s.name, sub.name, name)
		}
	}
}

// checkHTTPArgs checks literal auth and timeout values of an http.* call.
func (v *vctx) checkHTTPArgs(s *step) {
	if t, ok := s.args["timeout"]; ok {
		if f, isNum := toFloat(t); isNum && (f <= 0 || f > maxHTTPTimeoutSec) {
			v.errf(s.line, "step %q: timeout %v is out of range (0, %d] seconds", s.name, t, maxHTTPTimeoutSec)
		}
	}
	auth, ok := s.args["auth"].(*mapTmpl)
	if !ok {
		return
	}
	for i, k := range auth.keys {
		switch k {
		case "type":
			if typ, lit := auth.vals[i].(string); lit && typ != "OIDC" {
				v.errf(s.line, "step %q: auth type %q is not supported by the emulator (only OIDC)", s.name, typ)
			}
		case "audience":
		default:
			v.errf(s.line, "step %q: unsupported auth key %q (allowed: type, audience)", s.name, k)
		}
	}
}

func (v *vctx) checkParallel(s *step) {
	p := s.parallel
	if p == nil {
		return
	}
	if v.parDepth+1 > maxParallelDepth {
		v.errf(s.line, "step %q: parallel steps can be nested at most %d deep", s.name, maxParallelDepth)
	}
	if len(p.branches) > maxBranches {
		v.errf(s.line, "step %q has %d branches; the limit is %d", s.name, len(p.branches), maxBranches)
	}
	v.checkTmpl(p.limit, p.line)
	outside := v.assignedOutside(s)
	shared := map[string]bool{}
	for _, n := range p.shared {
		shared[n] = true
		if !outside[n] {
			v.errf(p.line, "step %q: shared variable %q must be assigned before the parallel step", s.name, n)
		}
	}
	c := *v
	c.inBranch, c.parDepth, c.scopes = true, v.parDepth+1, nil
	var bodies [][]*step
	for _, b := range p.branches {
		c.steps(b.steps)
		bodies = append(bodies, b.steps)
	}
	if p.loop != nil {
		c.checkFor(p.loop, true)
		bodies = append(bodies, p.loop.steps)
		local := map[string]bool{p.loop.value: true, p.loop.index: true}
		outside = minus(outside, local)
	}
	for _, body := range bodies {
		for name, line := range assignedIn(body) {
			if outside[name] && !shared[name] {
				v.errf(line, "variable %q of the enclosing scope is assigned in a parallel branch but is not listed in shared", name)
			}
		}
	}
}

func minus(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		if !b[k] {
			out[k] = true
		}
	}
	return out
}

// assignedOutside lists the variables of the routine assigned before parallel step s
// (parameters, and assign targets and call results on earlier lines): the parent variables
// its branches can see.
func (v *vctx) assignedOutside(s *step) map[string]bool {
	out := map[string]bool{}
	for _, p := range v.r.params {
		out[p.name] = true
	}
	forEachStep(v.r.steps, func(st *step) bool {
		if st.parallel != nil && st.parallel == s.parallel {
			return false
		}
		for _, a := range st.assign {
			if a.line < s.line {
				out[a.root] = true
			}
		}
		if st.result != "" && st.line < s.line {
			out[st.result] = true
		}
		return true
	})
	return out
}

// assignedIn maps each variable assigned by a step in list (recursively) to a line.
func assignedIn(list []*step) map[string]int {
	out := map[string]int{}
	forEachStep(list, func(st *step) bool {
		for _, a := range st.assign {
			out[a.root] = a.line
		}
		if st.result != "" {
			out[st.result] = st.line
		}
		return true
	})
	return out
}

// forEachStep visits steps depth-first; f returning false skips a step's children.
func forEachStep(list []*step, f func(*step) bool) {
	for _, st := range list {
		if st == nil || !f(st) {
			continue
		}
		forEachStep(st.steps, f)
		if st.try != nil {
			forEachStep([]*step{st.try}, f)
		}
		if st.except != nil {
			forEachStep(st.except.steps, f)
		}
		if st.loop != nil {
			forEachStep(st.loop.steps, f)
		}
		for _, c := range st.cases {
			forEachStep([]*step{c.body}, f)
		}
		if p := st.parallel; p != nil {
			for _, b := range p.branches {
				forEachStep(b.steps, f)
			}
			if p.loop != nil {
				forEachStep(p.loop.steps, f)
			}
		}
	}
}
