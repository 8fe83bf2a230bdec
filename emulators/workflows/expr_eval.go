package workflows

import (
	"math"
	"strings"
)

// evalEnv is what an expression can see: variables and callable functions.
type evalEnv interface {
	lookup(name string) (any, bool)
	callFunc(name string, args []any) (any, error)
	resolveName(name string) (any, bool) // modules, function and subworkflow names
}

func eval(n exprNode, env evalEnv) (any, error) {
	switch t := n.(type) {
	case litNode:
		return t.v, nil
	case identNode:
		if v, ok := env.lookup(t.name); ok {
			return v, nil
		}
		if v, ok := env.resolveName(t.name); ok {
			return v, nil
		}
		return nil, newErr(tagKey, "variable %q is not defined", t.name)
	case fieldNode:
		x, err := eval(t.x, env)
		if err != nil {
			return nil, err
		}
		return getField(x, t.name, env)
	case indexNode:
		return evalIndex(t, env)
	case callNode:
		args := make([]any, len(t.args))
		for i, a := range t.args {
			v, err := eval(a, env)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		return env.callFunc(t.name, args)
	case unaryNode:
		return evalUnary(t, env)
	case binaryNode:
		return evalBinary(t, env)
	case listNode:
		out := make([]any, len(t.elems))
		for i, e := range t.elems {
			v, err := eval(e, env)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case mapNode:
		return evalMap(t, env)
	}
	return nil, newErr(tagSystem, "unknown expression node %T", n)
}

func getField(x any, name string, env evalEnv) (any, error) {
	switch v := x.(type) {
	case map[string]any:
		e, ok := v[name]
		if !ok {
			return nil, newErr(tagKey, "key not found: %s", name)
		}
		return e, nil
	case moduleRef:
		if f, ok := env.resolveName(v.name + "." + name); ok {
			return f, nil
		}
		return nil, newErr(tagKey, "%s.%s is not defined", v.name, name)
	}
	return nil, newErr(tagType, "cannot access field %q of a %s", name, typeName(x))
}

func evalIndex(t indexNode, env evalEnv) (any, error) {
	x, err := eval(t.x, env)
	if err != nil {
		return nil, err
	}
	idx, err := eval(t.idx, env)
	if err != nil {
		return nil, err
	}
	switch v := x.(type) {
	case []any:
		i, ok := idx.(int64)
		if !ok {
			return nil, newErr(tagType, "list index must be an integer, not %s", typeName(idx))
		}
		if i < 0 || i >= int64(len(v)) {
			return nil, newErr(tagIndex, "list index %d out of range", i)
		}
		return v[i], nil
	case map[string]any:
		k, ok := idx.(string)
		if !ok {
			return nil, newErr(tagType, "map key must be a string, not %s", typeName(idx))
		}
		e, ok := v[k]
		if !ok {
			return nil, newErr(tagKey, "key not found: %s", k)
		}
		return e, nil
	}
	return nil, newErr(tagType, "cannot index a %s", typeName(x))
}

func evalMap(t mapNode, env evalEnv) (any, error) {
	out := make(map[string]any, len(t.keys))
	for i := range t.keys {
		k, err := eval(t.keys[i], env)
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, newErr(tagType, "map keys must be strings, not %s", typeName(k))
		}
		v, err := eval(t.vals[i], env)
		if err != nil {
			return nil, err
		}
		out[ks] = v
	}
	return out, nil
}

func evalUnary(t unaryNode, env evalEnv) (any, error) {
	x, err := eval(t.x, env)
	if err != nil {
		return nil, err
	}
	if t.op == "not" {
		b, ok := x.(bool)
		if !ok {
			return nil, newErr(tagType, "not expects a boolean, got %s", typeName(x))
		}
		return !b, nil
	}
	switch v := x.(type) {
	case int64:
		return -v, nil
	case float64:
		return -v, nil
	}
	return nil, newErr(tagType, "unary minus expects a number, got %s", typeName(x))
}

func evalBinary(t binaryNode, env evalEnv) (any, error) {
	l, err := eval(t.l, env)
	if err != nil {
		return nil, err
	}
	if t.op == "and" || t.op == "or" {
		return evalLogic(t, l, env)
	}
	r, err := eval(t.r, env)
	if err != nil {
		return nil, err
	}
	switch t.op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<", "<=", ">", ">=":
		return compare(t.op, l, r)
	case "in":
		return contains(r, l)
	case "+":
		return add(l, r)
	}
	return arith(t.op, l, r)
}

