package workflows

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/hoadon/hoadon/emulators/oidc"
)

// maxCallDepth is the subworkflow call stack limit; deeper calls raise RecursionError.
const maxCallDepth = 20

// engine is the configuration shared by all executions of a server.
type engine struct {
	project, location string
	env               map[string]string
	clock             *clock
	http              *http.Client
	issuer            *oidc.Issuer
	saEmail           string
	logger            *slog.Logger
}

// execution is one running workflow. mu guards every variable scope and the memory counter.
type execution struct {
	eng        *engine
	id         string
	workflowID string
	wf         *Workflow
	ctx        context.Context
	mu         sync.Mutex
	mem        int64
	current    atomic.Pointer[[2]string] // routine, step
	// steps and httpCalls count what Workflows bills: every step run, and among them the
	// HTTP calls (logged when the execution finishes; cmd/bench sums them).
	steps, httpCalls atomic.Int64
}

// flow is a transfer of control out of a step list.
type flowKind int

const (
	fJump flowKind = iota
	fBreak
	fContinue
	fReturn
	fEnd
)

type flow struct {
	kind   flowKind
	target string
	value  any
}

func nextFlow(next string) *flow {
	switch next {
	case "":
		return nil
	case "end":
		return &flow{kind: fEnd}
	case "break":
		return &flow{kind: fBreak}
	case "continue":
		return &flow{kind: fContinue}
	}
	return &flow{kind: fJump, target: next}
}

// runner executes the steps of one routine invocation.
type runner struct {
	ex       *execution
	routine  string
	depth    int // subworkflow call depth
	parDepth int // parallel nesting depth, carried into subworkflow calls
}

// run executes main with the decoded argument. An interpreter bug surfaces as a failed
// execution with a SystemError instead of crashing the emulator.
func (ex *execution) run(arg any, hasArg bool) (_ any, err error) {
	defer recoverInto(&err)
	r := &runner{ex: ex, routine: "main"}
	args := map[string]any{}
	if hasArg && len(ex.wf.main.params) == 1 {
		args[ex.wf.main.params[0].name] = arg
	}
	return r.runRoutine(ex.wf.main, args)
}

