package workflows

// MaxMemory is the documented cap on the cumulative size of an execution's variables.
const MaxMemory = 512 * 1024

// scope holds variables. Child scopes serve for-loop iterations and except blocks; a branch
// scope (shared != nil) is the boundary of a parallel branch: it reads everything above it but
// writes upward only the variables listed in shared. A subworkflow call starts a new root scope.
// All access happens under the execution's mutex.
type scope struct {
	vars   map[string]any
	sizes  map[string]int64
	parent *scope
	shared map[string]bool
}

func newScope(parent *scope) *scope {
	return &scope{vars: map[string]any{}, sizes: map[string]int64{}, parent: parent}
}

func (s *scope) lookup(name string) (any, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// owner finds the scope an assignment to name writes to: the nearest scope that has it,
// without crossing a branch boundary for non-shared names; otherwise s itself.
func (s *scope) owner(name string) *scope {
	for c := s; c != nil; c = c.parent {
		if _, ok := c.vars[name]; ok {
			return c
		}
		if c.shared != nil && !c.shared[name] {
			break
		}
	}
	return s
}

// account records the new size of a variable and enforces the memory limit.
func (ex *execution) account(sc *scope, name string) error {
	n := sizeOf(sc.vars[name])
	ex.mem += n - sc.sizes[name]
	sc.sizes[name] = n
	if ex.mem > MaxMemory {
		return newErr(tagResourceLimit, "Memory usage limit exceeded: variables use %d bytes, the limit is %d", ex.mem, MaxMemory)
	}
	return nil
}

// declare creates name in sc itself (loop variables, except's as, parameters).
func (ex *execution) declare(sc *scope, name string, v any) error {
	sc.vars[name] = v
	return ex.account(sc, name)
}

// release gives back the memory of a scope that goes out of use.
func (ex *execution) release(sc *scope) {
	for _, n := range sc.sizes {
		ex.mem -= n
	}
	sc.sizes = map[string]int64{}
}

// assign stores v at target (name, name.field, name[index] ...), creating missing map levels.
func (ex *execution) assign(sc *scope, target exprNode, v any, env evalEnv) error {
	var path []exprNode
	for n := target; ; {
		switch t := n.(type) {
		case identNode:
			return ex.assignPath(sc, t.name, path, v, env)
		case fieldNode:
			path, n = append([]exprNode{litNode{t.name}}, path...), t.x
		case indexNode:
			path, n = append([]exprNode{t.idx}, path...), t.x
		default:
			return newErr(tagType, "invalid assignment target")
		}
	}
}

func (ex *execution) assignPath(sc *scope, root string, path []exprNode, v any, env evalEnv) error {
	own := sc.owner(root)
	if len(path) == 0 {
		own.vars[root] = v
		return ex.account(own, root)
	}
	keys := make([]any, len(path))
	for i, p := range path {
		k, err := eval(p, env)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	cur, ok := own.vars[root]
	if !ok || cur == nil {
		if _, isStr := keys[0].(string); !isStr {
			return newErr(tagKey, "variable %q is not defined", root)
		}
		cur = map[string]any{}
		own.vars[root] = cur
	}
	if err := setIn(cur, keys, v); err != nil {
		return err
	}
	return ex.account(own, root)
}

func setIn(container any, keys []any, v any) error {
	for i, k := range keys {
		last := i == len(keys)-1
		switch c := container.(type) {
		case map[string]any:
			ks, ok := k.(string)
			if !ok {
				return newErr(tagType, "map key must be a string, not %s", typeName(k))
			}
			if last {
				c[ks] = v
				return nil
			}
			next, exists := c[ks]
			if !exists || next == nil {
				next = map[string]any{}
				c[ks] = next
			}
			container = next
		case []any:
			idx, ok := k.(int64)
			if !ok {
				return newErr(tagType, "list index must be an integer, not %s", typeName(k))
			}
			if idx < 0 || idx >= int64(len(c)) {
				return newErr(tagIndex, "list index %d out of range", idx)
			}
			if last {
				c[idx] = v
				return nil
			}
			container = c[idx]
		default:
			return newErr(tagType, "cannot assign into a %s", typeName(container))
		}
	}
	return nil
}
