package terraform_test

// The hybrid VM's cloud-init template: every variable it uses is passed by
// templatefile() in vm.tf, and the rendered result is valid YAML with a
// #cloud-config header (a mistake here would only show when the VM boots).

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"gopkg.in/yaml.v3"
)

const cloudInit = "templates/cloud-init.yaml.tftpl"

// templatefileArgs returns the keys passed to templatefile(path, {...}) for
// the template whose path ends in name.
func templatefileArgs(c *tfConfig, name string) ([]string, bool) {
	for _, f := range sortedKeys(c.bodies) {
		var found []string
		ok := false
		hclsyntax.VisitAll(c.bodies[f], func(n hclsyntax.Node) hcl.Diagnostics {
			fc, isCall := n.(*hclsyntax.FunctionCallExpr)
			if !isCall || fc.Name != "templatefile" || len(fc.Args) != 2 {
				return nil
			}
			if tpl, isTpl := fc.Args[0].(*hclsyntax.TemplateExpr); isTpl && strings.HasSuffix(string(tpl.SrcRange.SliceBytes(c.src[f])), name+`"`) {
				found, ok = sortedKeys(objectItems(fc.Args[1])), true
			}
			return nil
		})
		if ok {
			return found, true
		}
	}
	return nil, false
}

// renderTemplate renders src with every variable set to a sample string.
func renderTemplate(src []byte, vars []string) (string, error) {
	tpl, diags := hclsyntax.ParseTemplate(src, cloudInit, hcl.InitialPos)
	if diags.HasErrors() {
		return "", diags
	}
	values := map[string]cty.Value{}
	for _, v := range vars {
		values[v] = cty.StringVal("sample-" + v)
	}
	values["env_file"] = cty.StringVal("HOADON_PROJECT=p\nHOADON_BUCKET=b")
	ctx := &hcl.EvalContext{Variables: values, Functions: map[string]function.Function{"indent": indentFunc}}
	out, diags := tpl.Value(ctx)
	if diags.HasErrors() {
		return "", diags
	}
	return out.AsString(), nil
}

// indentFunc mirrors Terraform's indent(n, s): every line but the first
// gets n spaces.
var indentFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "n", Type: cty.Number}, {Name: "s", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		n, _ := args[0].AsBigFloat().Int64()
		return cty.StringVal(strings.ReplaceAll(args[1].AsString(), "\n", "\n"+strings.Repeat(" ", int(n)))), nil
	},
})

// checkCloudInit compares the template's variables with the arguments and
// parses the rendering.
func checkCloudInit(src []byte, args []string) []string {
	tpl, diags := hclsyntax.ParseTemplate(src, cloudInit, hcl.InitialPos)
	if diags.HasErrors() {
		return []string{diags.Error()}
	}
	var problems []string
	used := map[string]bool{}
	for _, tr := range tpl.Variables() {
		used[tr.RootName()] = true
	}
	for _, v := range sortedKeys(used) {
		if !contains(args, v) {
			problems = append(problems, fmt.Sprintf("%s uses ${%s}, which templatefile() does not pass", cloudInit, v))
		}
	}
	out, err := renderTemplate(src, args)
	if err != nil {
		return append(problems, err.Error())
	}
	if !strings.HasPrefix(out, "#cloud-config\n") {
		problems = append(problems, "rendered cloud-init does not start with #cloud-config")
	}
	var doc struct {
		WriteFiles []struct{ Path, Content string } `yaml:"write_files"`
		RunCmd     []string                         `yaml:"runcmd"`
	}
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
		return append(problems, "rendered cloud-init is not YAML: "+err.Error())
	}
	paths := map[string]string{}
	for _, f := range doc.WriteFiles {
		paths[f.Path] = f.Content
	}
	if !strings.Contains(paths["/etc/hoadon/server.env"], "HOADON_BUCKET=b\n") {
		problems = append(problems, "server.env does not hold one variable per line")
	}
	if !strings.Contains(paths["/etc/systemd/system/hoadon.service"], "docker run") || len(doc.RunCmd) == 0 {
		problems = append(problems, "no systemd unit running the image with docker")
	}
	if strings.Contains(string(src), "gce-container-declaration") {
		problems = append(problems, "uses the deprecated gce-container-declaration")
	}
	sort.Strings(problems)
	return problems
}

func TestCloudInitTemplate(t *testing.T) {
	src, err := os.ReadFile(cloudInit)
	if err != nil {
		t.Fatal(err)
	}
	args, ok := templatefileArgs(load(t), cloudInit)
	if !ok {
		t.Fatalf("no templatefile() call renders %s", cloudInit)
	}
	expectNone(t, "cloud-init", checkCloudInit(src, args))

	t.Run("missing argument", func(t *testing.T) {
		var fewer []string
		for _, a := range args {
			if a != "registry" {
				fewer = append(fewer, a)
			}
		}
		expectProblem(t, checkCloudInit(src, fewer), "uses ${registry}")
	})
	t.Run("broken indentation", func(t *testing.T) {
		bad := strings.Replace(string(src), "      ${indent(6, env_file)}", "${env_file}", 1)
		expectProblem(t, checkCloudInit([]byte(bad), args), "not YAML")
	})
}
