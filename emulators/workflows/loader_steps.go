package workflows

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Parsing of the step kinds with their own structure: call, assign, switch and for.

func (ld *loader) fillStep(s *step, primary string, keys map[string]*yaml.Node) {
	switch primary {
	case "next":
		s.kind = kNext
	case "assign":
		s.kind, s.assign = kAssign, ld.parseAssign(s.name, keys["assign"])
	case "call":
		s.kind = kCall
		s.call = ld.scalar(keys["call"], "call")
		s.args = map[string]tmpl{}
		if a, ok := keys["args"]; ok {
			s.args = ld.parseArgs(s.name, a)
		}
		if r, ok := keys["result"]; ok {
			s.result = ld.scalar(r, "result")
			if !identRe.MatchString(s.result) {
				ld.errf(r, "step %q: result must be a variable name, got %q", s.name, s.result)
			}
		}
	case "switch":
		s.kind, s.cases = kSwitch, ld.parseSwitch(s.name, keys["switch"])
	case "for":
		s.kind, s.loop = kFor, ld.parseFor(s.name, keys["for"])
	case "parallel":
		s.kind, s.parallel = kParallel, ld.parseParallel(s.name, keys["parallel"])
	case "try":
		s.kind = kTry
		ld.parseTry(s, keys)
	case "raise":
		s.kind, s.value = kRaise, ld.parseValue(keys["raise"])
	case "return":
		s.kind, s.value = kReturn, ld.parseValue(keys["return"])
	case "steps":
		s.kind, s.steps = kSteps, ld.parseSteps(keys["steps"])
	}
}

func (ld *loader) parseArgs(name string, n *yaml.Node) map[string]tmpl {
	out := map[string]tmpl{}
	if n.Kind != yaml.MappingNode {
		ld.errf(n, "step %q: args must be a map", name)
		return out
	}
	for i := 0; i < len(n.Content); i += 2 {
		out[n.Content[i].Value] = ld.parseValue(n.Content[i+1])
	}
	return out
}

func (ld *loader) parseAssign(name string, n *yaml.Node) []assignment {
	if n.Kind != yaml.SequenceNode {
		ld.errf(n, "step %q: assign must be a list of single-key maps", name)
		return nil
	}
	var out []assignment
	for _, item := range n.Content {
		if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
			ld.errf(item, "step %q: each assignment must be a single-key map", name)
			continue
		}
		k := item.Content[0]
		target, err := parseExpr(k.Value)
		root := ""
		if err == nil {
			root, err = targetRoot(target)
		}
		if err != nil {
			ld.errf(k, "step %q: invalid assignment target %q: %v", name, k.Value, err)
			continue
		}
		out = append(out, assignment{target: target, root: root, value: ld.parseValue(item.Content[1]), line: k.Line})
	}
	return out
}

// targetRoot checks that an assignment target is a variable optionally followed by .field or
// [index] accesses, and returns the variable name.
func targetRoot(n exprNode) (string, error) {
	switch t := n.(type) {
	case identNode:
		return t.name, nil
	case fieldNode:
		return targetRoot(t.x)
	case indexNode:
		return targetRoot(t.x)
	}
	return "", fmt.Errorf("must be a variable, a map field or a list element")
}

func (ld *loader) parseSwitch(name string, n *yaml.Node) []*switchCase {
	if n.Kind != yaml.SequenceNode {
		ld.errf(n, "step %q: switch must be a list of conditions", name)
		return nil
	}
	var out []*switchCase
	for _, c := range n.Content {
		if c.Kind != yaml.MappingNode {
			ld.errf(c, "step %q: a switch condition must be a map", name)
			continue
		}
		var condNode *yaml.Node
		for i := 0; i < len(c.Content); i += 2 {
			if c.Content[i].Value == "condition" {
				condNode = c.Content[i+1]
			}
		}
		if condNode == nil {
			ld.errf(c, "step %q: switch entry without condition", name)
			continue
		}
		body := ld.parseBody(name, c, []string{"condition"})
		if body == nil {
			continue
		}
		out = append(out, &switchCase{cond: ld.parseValue(condNode), line: c.Line, body: body})
	}
	return out
}

func (ld *loader) parseFor(name string, n *yaml.Node) *forLoop {
	if n.Kind != yaml.MappingNode {
		ld.errf(n, "step %q: for must be a map", name)
		return nil
	}
	f := &forLoop{line: n.Line}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "value":
			f.value = ld.scalar(v, "for.value")
		case "index":
			f.index = ld.scalar(v, "for.index")
		case "in":
			f.in = ld.parseValue(v)
		case "range":
			f.rng = ld.parseValue(v)
		case "steps":
			f.steps = ld.parseSteps(v)
		default:
			ld.errf(k, "step %q: unsupported key %q in for (allowed: value, index, in, range, steps)", name, k.Value)
		}
	}
	switch {
	case f.value == "":
		ld.errf(n, "step %q: for needs value", name)
	case (f.in == nil) == (f.rng == nil):
		ld.errf(n, "step %q: for needs exactly one of in or range", name)
	case f.rng != nil && f.index != "":
		ld.errf(n, "step %q: for with range cannot have index", name)
	case f.steps == nil:
		ld.errf(n, "step %q: for needs steps", name)
	}
	return f
}