func evalLogic(t binaryNode, l any, env evalEnv) (any, error) {
	lb, ok := l.(bool)
	if !ok {
		return nil, newErr(tagType, "%s expects booleans, got %s", t.op, typeName(l))
	}
	if (t.op == "and" && !lb) || (t.op == "or" && lb) {
		return lb, nil
	}
	r, err := eval(t.r, env)
	if err != nil {
		return nil, err
	}
	rb, ok := r.(bool)
	if !ok {
		return nil, newErr(tagType, "%s expects booleans, got %s", t.op, typeName(r))
	}
	return rb, nil
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func equal(l, r any) bool {
	if lf, ok := toFloat(l); ok {
		rf, ok := toFloat(r)
		return ok && lf == rf
	}
	switch lv := l.(type) {
	case nil:
		return r == nil
	case bool, string:
		return l == r
	case Bytes:
		rv, ok := r.(Bytes)
		return ok && string(lv) == string(rv)
	case []any:
		rv, ok := r.([]any)
		if !ok || len(lv) != len(rv) {
			return false
		}
		for i := range lv {
			if !equal(lv[i], rv[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		rv, ok := r.(map[string]any)
		if !ok || len(lv) != len(rv) {
			return false
		}
		for k, e := range lv {
			o, ok := rv[k]
			if !ok || !equal(e, o) {
				return false
			}
		}
		return true
	}
	return false
}

func compare(op string, l, r any) (any, error) {
	var c int
	lf, lok := toFloat(l)
	rf, rok := toFloat(r)
	ls, lsok := l.(string)
	rs, rsok := r.(string)
	switch {
	case lok && rok:
		c = cmpFloat(lf, rf)
	case lsok && rsok:
		c = strings.Compare(ls, rs)
	default:
		return nil, newErr(tagType, "cannot compare %s and %s with %s", typeName(l), typeName(r), op)
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func contains(container, x any) (any, error) {
	switch c := container.(type) {
	case []any:
		for _, e := range c {
			if equal(e, x) {
				return true, nil
			}
		}
		return false, nil
	case map[string]any:
		k, ok := x.(string)
		if !ok {
			return false, nil
		}
		_, found := c[k]
		return found, nil
	}
	return nil, newErr(tagType, "'in' expects a list or map on the right, got %s", typeName(container))
}

func add(l, r any) (any, error) {
	if ls, ok := l.(string); ok {
		if rs, ok := r.(string); ok {
			return ls + rs, nil
		}
		return nil, newErr(tagType, "cannot add string and %s", typeName(r))
	}
	return arith("+", l, r)
}

func arith(op string, l, r any) (any, error) {
	li, lInt := l.(int64)
	ri, rInt := r.(int64)
	lf, lok := toFloat(l)
	rf, rok := toFloat(r)
	if !lok || !rok {
		return nil, newErr(tagType, "unsupported operand types for %s: %s and %s", op, typeName(l), typeName(r))
	}
	if (op == "/" || op == "//" || op == "%") && rf == 0 {
		return nil, newErr(tagZeroDivision, "division by zero")
	}
	if lInt && rInt {
		switch op {
		case "+":
			return li + ri, nil
		case "-":
			return li - ri, nil
		case "*":
			return li * ri, nil
		case "//":
			q := li / ri
			if (li%ri != 0) && ((li < 0) != (ri < 0)) {
				q--
			}
			return q, nil
		case "%":
			m := li % ri
			if m != 0 && ((m < 0) != (ri < 0)) {
				m += ri
			}
			return m, nil
		}
	}
	switch op {
	case "+":
		return lf + rf, nil
	case "-":
		return lf - rf, nil
	case "*":
		return lf * rf, nil
	case "/":
		return lf / rf, nil
	case "//":
		return math.Floor(lf / rf), nil
	case "%":
		return lf - rf*math.Floor(lf/rf), nil
	}
	return nil, newErr(tagType, "unknown operator %s", op)
}
