package workflows

import "math"

// Default retry backoff (retry.default_backoff): initial delay 1 s, max delay 60 s,
// multiplier 1.25, used by http.default_retry and http.default_retry_non_idempotent.
const (
	defaultInitialDelay = 1.0
	defaultMaxDelay     = 60.0
	defaultMultiplier   = 1.25
)

func (r *runner) runSwitch(sc *scope, s *step) (*flow, error) {
	for _, c := range s.cases {
		v, err := r.evalLocked(sc, c.cond)
		if err != nil {
			return nil, err
		}
		ok, isBool := v.(bool)
		if !isBool {
			return nil, newErr(tagType, "switch condition must be a boolean, got %s", typeName(v))
		}
		if !ok {
			continue
		}
		fl, err := r.body(sc, c.body)
		if err != nil || fl != nil {
			return fl, err
		}
		return nextFlow(c.body.next), nil
	}
	return nil, nil
}

// forItems evaluates a loop's `in` list or inclusive `range`.
func (r *runner) forItems(sc *scope, f *forLoop) ([]any, error) {
	if f.in != nil {
		v, err := r.evalLocked(sc, f.in)
		if err != nil {
			return nil, err
		}
		list, ok := v.([]any)
		if !ok {
			return nil, newErr(tagType, "for: in must be a list (iterate a map with keys(map)), got %s", typeName(v))
		}
		return list, nil
	}
	v, err := r.evalLocked(sc, f.rng)
	if err != nil {
		return nil, err
	}
	bounds, ok := v.([]any)
	if !ok || len(bounds) != 2 {
		return nil, newErr(tagValue, "for: range must be a list [start, end]")
	}
	return rangeItems(bounds[0], bounds[1])
}

func rangeItems(a, b any) ([]any, error) {
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		var out []any
		for i := ai; i <= bi; i++ {
			out = append(out, i)
		}
		return out, nil
	}
	af, ok1 := toFloat(a)
	bf, ok2 := toFloat(b)
	if !ok1 || !ok2 {
		return nil, newErr(tagType, "for: range bounds must be numbers")
	}
	var out []any
	for x := af; x <= bf; x++ {
		out = append(out, x)
	}
	return out, nil
}

// iterScope makes the private scope of one iteration with its value and index variables.
func (r *runner) iterScope(parent *scope, f *forLoop, i int, item any) (*scope, error) {
	sc := newScope(parent)
	r.ex.mu.Lock()
	defer r.ex.mu.Unlock()
	if err := r.ex.declare(sc, f.value, deepCopy(item)); err != nil {
		return sc, err
	}
	if f.index != "" {
		return sc, r.ex.declare(sc, f.index, int64(i))
	}
	return sc, nil
}

func (r *runner) runFor(sc *scope, f *forLoop) (*flow, error) {
	items, err := r.forItems(sc, f)
	if err != nil {
		return nil, err
	}
	for i, item := range items {
		isc, err := r.iterScope(sc, f, i, item)
		var fl *flow
		if err == nil {
			fl, err = r.runSteps(isc, f.steps)
		}
		r.ex.mu.Lock()
		r.ex.release(isc)
		r.ex.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if fl == nil || fl.kind == fContinue {
			continue
		}
		if fl.kind == fBreak {
			return nil, nil
		}
		return fl, nil
	}
	return nil, nil
}

func (r *runner) runTry(sc *scope, s *step) (*flow, error) {
	for attempt := 0; ; attempt++ {
		fl, err := r.body(sc, s.try)
		if err == nil {
			if fl == nil {
				fl = nextFlow(s.try.next)
			}
			return fl, nil
		}
		rs, ok := asRaised(err)
		if !ok {
			return nil, err
		}
		if s.retry != nil {
			again, err := r.retryAfter(sc, s.retry, rs, attempt)
			if err != nil {
				return nil, err
			}
			if again {
				continue
			}
		}
		if s.except == nil {
			return nil, err
		}
		return r.runExcept(sc, s.except, rs)
	}
}

// retryAfter decides whether attempt (0-based) is retried and, if so, sleeps the backoff.
func (r *runner) retryAfter(sc *scope, p *retryPolicy, rs *Raised, attempt int) (bool, error) {
	maxRetries, err := r.number(sc, p.maxRetries, 5)
	if err != nil || float64(attempt) >= maxRetries {
		return false, err
	}
	ok, err := r.predicate(p.predicate, rs.Value)
	if err != nil || !ok {
		return false, err
	}
	initial, err := r.number(sc, p.initial, defaultInitialDelay)
	if err != nil {
		return false, err
	}
	maxDelay, err := r.number(sc, p.maxDelay, defaultMaxDelay)
	if err != nil {
		return false, err
	}
	mult, err := r.number(sc, p.multiplier, defaultMultiplier)
	if err != nil {
		return false, err
	}
	delay := math.Min(initial*math.Pow(mult, float64(attempt)), maxDelay)
	return true, r.ex.eng.clock.Sleep(r.ex.ctx, delay)
}

func (r *runner) number(sc *scope, t tmpl, def float64) (float64, error) {
	if t == nil {
		return def, nil
	}
	v, err := r.evalLocked(sc, t)
	if err != nil {
		return 0, err
	}
	f, ok := toFloat(v)
	if !ok || f < 0 {
		return 0, newErr(tagValue, "retry settings must be non-negative numbers, got %s", valueString(v))
	}
	return f, nil
}

// predicate runs a documented predicate or a subworkflow predicate on the error value.
func (r *runner) predicate(name string, errVal any) (bool, error) {
	var v any
	var err error
	if b, ok := stdlib[name]; ok {
		v, err = callBuiltin(&callCtx{ctx: r.ex.ctx, ex: r.ex}, b, []any{deepCopy(errVal)})
	} else if sub, ok := r.ex.wf.subs[name]; ok {
		v, err = r.callSub(sub, map[string]any{sub.params[0].name: deepCopy(errVal)})
	} else {
		return false, newErr(tagSystem, "unknown retry predicate %s", name)
	}
	if err != nil {
		return false, err
	}
	ok, isBool := v.(bool)
	if !isBool {
		return false, newErr(tagType, "retry predicate %s must return a boolean, got %s", name, typeName(v))
	}
	return ok, nil
}

func (r *runner) runExcept(sc *scope, e *exceptBlock, rs *Raised) (*flow, error) {
	esc := newScope(sc)
	defer func() { r.ex.mu.Lock(); r.ex.release(esc); r.ex.mu.Unlock() }()
	if e.as != "" {
		r.ex.mu.Lock()
		err := r.ex.declare(esc, e.as, deepCopy(rs.Value))
		r.ex.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	return r.runSteps(esc, e.steps)
}
