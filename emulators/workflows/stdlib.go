package workflows

import (
	"context"
	"strings"
)

// builtin is one standard-library function. params gives the argument names used by call
// steps (args: {name: value}); expressions pass them positionally.
type builtin struct {
	name      string
	params    []string
	required  int
	blocking  bool // sleeps or does I/O: only allowed in call steps
	predicate bool // a retry predicate: usable only as retry.predicate
	fn        func(c *callCtx, args []any) (any, error)
}

// callCtx is what a builtin sees of the running execution.
type callCtx struct {
	ctx context.Context
	ex  *execution
}

// stdlib is the registry of every supported function; anything else is rejected at load time.
var stdlib = map[string]*builtin{}

// modules are the standard-library namespaces, so that ${http.default_retry} resolves.
var modules = map[string]bool{}

func register(bs ...*builtin) {
	for _, b := range bs {
		stdlib[b.name] = b
		if i := strings.IndexByte(b.name, '.'); i > 0 {
			modules[b.name[:i]] = true
		}
	}
}

// fn builds a builtin with all params required.
func fn(name string, params []string, f func(c *callCtx, args []any) (any, error)) *builtin {
	return &builtin{name: name, params: params, required: len(params), fn: f}
}

// optional marks the trailing params of b as optional, leaving required of them mandatory.
func optional(b *builtin, required int) *builtin {
	b.required = required
	return b
}

func blocking(b *builtin) *builtin {
	b.blocking = true
	return b
}

// arg helpers produce the TypeError Workflows raises for a wrongly typed argument.

func argString(b string, args []any, i int) (string, error) {
	s, ok := args[i].(string)
	if !ok {
		return "", newErr(tagType, "%s: argument %d must be a string, got %s", b, i+1, typeName(args[i]))
	}
	return s, nil
}

func argInt(b string, args []any, i int) (int64, error) {
	switch n := args[i].(type) {
	case int64:
		return n, nil
	case float64:
		if n == float64(int64(n)) {
			return int64(n), nil
		}
	}
	return 0, newErr(tagType, "%s: argument %d must be an integer, got %s", b, i+1, typeName(args[i]))
}

func argNumber(b string, args []any, i int) (float64, error) {
	f, ok := toFloat(args[i])
	if !ok {
		return 0, newErr(tagType, "%s: argument %d must be a number, got %s", b, i+1, typeName(args[i]))
	}
	return f, nil
}

func argMap(b string, args []any, i int) (map[string]any, error) {
	m, ok := args[i].(map[string]any)
	if !ok {
		return nil, newErr(tagType, "%s: argument %d must be a map, got %s", b, i+1, typeName(args[i]))
	}
	return m, nil
}

// argBytes accepts bytes or a string (as its UTF-8 bytes).
func argBytes(b string, args []any, i int) ([]byte, error) {
	switch v := args[i].(type) {
	case Bytes:
		return v, nil
	case string:
		return []byte(v), nil
	}
	return nil, newErr(tagType, "%s: argument %d must be bytes or a string, got %s", b, i+1, typeName(args[i]))
}

// callBuiltin checks arity at run time (for call steps, where arguments are named) and runs b.
func callBuiltin(c *callCtx, b *builtin, args []any) (any, error) {
	if len(args) < b.required || len(args) > len(b.params) {
		return nil, newErr(tagType, "%s() takes %d to %d arguments, got %d", b.name, b.required, len(b.params), len(args))
	}
	for len(args) < len(b.params) {
		args = append(args, absent{})
	}
	return b.fn(c, args)
}

// absent marks an optional argument that was not given (distinct from null).
type absent struct{}

func given(v any) bool {
	_, missing := v.(absent)
	return !missing
}

// namedArgs orders call-step arguments by the builtin's parameter list.
func namedArgs(b *builtin, named map[string]any) ([]any, error) {
	args := make([]any, len(b.params))
	last := 0
	for i, p := range b.params {
		v, ok := named[p]
		if !ok {
			args[i] = absent{}
			continue
		}
		args[i], last = v, i+1
	}
	for n := range named {
		if !contains1(b.params, n) {
			return nil, newErr(tagValue, "%s has no argument %q", b.name, n)
		}
	}
	if last < b.required {
		last = b.required
	}
	for i := 0; i < b.required; i++ {
		if !given(args[i]) {
			return nil, newErr(tagValue, "%s needs argument %q", b.name, b.params[i])
		}
	}
	return args[:max(last, b.required)], nil
}
