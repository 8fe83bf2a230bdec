package workflows

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxSourceSize is the documented limit on a workflow's source code.
const MaxSourceSize = 128 * 1024

// LoadFile loads and validates the workflow in path; its name is the file name without extension.
func LoadFile(path string) (*Workflow, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("workflows.LoadFile: %w", err)
	}
	w, err := load(path, src)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Load loads and validates a workflow from source; name is used as the workflow id and as the
// file name in error messages.
func Load(name string, src []byte) (*Workflow, error) {
	return load(name, src)
}

func workflowName(file string) string {
	base := filepath.Base(file)
	for _, ext := range []string{".yaml", ".yml"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

func load(file string, src []byte) (*Workflow, error) {
	ld := &loader{file: file}
	if len(src) > MaxSourceSize {
		return nil, LoadErrors{{file, 1, fmt.Sprintf("source is %d bytes; the limit is %d (128 KB)", len(src), MaxSourceSize)}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, LoadErrors{{file, yamlErrLine(err), "invalid YAML: " + err.Error()}}
	}
	sum := sha256.Sum256(src)
	w := &Workflow{Name: workflowName(file), File: file, Revision: "000001-" + hex.EncodeToString(sum[:3]), subs: map[string]*routine{}}
	if len(doc.Content) == 0 {
		return nil, LoadErrors{{file, 1, "empty workflow"}}
	}
	ld.parseRoot(w, doc.Content[0])
	if len(ld.errs) == 0 {
		validate(ld, w)
	}
	if len(ld.errs) > 0 {
		return nil, ld.errs
	}
	return w, nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 1
}

type loader struct {
	file string
	errs LoadErrors
}

func (ld *loader) errf(n *yaml.Node, format string, args ...any) {
	line := 1
	if n != nil {
		line = n.Line
	}
	ld.errs = append(ld.errs, &LoadError{ld.file, line, fmt.Sprintf(format, args...)})
}

func (ld *loader) parseRoot(w *Workflow, root *yaml.Node) {
	switch root.Kind {
	case yaml.SequenceNode:
		w.main = &routine{name: "main", steps: ld.parseSteps(root), line: root.Line}
	case yaml.MappingNode:
		for i := 0; i < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			r := ld.parseRoutine(k.Value, v)
			if r == nil {
				continue
			}
			if k.Value == "main" {
				w.main = r
			} else {
				w.subs[k.Value] = r
			}
		}
		if w.main == nil {
			ld.errf(root, "workflow has no main block")
		}
	default:
		ld.errf(root, "a workflow must be a list of steps or a map with main and subworkflows")
	}
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (ld *loader) parseRoutine(name string, n *yaml.Node) *routine {
	if !identRe.MatchString(name) {
		ld.errf(n, "invalid subworkflow name %q", name)
	}
	if n.Kind != yaml.MappingNode {
		ld.errf(n, "%s must be a map with params and steps", name)
		return nil
	}
	r := &routine{name: name, line: n.Line}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "params":
			r.params = ld.parseParams(v)
		case "steps":
			r.steps = ld.parseSteps(v)
		default:
			ld.errf(k, "%s: unknown key %q (expected params or steps)", name, k.Value)
		}
	}
	if r.steps == nil {
		ld.errf(n, "%s has no steps", name)
	}
	return r
}

func (ld *loader) parseParams(n *yaml.Node) []param {
	if n.Kind != yaml.SequenceNode {
		ld.errf(n, "params must be a list")
		return nil
	}
	var out []param
	for _, p := range n.Content {
		switch {
		case p.Kind == yaml.ScalarNode && identRe.MatchString(p.Value):
			out = append(out, param{name: p.Value})
		case p.Kind == yaml.MappingNode && len(p.Content) == 2 && identRe.MatchString(p.Content[0].Value):
			out = append(out, param{name: p.Content[0].Value, def: ld.parseValue(p.Content[1]), hasDefault: true})
		default:
			ld.errf(p, "a parameter must be a name or {name: default}")
		}
	}
	return out
}

func (ld *loader) parseSteps(n *yaml.Node) []*step {
	if n.Kind != yaml.SequenceNode {
		ld.errf(n, "steps must be a list")
		return nil
	}
	out := []*step{}
	for _, item := range n.Content {
		if item.Kind != yaml.MappingNode || len(item.Content) != 2 {
			ld.errf(item, "a step must be a map with exactly one key, the step name")
			continue
		}
		name, body := item.Content[0], item.Content[1]
		if !identRe.MatchString(name.Value) {
			ld.errf(name, "invalid step name %q", name.Value)
		}
		if body.Kind != yaml.MappingNode {
			ld.errf(body, "step %q: body must be a map", name.Value)
			continue
		}
		if s := ld.parseBody(name.Value, body, nil); s != nil {
			s.line = name.Line // report steps at their name
			out = append(out, s)
		}
	}
	return out
}

// stepKeys lists the keys each kind of step accepts; anything else is rejected.
var stepKeys = map[string][]string{
	"assign":   {"assign", "next"},
	"call":     {"call", "args", "result", "next"},
	"switch":   {"switch", "next"},
	"for":      {"for", "next"},
	"parallel": {"parallel", "next"},
	"try":      {"try", "retry", "except", "next"},
	"raise":    {"raise"},
	"return":   {"return"},
	"steps":    {"steps", "next"},
	"next":     {"next"},
}

var primaryOrder = []string{"assign", "call", "switch", "for", "parallel", "try", "raise", "return", "steps"}

// parseBody parses a step body (also a switch condition or an inline try body). extra are
// additional keys the caller handles itself (condition).
func (ld *loader) parseBody(name string, n *yaml.Node, extra []string) *step {
	keys := map[string]*yaml.Node{}
	keyNodes := map[string]*yaml.Node{}
	for i := 0; i < len(n.Content); i += 2 {
		keys[n.Content[i].Value] = n.Content[i+1]
		keyNodes[n.Content[i].Value] = n.Content[i]
	}
	primary := ""
	for _, p := range primaryOrder {
		if _, ok := keys[p]; ok {
			if primary != "" {
				ld.errf(keyNodes[p], "step %q: %q cannot be combined with %q in one step", name, p, primary)
				return nil
			}
			primary = p
		}
	}
	if primary == "" {
		primary = "next"
	}
	allowed := append(append([]string{}, stepKeys[primary]...), extra...)
	ok := true
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if !contains1(allowed, k.Value) {
			ld.errf(k, "step %q: unsupported key %q in a %s step (allowed: %s)", name, k.Value, primary, strings.Join(stepKeys[primary], ", "))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	s := &step{name: name, line: n.Line}
	if nx, ok := keys["next"]; ok {
		s.next = ld.scalar(nx, "next")
	}
	if primary == "next" && s.next == "" {
		ld.errf(n, "step %q does nothing", name)
	}
	ld.fillStep(s, primary, keys)
	return s
}

func contains1(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func (ld *loader) scalar(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		ld.errf(n, "%s must be a plain value", what)
		return ""
	}
	return n.Value
}