func (r *runner) runRoutine(rt *routine, args map[string]any) (any, error) {
	ex := r.ex
	sc := newScope(nil)
	defer func() { ex.mu.Lock(); ex.release(sc); ex.mu.Unlock() }()
	for _, p := range rt.params {
		v, ok := args[p.name]
		if !ok && p.hasDefault {
			var err error
			if v, err = r.evalLocked(sc, p.def); err != nil {
				return nil, err
			}
		}
		ex.mu.Lock()
		err := ex.declare(sc, p.name, v)
		ex.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	fl, err := r.runSteps(sc, rt.steps)
	if err != nil || fl == nil {
		return nil, err
	}
	switch fl.kind {
	case fReturn:
		return fl.value, nil
	case fEnd:
		return nil, nil
	}
	return nil, newErr(tagSystem, "unexpected control transfer out of %s", rt.name)
}

// runSteps runs a step list, resolving jumps to its own steps and passing others upward.
func (r *runner) runSteps(sc *scope, list []*step) (*flow, error) {
	for i := 0; i < len(list); {
		fl, err := r.runStep(sc, list[i])
		if err != nil {
			return nil, err
		}
		if fl == nil {
			i++
			continue
		}
		if fl.kind != fJump {
			return fl, nil
		}
		j := indexOfStep(list, fl.target)
		if j < 0 {
			return fl, nil
		}
		i = j
	}
	return nil, nil
}

func indexOfStep(list []*step, name string) int {
	for i, s := range list {
		if s.name == name {
			return i
		}
	}
	return -1
}

func (r *runner) runStep(sc *scope, s *step) (*flow, error) {
	if r.ex.ctx.Err() != nil {
		return nil, errCancelled
	}
	r.ex.current.Store(&[2]string{r.routine, s.name})
	r.ex.steps.Add(1)
	fl, err := r.body(sc, s)
	if err != nil {
		if rs, ok := asRaised(err); ok && rs.Step == "" {
			rs.Step, rs.Routine, rs.Line = s.name, r.routine, s.line
		}
		return nil, err
	}
	if fl != nil {
		return fl, nil
	}
	return nextFlow(s.next), nil
}

func (r *runner) body(sc *scope, s *step) (*flow, error) {
	switch s.kind {
	case kAssign:
		return nil, r.runAssign(sc, s)
	case kCall:
		return nil, r.runCall(sc, s)
	case kSwitch:
		return r.runSwitch(sc, s)
	case kFor:
		return r.runFor(sc, s.loop)
	case kParallel:
		return nil, r.runParallel(sc, s.parallel)
	case kTry:
		return r.runTry(sc, s)
	case kRaise:
		v, err := r.evalLocked(sc, s.value)
		if err != nil {
			return nil, err
		}
		return nil, &Raised{Value: v}
	case kReturn:
		v, err := r.evalLocked(sc, s.value)
		if err != nil {
			return nil, err
		}
		return &flow{kind: fReturn, value: v}, nil
	case kSteps:
		return r.runSteps(sc, s.steps)
	}
	return nil, nil
}

func (r *runner) runAssign(sc *scope, s *step) error {
	ex := r.ex
	ex.mu.Lock()
	defer ex.mu.Unlock()
	env := r.env(sc)
	for _, a := range s.assign {
		v, err := evalTmpl(a.value, env)
		if err != nil {
			return err
		}
		if err := ex.assign(sc, a.target, deepCopy(v), env); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) runCall(sc *scope, s *step) error {
	ex := r.ex
	args := map[string]any{}
	ex.mu.Lock()
	env := r.env(sc)
	for name, t := range s.args {
		v, err := evalTmpl(t, env)
		if err != nil {
			ex.mu.Unlock()
			return err
		}
		args[name] = deepCopy(v)
	}
	ex.mu.Unlock()
	res, err := r.callNamed(s.call, args)
	if err != nil || s.result == "" {
		return err
	}
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return ex.assign(sc, identNode{s.result}, res, r.env(sc))
}

// callNamed calls a subworkflow or a builtin with named arguments.
func (r *runner) callNamed(name string, args map[string]any) (any, error) {
	if sub, ok := r.ex.wf.subs[name]; ok {
		return r.callSub(sub, args)
	}
	b, ok := stdlib[name]
	if !ok {
		return nil, newErr(tagSystem, "unknown function %s", name)
	}
	pos, err := namedArgs(b, args)
	if err != nil {
		return nil, err
	}
	return callBuiltin(&callCtx{ctx: r.ex.ctx, ex: r.ex}, b, pos)
}

func (r *runner) callSub(sub *routine, args map[string]any) (any, error) {
	if r.depth+1 > maxCallDepth {
		return nil, newErr(tagRecursion, "maximum subworkflow call depth (%d) exceeded calling %s", maxCallDepth, sub.name)
	}
	child := &runner{ex: r.ex, routine: sub.name, depth: r.depth + 1, parDepth: r.parDepth}
	return child.runRoutine(sub, args)
}

// evalLocked evaluates a template under the execution lock and returns a private copy.
func (r *runner) evalLocked(sc *scope, t tmpl) (any, error) {
	r.ex.mu.Lock()
	defer r.ex.mu.Unlock()
	v, err := evalTmpl(t, r.env(sc))
	return deepCopy(v), err
}

func evalTmpl(t tmpl, env evalEnv) (any, error) {
	switch x := t.(type) {
	case *exprTmpl:
		return eval(x.node, env)
	case listTmpl:
		out := make([]any, len(x))
		for i, e := range x {
			v, err := evalTmpl(e, env)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case *mapTmpl:
		out := make(map[string]any, len(x.keys))
		for i, k := range x.keys {
			v, err := evalTmpl(x.vals[i], env)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return t, nil
}

// scopeEnv adapts a scope to evalEnv for one runner.
type scopeEnv struct {
	r  *runner
	sc *scope
}

func (r *runner) env(sc *scope) evalEnv { return scopeEnv{r, sc} }

func (e scopeEnv) lookup(name string) (any, bool) { return e.sc.lookup(name) }

func (e scopeEnv) callFunc(name string, args []any) (any, error) {
	b, ok := stdlib[name]
	if !ok || b.blocking {
		return nil, newErr(tagSystem, "function %s cannot be called in an expression", name)
	}
	return callBuiltin(&callCtx{ctx: e.r.ex.ctx, ex: e.r.ex}, b, args)
}

func (e scopeEnv) resolveName(name string) (any, bool) {
	if modules[name] {
		return moduleRef{name}, true
	}
	if _, ok := stdlib[name]; ok {
		return funcRef{name}, true
	}
	if _, ok := builtinPolicies[name]; ok {
		return funcRef{name}, true
	}
	if _, ok := e.r.ex.wf.subs[name]; ok {
		return funcRef{name}, true
	}
	return nil, false
}

// errorContext renders where an uncaught error was raised, like the execution error context.
func errorContext(rs *Raised) string {
	return fmt.Sprintf("%s\nin step %q, routine %q, line: %d", valueString(rs.Value), rs.Step, rs.Routine, rs.Line)
}

// recoverInto turns a panic into a SystemError.
func recoverInto(err *error) {
	if p := recover(); p != nil {
		*err = newErr(tagSystem, "internal emulator error: %v", p)
	}
}
