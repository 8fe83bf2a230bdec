package terraform_test

// Loading and querying the Terraform configuration with hashicorp/hcl: the
// google provider cannot be downloaded offline, so `terraform validate` is
// impossible here; these helpers let the checks read the configuration's
// structure instead (blocks, locals, literal values, references).

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// tfConfig is a parsed set of .tf files, keyed by slash path relative to the
// configuration root ("main.tf", "modules/function/main.tf").
type tfConfig struct {
	src    map[string][]byte
	bodies map[string]*hclsyntax.Body
}

// loadDir parses every .tf file under root.
func loadDir(root string) (*tfConfig, hcl.Diagnostics, error) {
	srcs := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
			return filepath.SkipDir // .terraform/ holds downloaded modules
		}
		if d.IsDir() || !strings.HasSuffix(p, ".tf") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		srcs[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("loadDir %s: %w", root, err)
	}
	cfg, diags := loadSources(srcs)
	return cfg, diags, nil
}

// loadSources parses in-memory files (the checks' broken snippets).
func loadSources(srcs map[string]string) (*tfConfig, hcl.Diagnostics) {
	cfg := &tfConfig{src: map[string][]byte{}, bodies: map[string]*hclsyntax.Body{}}
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(srcs) {
		b := []byte(srcs[name])
		f, d := hclsyntax.ParseConfig(b, name, hcl.InitialPos)
		diags = append(diags, d...)
		cfg.src[name] = b
		if f != nil {
			if body, ok := f.Body.(*hclsyntax.Body); ok {
				cfg.bodies[name] = body
			}
		}
	}
	return cfg, diags
}

// unformatted lists files whose text differs from hclwrite.Format, the
// formatting terraform fmt applies.
func (c *tfConfig) unformatted() []string {
	var out []string
	for _, name := range sortedKeys(c.src) {
		if src := c.src[name]; string(hclwrite.Format(src)) != string(src) {
			out = append(out, name)
		}
	}
	return out
}

// blocks returns the top-level blocks of the files in module directory dir
// ("." for the root) with the given type and leading labels.
func (c *tfConfig) blocks(dir, typ string, labels ...string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, name := range sortedKeys(c.bodies) {
		if pathDir(name) != dir {
			continue
		}
		for _, b := range c.bodies[name].Blocks {
			if b.Type == typ && hasPrefix(b.Labels, labels) {
				out = append(out, b)
			}
		}
	}
	return out
}

// local returns the expression of local value name in dir, or nil.
func (c *tfConfig) local(dir, name string) hclsyntax.Expression {
	for _, b := range c.blocks(dir, "locals") {
		if a, ok := b.Body.Attributes[name]; ok {
			return a.Expr
		}
	}
	return nil
}

// localNames lists every local value defined in dir.
func (c *tfConfig) localNames(dir string) []string {
	var out []string
	for _, b := range c.blocks(dir, "locals") {
		for name := range b.Body.Attributes {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// objectItems returns the literal keys of an object constructor expression
// with their value expressions; nil if expr is not one.
func objectItems(expr hclsyntax.Expression) map[string]hclsyntax.Expression {
	obj, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil
	}
	out := map[string]hclsyntax.Expression{}
	for _, item := range obj.Items {
		if k, ok := literalString(item.KeyExpr); ok {
			out[k] = item.ValueExpr
		}
	}
	return out
}

// allObjectKeys collects the keys of every object constructor inside expr
// (through merge(), conditionals and nesting).
func allObjectKeys(expr hclsyntax.Expression) []string {
	if expr == nil {
		return nil
	}
	var keys []string
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if obj, ok := n.(*hclsyntax.ObjectConsExpr); ok {
			for _, item := range obj.Items {
				if k, ok := literalString(item.KeyExpr); ok {
					keys = append(keys, k)
				}
			}
		}
		return nil
	})
	return keys
}

// literalString evaluates expr without variables; ok only for a constant string.
func literalString(expr hclsyntax.Expression) (string, bool) {
	if expr == nil {
		return "", false
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type().FriendlyName() != "string" {
		return "", false
	}
	return v.AsString(), true
}

// literalStrings evaluates a constant list/tuple of strings.
func literalStrings(expr hclsyntax.Expression) ([]string, bool) {
	if expr == nil {
		return nil, false
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !e.IsKnown() || e.IsNull() || e.Type().FriendlyName() != "string" {
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

// traversalString renders a plain reference such as each.key or
// google_service_account.tasks.email; "" if expr is not a reference.
func traversalString(expr hclsyntax.Expression) string {
	st, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok {
		return ""
	}
	var parts []string
	for _, t := range st.Traversal {
		switch s := t.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		case hcl.TraverseIndex:
			parts = append(parts, fmt.Sprintf("[%s]", s.Key.GoString()))
		}
	}
	return strings.Join(parts, ".")
}

// references lists the references inside expr, rendered as root.attr[.attr].
func references(expr hclsyntax.Expression) []string {
	if expr == nil {
		return nil
	}
	var out []string
	for _, tr := range expr.Variables() {
		parts := []string{tr.RootName()}
		for _, t := range tr[1:] {
			if a, ok := t.(hcl.TraverseAttr); ok {
				parts = append(parts, a.Name)
			} else {
				break
			}
		}
		out = append(out, strings.Join(parts, "."))
	}
	return out
}

// nestedBlocks finds blocks of type typ anywhere below body, including the
// content of dynamic blocks.
func nestedBlocks(body *hclsyntax.Body, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == typ {
			out = append(out, b)
		}
		out = append(out, nestedBlocks(b.Body, typ)...)
	}
	return out
}

func pathDir(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return "."
}

func hasPrefix(labels, want []string) bool {
	if len(want) > len(labels) {
		return false
	}
	for i := range want {
		if labels[i] != want[i] {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
