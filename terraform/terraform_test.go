// Package terraform_test checks the Terraform configuration offline: the
// google provider cannot be downloaded here, so instead of terraform
// validate these tests parse every .tf file with hashicorp/hcl, check
// terraform fmt formatting, and cross-check the configuration against the
// code (functions, configuration variables, workflows, IAM). Each check is
// also run on a deliberately broken snippet to prove it can fail.
package terraform_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/functions/all"
	"github.com/hoadon/hoadon/shared/config"
	"github.com/hoadon/hoadon/shared/settings"
	"github.com/hoadon/hoadon/shared/sink"
)

const (
	tfDir   = "."
	yamlDir = "../workflows-yaml"
)

// optionalEnv lists configuration variables a deployment deliberately leaves
// unset, with the reason.
var optionalEnv = map[string]string{
	"HOADON_TASKS_ENDPOINT":      "emulator address; empty means the real Cloud Tasks",
	"HOADON_WORKFLOWS_ENDPOINT":  "emulator address; empty means the real Workflows",
	"HOADON_GEMINI_URL":          "base URL override for the local Gemini fake",
	"HOADON_INSTANCE":            "defaults to host name and pid, unique per Cloud Run instance",
	"HOADON_FUNCTIONS_URL":       "hybrid mode only; serverless sets HOADON_DOWNLOAD_URL/HOADON_DELIVER_URL instead",
	"HOADON_ENCRYPTION_KEY_FILE": "alternative to HOADON_ENCRYPTION_KEY; the hybrid VM's boot script writes it",
	"HOADON_SIGNING_KEY_FILE":    "alternative to HOADON_SIGNING_KEY; the hybrid VM's boot script writes it",
	"HOADON_TASKS_MAX_ATTEMPTS":  "tuning knob with a production default (12 deliveries)",
	"HOADON_TASKS_MIN_BACKOFF":   "tuning knob with a production default (2 s)",
	"HOADON_TASKS_MAX_BACKOFF":   "tuning knob with a production default (5 min)",
	"HOADON_RATE_RAISE_EVERY":    "tuning knob with a production default (20 successes)",
	"HOADON_BREAKER_COOLDOWN":    "tuning knob with a production default (2 min)",
	"HOADON_API_URL":             "read by the CLI on an operator's machine, not by a deployed service",
	"HOADON_API_KEY":             "read by the CLI on an operator's machine, not by a deployed service",
	"HOADON_METRICS_INTERVAL":    "tuning knob with a production default (60 s)",
	"HOADON_SINK_URL":            "the sink rebuilds the signed URL from each request (HOADON_SINK_TRUST_FORWARDED_PROTO behind Cloud Run)",
}

// futureEnv lists variables Terraform sets ahead of the code that reads them.
var futureEnv = map[string]string{}

// callers maps each internal caller to the functions it invokes with OIDC.
var callers = map[string][]string{
	"workflows": {"login", "discover", "status", "finalize", "fail"},
	"tasks":     {"download", "deliver"},
	"scheduler": {"schedtick"},
}

// publicFunctions are reachable from outside the project (IAM still applies).
var publicFunctions = []string{"api", "eventsink"}

func load(t *testing.T) *tfConfig {
	t.Helper()
	cfg, diags, err := loadDir(tfDir)
	if err != nil {
		t.Fatal(err)
	}
	if diags.HasErrors() {
		t.Fatalf("terraform syntax: %s", diags.Error())
	}
	if len(cfg.src) < 10 {
		t.Fatalf("found only %d .tf files", len(cfg.src))
	}
	return cfg
}

func snippet(t *testing.T, srcs map[string]string) *tfConfig {
	t.Helper()
	cfg, diags := loadSources(srcs)
	if diags.HasErrors() {
		t.Fatalf("snippet does not parse: %s", diags.Error())
	}
	return cfg
}

func expectNone(t *testing.T, what string, problems []string) {
	t.Helper()
	for _, p := range problems {
		t.Errorf("%s: %s", what, p)
	}
}

func expectProblem(t *testing.T, problems []string, want string) {
	t.Helper()
	for _, p := range problems {
		if strings.Contains(p, want) {
			return
		}
	}
	t.Errorf("no problem mentioning %q; got %q", want, problems)
}

