package terraform_test

// The cross-checks between the Terraform configuration and the code. Each
// returns a list of problems (empty when the check passes) so the tests can
// run it on the real configuration and on deliberately broken snippets.

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// deployedFunctions returns the FUNCTION_TARGET values the root
// configuration deploys as Cloud Run services: literal targets of direct
// google_cloud_run_v2_service resources, and the for_each keys of module
// calls whose module passes var.function_target as FUNCTION_TARGET.
func deployedFunctions(c *tfConfig) (map[string]bool, []string) {
	deployed := map[string]bool{}
	var problems []string
	for _, r := range c.blocks(".", "resource", "google_cloud_run_v2_service") {
		if v := functionTarget(r.Body); v != nil {
			if s, ok := literalString(v); ok {
				deployed[s] = true
			}
		}
	}
	for _, m := range c.blocks(".", "module") {
		src, _ := literalString(attrExpr(m.Body, "source"))
		dir := path.Clean(strings.TrimPrefix(src, "./"))
		if !moduleTakesTarget(c, dir) {
			continue
		}
		target := attrExpr(m.Body, "function_target")
		switch {
		case target == nil:
			problems = append(problems, fmt.Sprintf("module %q: no function_target", m.Labels[0]))
		case traversalString(target) == "each.key":
			for _, k := range forEachKeys(c, attrExpr(m.Body, "for_each")) {
				deployed[k] = true
			}
		default:
			if s, ok := literalString(target); ok {
				deployed[s] = true
			} else {
				problems = append(problems, fmt.Sprintf("module %q: function_target must be each.key or a literal", m.Labels[0]))
			}
		}
	}
	return deployed, problems
}

// checkFunctions: every function name has a Cloud Run service with
// FUNCTION_TARGET equal to its name.
func checkFunctions(c *tfConfig, names []string) []string {
	deployed, problems := deployedFunctions(c)
	for _, n := range names {
		if !deployed[n] {
			problems = append(problems, fmt.Sprintf("function %q has no Cloud Run service with FUNCTION_TARGET=%q", n, n))
		}
	}
	return problems
}

// functionTarget finds the value of a static env block FUNCTION_TARGET.
func functionTarget(body *hclsyntax.Body) hclsyntax.Expression {
	for _, env := range nestedBlocks(body, "env") {
		if name, _ := literalString(attrExpr(env.Body, "name")); name == "FUNCTION_TARGET" {
			return attrExpr(env.Body, "value")
		}
	}
	return nil
}

// moduleTakesTarget reports whether module dir runs a Cloud Run service with
// FUNCTION_TARGET = var.function_target.
func moduleTakesTarget(c *tfConfig, dir string) bool {
	for _, r := range c.blocks(dir, "resource", "google_cloud_run_v2_service") {
		if v := functionTarget(r.Body); v != nil && traversalString(v) == "var.function_target" {
			return true
		}
	}
	return false
}

// forEachKeys resolves the literal keys a for_each expression may produce,
// following local references down to object constructors (for expressions
// that filter a local keep a subset of its keys).
func forEachKeys(c *tfConfig, expr hclsyntax.Expression) []string {
	seen := map[string]bool{}
	var keys []string
	var walk func(e hclsyntax.Expression)
	walk = func(e hclsyntax.Expression) {
		if e == nil {
			return
		}
		if items := objectItems(e); items != nil {
			keys = append(keys, sortedKeys(items)...)
			return
		}
		for _, ref := range references(e) {
			name, ok := strings.CutPrefix(ref, "local.")
			if !ok || seen[name] {
				continue
			}
			seen[name] = true
			if name, _, _ = strings.Cut(name, "."); c.local(".", name) != nil {
				walk(c.local(".", name))
			}
		}
	}
	walk(expr)
	sort.Strings(keys)
	return keys
}

// checkCallers: for each caller (workflows, tasks, scheduler), the functions
// it calls list it in local.functions[fn].callers, local.caller_members maps
// it to its own service account, and the function module binds
// roles/run.invoker for every entry of var.invokers.
func checkCallers(c *tfConfig, want map[string][]string) []string {
	var problems []string
	fns := objectItems(c.local(".", "functions"))
	if fns == nil {
		return []string{"local.functions is not an object literal"}
	}
	members := objectItems(c.local(".", "caller_members"))
	for _, caller := range sortedKeys(want) {
		m, ok := members[caller]
		if !ok {
			problems = append(problems, fmt.Sprintf("local.caller_members has no %q", caller))
		} else if !refersTo(references(m), "google_service_account."+caller) {
			problems = append(problems, fmt.Sprintf("local.caller_members.%s must name google_service_account.%s", caller, caller))
		}
		for _, fn := range want[caller] {
			f := objectItems(fns[fn])
			callers, _ := literalStrings(f["callers"])
			if !contains(callers, caller) {
				problems = append(problems, fmt.Sprintf("%s calls %s but local.functions.%s.callers lacks %q (no run.invoker binding)", caller, fn, fn, caller))
			}
		}
	}
	if inv := c.local(".", "invokers"); inv == nil || !contains(references(inv), "local.caller_members") {
		problems = append(problems, "local.invokers must be built from local.caller_members")
	}
	problems = append(problems, checkInvokerModule(c)...)
	return problems
}

