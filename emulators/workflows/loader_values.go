package workflows

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// parseValue turns a YAML value into a template: strings that are entirely ${...} become
// expressions; everything else stays literal data.
func (ld *loader) parseValue(n *yaml.Node) tmpl {
	switch n.Kind {
	case yaml.AliasNode:
		ld.errf(n, "YAML aliases (*%s) are not supported by the emulator", n.Value)
		return nil
	case yaml.SequenceNode:
		out := listTmpl{}
		for _, e := range n.Content {
			out = append(out, ld.parseValue(e))
		}
		return out
	case yaml.MappingNode:
		m := &mapTmpl{}
		for i := 0; i < len(n.Content); i += 2 {
			m.keys = append(m.keys, n.Content[i].Value)
			m.vals = append(m.vals, ld.parseValue(n.Content[i+1]))
		}
		return m
	}
	return ld.parseScalar(n)
}

func (ld *loader) parseScalar(n *yaml.Node) tmpl {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			ld.errf(n, "invalid boolean %q", n.Value)
		}
		return b
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			ld.errf(n, "invalid integer %q", n.Value)
		}
		return i
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			ld.errf(n, "invalid number %q", n.Value)
		}
		return f
	}
	v := n.Value
	if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
		src := v[2 : len(v)-1]
		node, err := parseExpr(src)
		if err != nil {
			ld.errf(n, "invalid expression %q: %v", v, err)
			return nil
		}
		return &exprTmpl{node: node, src: src, line: n.Line}
	}
	return v
}

func (ld *loader) parseParallel(name string, n *yaml.Node) *parallelStep {
	if n.Kind != yaml.MappingNode {
		ld.errf(n, "step %q: parallel must be a map", name)
		return nil
	}
	p := &parallelStep{line: n.Line}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "shared":
			if v.Kind != yaml.SequenceNode {
				ld.errf(v, "step %q: shared must be a list of variable names", name)
				continue
			}
			for _, e := range v.Content {
				p.shared = append(p.shared, ld.scalar(e, "shared variable"))
			}
		case "concurrency_limit":
			p.limit = ld.parseValue(v)
		case "exception_policy":
			if ld.scalar(v, "exception_policy") != "continueAll" {
				ld.errf(v, "step %q: exception_policy %q is not supported; continueAll is the only documented policy", name, v.Value)
			}
		case "branches":
			p.branches = ld.parseBranches(name, v)
		case "for":
			p.loop = ld.parseFor(name, v)
		default:
			ld.errf(k, "step %q: unsupported key %q in parallel (allowed: shared, concurrency_limit, exception_policy, branches, for)", name, k.Value)
		}
	}
	if (p.branches == nil) == (p.loop == nil) {
		ld.errf(n, "step %q: parallel needs exactly one of branches or for", name)
	}
	return p
}

func (ld *loader) parseBranches(name string, n *yaml.Node) []*branch {
	if n.Kind != yaml.SequenceNode {
		ld.errf(n, "step %q: branches must be a list", name)
		return nil
	}
	out := []*branch{}
	for _, b := range n.Content {
		if b.Kind != yaml.MappingNode || len(b.Content) != 2 || b.Content[1].Kind != yaml.MappingNode {
			ld.errf(b, "step %q: a branch must be {name: {steps: [...]}}", name)
			continue
		}
		body := b.Content[1]
		br := &branch{name: b.Content[0].Value, line: b.Line}
		for i := 0; i < len(body.Content); i += 2 {
			if body.Content[i].Value != "steps" {
				ld.errf(body.Content[i], "branch %q: unsupported key %q (only steps)", br.name, body.Content[i].Value)
				continue
			}
			br.steps = ld.parseSteps(body.Content[i+1])
		}
		if br.steps == nil {
			ld.errf(b, "branch %q has no steps", br.name)
		}
		out = append(out, br)
	}
	return out
}

func (ld *loader) parseTry(s *step, keys map[string]*yaml.Node) {
	t := keys["try"]
	if t.Kind != yaml.MappingNode {
		ld.errf(t, "step %q: try must be a map", s.name)
		return
	}
	s.try = ld.parseBody(s.name, t, nil)
	if r, ok := keys["retry"]; ok {
		s.retry = ld.parseRetry(s.name, r)
	}
	if e, ok := keys["except"]; ok {
		s.except = ld.parseExcept(s.name, e)
	}
	if s.retry == nil && s.except == nil {
		ld.errf(t, "step %q: try needs retry or except", s.name)
	}
}

// builtinPolicies are the documented retry policies usable as retry: ${...}.
var builtinPolicies = map[string]string{
	"http.default_retry":                "http.default_retry_predicate",
	"http.default_retry_non_idempotent": "http.default_retry_predicate_non_idempotent",
}

func (ld *loader) parseRetry(name string, n *yaml.Node) *retryPolicy {
	r := &retryPolicy{line: n.Line}
	if n.Kind == yaml.ScalarNode {
		ref := ld.refName(n)
		pred, ok := builtinPolicies[ref]
		if !ok {
			ld.errf(n, "step %q: retry policy %q is not supported (use ${http.default_retry}, ${http.default_retry_non_idempotent} or a map with predicate)", name, n.Value)
			return nil
		}
		r.predicate, r.maxRetries = pred, int64(5)
		return r
	}
	if n.Kind != yaml.MappingNode {
		ld.errf(n, "step %q: retry must be a policy expression or a map", name)
		return nil
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "predicate":
			r.predicate = ld.refName(v)
		case "max_retries":
			r.maxRetries = ld.parseValue(v)
		case "backoff":
			ld.parseBackoff(name, r, v)
		default:
			ld.errf(k, "step %q: unsupported key %q in retry (allowed: predicate, max_retries, backoff)", name, k.Value)
		}
	}
	if r.predicate == "" {
		ld.errf(n, "step %q: retry needs a predicate", name)
	}
	if r.maxRetries == nil {
		ld.errf(n, "step %q: retry needs max_retries", name)
	}
	return r
}

// refName reads ${name} or ${a.b}: a reference to a function or subworkflow, not a call.
func (ld *loader) refName(n *yaml.Node) string {
	v := strings.TrimSpace(n.Value)
	if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
		if node, err := parseExpr(v[2 : len(v)-1]); err == nil {
			if name, ok := dottedName(node); ok {
				return name
			}
		}
	}
	ld.errf(n, "expected a reference like ${http.default_retry_predicate} or ${my_subworkflow}, got %q", n.Value)
	return ""
}

func (ld *loader) parseBackoff(name string, r *retryPolicy, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		ld.errf(n, "step %q: backoff must be a map", name)
		return
	}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "initial_delay":
			r.initial = ld.parseValue(v)
		case "max_delay":
			r.maxDelay = ld.parseValue(v)
		case "multiplier":
			r.multiplier = ld.parseValue(v)
		default:
			ld.errf(k, "step %q: unsupported key %q in backoff (allowed: initial_delay, max_delay, multiplier)", name, k.Value)
		}
	}
}

func (ld *loader) parseExcept(name string, n *yaml.Node) *exceptBlock {
	if n.Kind != yaml.MappingNode {
		ld.errf(n, "step %q: except must be a map with as and steps", name)
		return nil
	}
	e := &exceptBlock{line: n.Line}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "as":
			e.as = ld.scalar(v, "as")
		case "steps":
			e.steps = ld.parseSteps(v)
		default:
			ld.errf(k, "step %q: unsupported key %q in except (allowed: as, steps)", name, k.Value)
		}
	}
	if e.steps == nil {
		ld.errf(n, "step %q: except needs steps", name)
	}
	return e
}