func functionNames() []string {
	names := []string{"eventsink", "schedtick"}
	for n := range all.Functions {
		if !contains(names, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func TestSyntax(t *testing.T) {
	load(t)
	t.Run("broken snippet reports file:line", func(t *testing.T) {
		_, diags := loadSources(map[string]string{"broken.tf": "locals {\n  a = \n}\n"})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), "broken.tf:2") {
			t.Fatalf("want an error at broken.tf:2, got %v", diags)
		}
	})
}

func TestFormat(t *testing.T) {
	for _, f := range load(t).unformatted() {
		t.Errorf("%s is not formatted (terraform fmt / hclwrite.Format)", f)
	}
	t.Run("broken snippet", func(t *testing.T) {
		got := snippet(t, map[string]string{"ugly.tf": "locals {\n    a=1\n  bb = 2\n}\n"}).unformatted()
		if len(got) != 1 || got[0] != "ugly.tf" {
			t.Fatalf("unformatted = %v, want [ugly.tf]", got)
		}
	})
}

// TestPlanTestsParse: the plan tests of make tf-check (which needs the
// provider) at least parse and are formatted in every make test.
func TestPlanTestsParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(tfDir, "tests", "*.tftest.hcl"))
	if len(files) < 3 {
		t.Fatalf("found %d plan tests in tests/", len(files))
	}
	srcs := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[filepath.Base(f)] = string(b)
	}
	cfg := snippet(t, srcs)
	for _, f := range cfg.unformatted() {
		t.Errorf("tests/%s is not formatted (terraform fmt)", f)
	}
	for name, body := range cfg.bodies {
		if len(nestedBlocks(body, "run")) == 0 {
			t.Errorf("tests/%s has no run block", name)
		}
	}
}

func TestDocumented(t *testing.T) {
	expectNone(t, "docs", checkDocumented(load(t)))
	t.Run("broken snippet", func(t *testing.T) {
		c := snippet(t, map[string]string{"v.tf": "variable \"x\" {\n  type = string\n}\n"})
		expectProblem(t, checkDocumented(c), `v.tf:1: variable "x"`)
	})
}

func TestEveryFunctionHasAService(t *testing.T) {
	names := functionNames()
	if len(names) < 10 {
		t.Fatalf("functions/all lists too few functions: %v", names)
	}
	expectNone(t, "functions", checkFunctions(load(t), names))

	module := `resource "google_cloud_run_v2_service" "this" {
  template {
    containers {
      env {
        name  = "FUNCTION_TARGET"
        value = %s
      }
    }
  }
}
`
	root := `locals {
  functions     = { api = {}, login = {} }
  run_functions = { for k, v in local.functions : k => v if true }
}
module "functions" {
  source          = "./modules/function"
  for_each        = local.run_functions
  function_target = each.key
}
`
	t.Run("missing function", func(t *testing.T) {
		c := snippet(t, map[string]string{"main.tf": root, "modules/function/main.tf": strings.Replace(module, "%s", "var.function_target", 1)})
		expectNone(t, "snippet", checkFunctions(c, []string{"api", "login"}))
		expectProblem(t, checkFunctions(c, []string{"api", "login", "deliver"}), `"deliver" has no Cloud Run service`)
	})
	t.Run("module ignores its target", func(t *testing.T) {
		c := snippet(t, map[string]string{"main.tf": root, "modules/function/main.tf": strings.Replace(module, "%s", `"api"`, 1)})
		expectProblem(t, checkFunctions(c, []string{"login"}), `"login" has no Cloud Run service`)
	})
}