// checkInvokerModule: the function module call passes local.invokers, and the
// module grants roles/run.invoker for each var.invokers entry on its service.
func checkInvokerModule(c *tfConfig) []string {
	for _, m := range c.blocks(".", "module") {
		src, _ := literalString(attrExpr(m.Body, "source"))
		dir := path.Clean(strings.TrimPrefix(src, "./"))
		if !moduleTakesTarget(c, dir) {
			continue
		}
		if inv := attrExpr(m.Body, "invokers"); inv == nil || !contains(references(inv), "local.invokers") {
			return []string{fmt.Sprintf("module %q must pass invokers = local.invokers[each.key]", m.Labels[0])}
		}
		for _, r := range c.blocks(dir, "resource", "google_cloud_run_v2_service_iam_member") {
			role, _ := literalString(attrExpr(r.Body, "role"))
			fe := attrExpr(r.Body, "for_each")
			if role == "roles/run.invoker" && fe != nil && contains(references(fe), "var.invokers") {
				return nil
			}
		}
		return []string{fmt.Sprintf("module %s binds no roles/run.invoker for each var.invokers", dir)}
	}
	return []string{"no function module call found"}
}

// checkInternal: every function but the public ones is internal (restricted
// ingress, no allUsers).
func checkInternal(c *tfConfig, public []string) []string {
	var problems []string
	for name, e := range objectItems(c.local(".", "functions")) {
		ie := objectItems(e)["internal"]
		if ie == nil {
			problems = append(problems, fmt.Sprintf("local.functions.%s has no internal flag", name))
			continue
		}
		internal, diags := ie.Value(nil)
		if diags.HasErrors() || internal.Type() != cty.Bool {
			problems = append(problems, fmt.Sprintf("local.functions.%s.internal is not a literal bool", name))
			continue
		}
		if want := !contains(public, name); internal.True() != want {
			problems = append(problems, fmt.Sprintf("local.functions.%s.internal = %v, want %v", name, internal.True(), want))
		}
	}
	sort.Strings(problems)
	return problems
}

// setEnvNames collects the environment variable names the configuration
// sets: keys of object literals in root locals named *env, and literal names
// of env blocks anywhere.
func setEnvNames(c *tfConfig) map[string]bool {
	set := map[string]bool{}
	for _, name := range c.localNames(".") {
		if strings.HasSuffix(name, "env") {
			for _, k := range allObjectKeys(c.local(".", name)) {
				set[k] = true
			}
		}
	}
	for _, f := range sortedKeys(c.bodies) {
		for _, env := range nestedBlocks(c.bodies[f], "env") {
			if n, ok := literalString(attrExpr(env.Body, "name")); ok {
				set[n] = true
			}
		}
	}
	return set
}

var envName = regexp.MustCompile(`^HOADON_[A-Z0-9_]+$`)

// checkEnv: every required variable is set unless allow-listed as optional,
// and every HOADON_* variable set is one the code (or a workflow) reads.
func checkEnv(c *tfConfig, required []string, optional map[string]string, known map[string]bool) []string {
	var problems []string
	set := setEnvNames(c)
	for _, n := range required {
		if _, ok := optional[n]; !ok && !set[n] {
			problems = append(problems, fmt.Sprintf("%s is read by the code but Terraform never sets it (set it, or allow-list it with a reason)", n))
		}
	}
	for _, n := range sortedKeys(set) {
		if envName.MatchString(n) && !known[n] {
			problems = append(problems, fmt.Sprintf("Terraform sets %s, which nothing reads", n))
		}
	}
	return problems
}

// checkDocumented: every variable has a description and a type, every
// output a description.
func checkDocumented(c *tfConfig) []string {
	var problems []string
	for _, f := range sortedKeys(c.bodies) {
		for _, b := range c.bodies[f].Blocks {
			switch {
			case b.Type == "variable" && (attrExpr(b.Body, "description") == nil || attrExpr(b.Body, "type") == nil):
				problems = append(problems, fmt.Sprintf("%s:%d: variable %q needs description and type", f, b.TypeRange.Start.Line, b.Labels[0]))
			case b.Type == "output" && attrExpr(b.Body, "description") == nil:
				problems = append(problems, fmt.Sprintf("%s:%d: output %q needs a description", f, b.TypeRange.Start.Line, b.Labels[0]))
			}
		}
	}
	return problems
}

// calls finds the calls of function name inside expr.
func calls(expr hclsyntax.Expression, name string) []*hclsyntax.FunctionCallExpr {
	var out []*hclsyntax.FunctionCallExpr
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if fc, ok := n.(*hclsyntax.FunctionCallExpr); ok && fc.Name == name {
			out = append(out, fc)
		}
		return nil
	})
	return out
}

// attrExpr returns the expression of attribute name in body, or nil.
func attrExpr(body *hclsyntax.Body, name string) hclsyntax.Expression {
	if a, ok := body.Attributes[name]; ok {
		return a.Expr
	}
	return nil
}

// refersTo reports whether one of refs is prefix or an attribute below it.
func refersTo(refs []string, prefix string) bool {
	for _, r := range refs {
		if r == prefix || strings.HasPrefix(r, prefix+".") {
			return true
		}
	}
	return false
}
