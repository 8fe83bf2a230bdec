package terraform_test

// Checks between the Terraform configuration and workflows-yaml/: every
// workflow is deployed, its user env vars are ones it reads, and it loads.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/hoadon/hoadon/emulators/workflows"
)

var getEnv = regexp.MustCompile(`sys\.get_env\("([A-Za-z0-9_]+)"`)

// workflowEnvReads lists the user env vars a workflow source reads.
func workflowEnvReads(src []byte) []string {
	var out []string
	for _, m := range getEnv.FindAllSubmatch(src, -1) {
		if n := string(m[1]); !strings.HasPrefix(n, "GOOGLE_") && !contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// evalContext gives path.module and every root local that evaluates to a
// constant, enough to resolve file paths.
func evalContext(c *tfConfig, tfDir string) *hcl.EvalContext {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
		"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(tfDir)}),
	}}
	locals := map[string]cty.Value{}
	for range 3 { // locals referring to locals
		for _, name := range c.localNames(".") {
			if v, diags := c.local(".", name).Value(ctx); !diags.HasErrors() && v.IsWhollyKnown() {
				locals[name] = v
			}
		}
		ctx.Variables["local"] = cty.ObjectVal(locals)
	}
	return ctx
}

// checkWorkflows: every workflow file is deployed by a
// google_workflows_workflow (fileset() for_each or file() of that path), and
// the workflow's user_env_vars are variables the YAML reads, including the
// function URLs of both modes.
func checkWorkflows(c *tfConfig, tfDir, yamlDir string) []string {
	files, _ := filepath.Glob(filepath.Join(yamlDir, "*.yaml"))
	yml, _ := filepath.Glob(filepath.Join(yamlDir, "*.yml"))
	files = append(files, yml...)
	if len(files) == 0 {
		return []string{"no workflow files in " + yamlDir}
	}
	ctx := evalContext(c, tfDir)
	deployed := map[string]bool{}
	var problems, reads []string
	for _, f := range files {
		if src, err := os.ReadFile(f); err == nil {
			reads = append(reads, workflowEnvReads(src)...)
		}
	}
	resources := c.blocks(".", "resource", "google_workflows_workflow")
	for _, r := range resources {
		for _, p := range workflowFiles(r, ctx) {
			deployed[filepath.Clean(p)] = true
		}
		problems = append(problems, checkWorkflowEnv(c, r, reads)...)
	}
	if name, ok := literalString(c.local(".", "workflow_name")); ok && !deployed[filepath.Clean(filepath.Join(yamlDir, name+".yaml"))] {
		problems = append(problems, fmt.Sprintf("local.workflow_name (HOADON_WORKFLOW) = %q, but %s.yaml is not deployed", name, name))
	}
	for _, f := range files {
		if !deployed[filepath.Clean(f)] {
			problems = append(problems, fmt.Sprintf("%s is not deployed by any google_workflows_workflow", filepath.Base(f)))
		}
	}
	return problems
}

// workflowFiles resolves the files a workflow resource loads.
func workflowFiles(r *hclsyntax.Block, ctx *hcl.EvalContext) []string {
	var out []string
	if fe := attrExpr(r.Body, "for_each"); fe != nil {
		for _, call := range calls(fe, "fileset") {
			if len(call.Args) != 2 {
				continue
			}
			dir, d1 := call.Args[0].Value(ctx)
			pat, d2 := call.Args[1].Value(ctx)
			if d1.HasErrors() || d2.HasErrors() || dir.Type() != cty.String || pat.Type() != cty.String {
				continue
			}
			matches, _ := filepath.Glob(filepath.Join(dir.AsString(), pat.AsString()))
			out = append(out, matches...)
		}
		if sc := attrExpr(r.Body, "source_contents"); sc == nil || len(calls(sc, "file")) == 0 {
			return nil // for_each over files, but the source is not read from them
		}
		return out
	}
	if sc := attrExpr(r.Body, "source_contents"); sc != nil {
		for _, call := range calls(sc, "file") {
			if len(call.Args) == 1 {
				if v, d := call.Args[0].Value(ctx); !d.HasErrors() && v.Type() == cty.String {
					out = append(out, v.AsString())
				}
			}
		}
	}
	return out
}

// checkWorkflowEnv: user_env_vars keys are read by the workflows, and
// cover the function URLs in both modes.
func checkWorkflowEnv(c *tfConfig, r *hclsyntax.Block, reads []string) []string {
	e := attrExpr(r.Body, "user_env_vars")
	if e == nil {
		return []string{fmt.Sprintf("google_workflows_workflow.%s has no user_env_vars", r.Labels[1])}
	}
	keys := allObjectKeys(e)
	for _, ref := range references(e) {
		if name, ok := strings.CutPrefix(ref, "local."); ok && c.local(".", name) != nil {
			keys = append(keys, allObjectKeys(c.local(".", name))...)
		}
	}
	var problems []string
	for _, k := range keys {
		if !contains(reads, k) {
			problems = append(problems, fmt.Sprintf("user_env_vars sets %s, which no workflow reads", k))
		}
	}
	for _, k := range []string{"HOADON_FUNCTIONS_URL", "HOADON_LOGIN_URL", "HOADON_DISCOVER_URL", "HOADON_STATUS_URL", "HOADON_FINALIZE_URL", "HOADON_FAIL_URL"} {
		if !contains(keys, k) {
			problems = append(problems, fmt.Sprintf("user_env_vars never sets %s", k))
		}
	}
	return problems
}

// checkWorkflowYAML loads every workflow with the Workflows emulator's loader.
func checkWorkflowYAML(yamlDir string) []string {
	files, _ := filepath.Glob(filepath.Join(yamlDir, "*.y*ml"))
	var problems []string
	for _, f := range files {
		if _, err := workflows.LoadFile(f); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", filepath.Base(f), err))
		}
	}
	return problems
}