func TestEnvironmentIsComplete(t *testing.T) {
	var required []string
	known := map[string]bool{}
	for _, v := range config.Settings() {
		required = append(required, v.Name)
		known[v.Name] = true
	}
	for n := range futureEnv {
		known[n] = true
	}
	src, err := os.ReadFile(filepath.Join(yamlDir, "invoice_import.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range workflowEnvReads(src) {
		known[n] = true
	}
	for n := range optionalEnv {
		if !known[n] {
			t.Errorf("optionalEnv lists %s, which no component declares (config.Settings)", n)
		}
	}
	expectNone(t, "env", checkEnv(load(t), required, optionalEnv, known))

	t.Run("broken snippet", func(t *testing.T) {
		c := snippet(t, map[string]string{"main.tf": `locals {
  pipeline_env = merge({
    HOADON_PROJECT = var.project_id
    HOADON_BUKET   = "b"
  }, {})
}
`})
		p := checkEnv(c, []string{"HOADON_PROJECT", "HOADON_BUCKET"}, nil, map[string]bool{"HOADON_PROJECT": true, "HOADON_BUCKET": true})
		expectProblem(t, p, "HOADON_BUCKET is read by the code")
		expectProblem(t, p, "Terraform sets HOADON_BUKET")
	})
}

// processLocals are the locals each kind of deployed process takes its
// environment from (run.tf, vm.tf).
var processLocals = map[string][]string{
	"pipeline":  {"pipeline_env", "run_trust_env", "pipeline_secret_env", "deliver_secret_env", "vm_env"},
	"eventsink": {"sink_env", "sink_secret_env"},
}

// TestEachProcessGetsOnlyItsSettings: a pipeline function or the VM is set
// only settings shared/config reads (its own, shared/queue's and
// shared/throttle's), the event sink only shared/sink's and the project
// (functions/eventsink reads it).
func TestEachProcessGetsOnlyItsSettings(t *testing.T) {
	reads := map[string]map[string]bool{"pipeline": {}, "eventsink": {"HOADON_PROJECT": true}}
	for _, s := range settings.List(&config.Config{}) {
		reads["pipeline"][s.Name] = true
	}
	for _, s := range sink.Settings {
		reads["eventsink"][s.Name] = true
	}
	expectNone(t, "process env", checkProcessEnv(load(t), processLocals, reads))

	t.Run("broken snippet", func(t *testing.T) {
		c := snippet(t, map[string]string{"main.tf": `locals {
  pipeline_env = merge({ HOADON_PROJECT = "p" }, { HOADON_SINK_KEYS = "k" })
  sink_env     = { HOADON_PROJECT = "p", HOADON_LOG_LEVEL = "info" }
}
`})
		p := checkProcessEnv(c, processLocals, reads)
		expectProblem(t, p, "pipeline_env sets HOADON_SINK_KEYS, which the pipeline does not read")
		expectProblem(t, p, "sink_env sets HOADON_LOG_LEVEL, which the eventsink does not read")
		if len(p) != 2 {
			t.Errorf("problems: %q", p)
		}
	})
}

func checkProcessEnv(c *tfConfig, locals map[string][]string, reads map[string]map[string]bool) []string {
	var problems []string
	for _, process := range sortedKeys(locals) {
		for _, name := range locals[process] {
			for _, k := range allObjectKeys(c.local(".", name)) {
				if envName.MatchString(k) && !reads[process][k] {
					problems = append(problems, name+" sets "+k+", which the "+process+" does not read")
				}
			}
		}
	}
	return problems
}

func TestEveryWorkflowIsDeployed(t *testing.T) {
	expectNone(t, "workflows", checkWorkflows(load(t), tfDir, yamlDir))
	t.Run("broken snippet", func(t *testing.T) {
		c := snippet(t, map[string]string{"workflows.tf": `locals {
  workflow_name = "invoice_import"
  workflow_env = { HOADON_FUNCTIONS_URL = "x", HOADON_LOGIN_URL = "x", HOADON_TYPO_URL = "x" }
}
resource "google_workflows_workflow" "one" {
  source_contents = file("${path.module}/../workflows-yaml/other.yaml")
  user_env_vars   = local.workflow_env
}
`})
		p := checkWorkflows(c, tfDir, yamlDir)
		expectProblem(t, p, "invoice_import.yaml is not deployed")
		expectProblem(t, p, "HOADON_WORKFLOW")
		expectProblem(t, p, "sets HOADON_TYPO_URL, which no workflow reads")
		expectProblem(t, p, "never sets HOADON_FAIL_URL")
	})
}

func TestWorkflowYAMLLoads(t *testing.T) {
	expectNone(t, "yaml", checkWorkflowYAML(yamlDir))
	t.Run("broken workflow", func(t *testing.T) {
		dir := t.TempDir()
		bad := "main:\n  steps:\n    - a:\n        call: http.post\n        args: [unclosed\n"
		if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		expectProblem(t, checkWorkflowYAML(dir), "bad.yaml")
	})
}

func TestServiceToServiceIAM(t *testing.T) {
	c := load(t)
	expectNone(t, "iam", checkCallers(c, callers))
	expectNone(t, "ingress", checkInternal(c, publicFunctions))

	t.Run("broken snippet", func(t *testing.T) {
		c := snippet(t, map[string]string{
			"main.tf": `locals {
  functions = {
    api   = { callers = [], internal = true }
    login = { callers = [], internal = true }
  }
  caller_members = { workflows = "serviceAccount:${google_service_account.tasks.email}" }
  invokers       = { for k, f in local.functions : k => {} }
}
module "functions" {
  source          = "./modules/function"
  for_each        = local.functions
  function_target = each.key
  invokers        = local.invokers[each.key]
}
`,
			"modules/function/main.tf": `resource "google_cloud_run_v2_service" "this" {
  template {
    containers {
      env {
        name  = "FUNCTION_TARGET"
        value = var.function_target
      }
    }
  }
}
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = var.invokers
  role     = "roles/run.admin"
}
`})
		p := checkCallers(c, map[string][]string{"workflows": {"login"}})
		expectProblem(t, p, "workflows calls login")
		expectProblem(t, p, "must name google_service_account.workflows")
		expectProblem(t, p, "local.invokers must be built from local.caller_members")
		expectProblem(t, p, "binds no roles/run.invoker")
		expectProblem(t, checkInternal(c, []string{"api"}), "local.functions.api.internal = true, want false")
	})
}
