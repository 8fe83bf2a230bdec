package terraform_test

// IAM sufficiency, derived from the code: every method of a Google client
// library that shared/ and functions/ call is found by type-checking them
// (golang.org/x/tools/go/packages) and must be listed in apiPermissions with
// the IAM permissions it needs; the roles terraform/ grants each service
// account, expanded with rolePermissions, must cover the permissions of the
// code that account runs.

import (
	"fmt"
	"go/ast"
	"go/types"
	"maps"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"golang.org/x/tools/go/packages"
)

// apiPermissions: each Google client method the code calls → the IAM
// permissions the call needs (none: it makes no request, or the request is
// counted at the method that sends it, as a query's at its iterator's Next).
// Permissions from the services' access-control pages:
//   - Cloud Tasks: https://cloud.google.com/tasks/docs/reference-access-control
//     (CreateTask with an OIDC token also needs iam.serviceAccounts.actAs on
//     the token's account: https://cloud.google.com/tasks/docs/creating-http-target-tasks)
//   - Workflows: https://cloud.google.com/workflows/docs/access-control
//   - Firestore: https://cloud.google.com/firestore/docs/security/iam
//   - Cloud Storage: https://cloud.google.com/storage/docs/access-control/iam-permissions
//   - Vertex AI: https://cloud.google.com/vertex-ai/docs/general/access-control
var apiPermissions = map[string][]string{
	"(*cloud.google.com/go/cloudtasks/apiv2.Client).CreateQueue": {"cloudtasks.queues.create"},
	"(*cloud.google.com/go/cloudtasks/apiv2.Client).CreateTask":  {"cloudtasks.tasks.create", "iam.serviceAccounts.actAs"},
	"(*cloud.google.com/go/cloudtasks/apiv2.Client).GetQueue":    {"cloudtasks.queues.get"},
	"(*cloud.google.com/go/cloudtasks/apiv2.Client).GetTask":     {"cloudtasks.tasks.get"},
	"(*cloud.google.com/go/cloudtasks/apiv2.Client).PauseQueue":  {"cloudtasks.queues.pause"},
	"(*cloud.google.com/go/cloudtasks/apiv2.Client).ResumeQueue": {"cloudtasks.queues.resume"},
	"(*cloud.google.com/go/cloudtasks/apiv2.Client).UpdateQueue": {"cloudtasks.queues.update"},
	"cloud.google.com/go/cloudtasks/apiv2.NewClient":             nil,

	"(*cloud.google.com/go/workflows/executions/apiv1.Client).CancelExecution": {"workflows.executions.cancel"},
	"(*cloud.google.com/go/workflows/executions/apiv1.Client).CreateExecution": {"workflows.executions.create"},
	"(*cloud.google.com/go/workflows/executions/apiv1.Client).GetExecution":    {"workflows.executions.get"},
	"cloud.google.com/go/workflows/executions/apiv1.NewClient":                 nil,

	"(*cloud.google.com/go/firestore.AggregationQuery).Get":       {"datastore.entities.list"},
	"(*cloud.google.com/go/firestore.AggregationQuery).WithCount": nil,
	"(*cloud.google.com/go/firestore.BulkWriter).Create":          {"datastore.entities.create"},
	"(*cloud.google.com/go/firestore.BulkWriter).Delete":          {"datastore.entities.delete"},
	"(*cloud.google.com/go/firestore.BulkWriter).Set":             {"datastore.entities.create", "datastore.entities.update"},
	"(*cloud.google.com/go/firestore.BulkWriter).End":             nil,
	"(*cloud.google.com/go/firestore.Client).BulkWriter":          nil,
	"(*cloud.google.com/go/firestore.Client).Collection":          nil,
	"(*cloud.google.com/go/firestore.Client).CollectionGroup":     nil,
	"(*cloud.google.com/go/firestore.Client).GetAll":              {"datastore.entities.get"},
	"(*cloud.google.com/go/firestore.Client).RunTransaction":      nil, // its reads and writes carry theirs
	"(*cloud.google.com/go/firestore.CollectionRef).Doc":          nil,
	"(*cloud.google.com/go/firestore.CollectionRef).DocumentRefs": nil,
	"(*cloud.google.com/go/firestore.DocumentIterator).GetAll":    {"datastore.entities.list"},
	"(*cloud.google.com/go/firestore.DocumentRefIterator).GetAll": {"datastore.entities.list"},
	"(*cloud.google.com/go/firestore.DocumentIterator).Next":      {"datastore.entities.list"},
	"(*cloud.google.com/go/firestore.DocumentIterator).Stop":      nil,
	"(*cloud.google.com/go/firestore.DocumentRef).Collection":     nil,
	"(*cloud.google.com/go/firestore.DocumentRef).Create":         {"datastore.entities.create"},
	"(*cloud.google.com/go/firestore.DocumentRef).Delete":         {"datastore.entities.delete"},
	"(*cloud.google.com/go/firestore.DocumentRef).Get":            {"datastore.entities.get"},
	"(*cloud.google.com/go/firestore.DocumentRef).Set":            {"datastore.entities.create", "datastore.entities.update"},
	"(*cloud.google.com/go/firestore.DocumentRef).Update":         {"datastore.entities.update"},
	"(*cloud.google.com/go/firestore.DocumentRefIterator).Next":   {"datastore.entities.list"},
	"(*cloud.google.com/go/firestore.DocumentSnapshot).Data":      nil,
	"(*cloud.google.com/go/firestore.DocumentSnapshot).DataAt":    nil,
	"(*cloud.google.com/go/firestore.DocumentSnapshot).DataTo":    nil,
	"(*cloud.google.com/go/firestore.DocumentSnapshot).Exists":    nil,
	"(*cloud.google.com/go/firestore.Query).NewAggregationQuery":  nil,
	"(*cloud.google.com/go/firestore.Transaction).Create":         {"datastore.entities.create"},
	"(*cloud.google.com/go/firestore.Transaction).Delete":         {"datastore.entities.delete"},
	"(*cloud.google.com/go/firestore.Transaction).Get":            {"datastore.entities.get"},
	"(*cloud.google.com/go/firestore.Transaction).GetAll":         {"datastore.entities.get"},
	"(*cloud.google.com/go/firestore.Transaction).Set":            {"datastore.entities.create", "datastore.entities.update"},
	"(*cloud.google.com/go/firestore.Transaction).Update":         {"datastore.entities.update"},
	"(cloud.google.com/go/firestore.Query).Documents":             nil, // the iterator's Next sends it
	"(cloud.google.com/go/firestore.Query).Limit":                 nil,
	"(cloud.google.com/go/firestore.Query).OrderBy":               nil,
	"(cloud.google.com/go/firestore.Query).Select":                nil,
	"(cloud.google.com/go/firestore.Query).Where":                 nil,
	"cloud.google.com/go/firestore.ArrayUnion":                    nil,
	"cloud.google.com/go/firestore.Increment":                     nil,
	"cloud.google.com/go/firestore.MaxAttempts":                   nil,
	"cloud.google.com/go/firestore.NewClient":                     nil,

	"(*cloud.google.com/go/storage.BucketHandle).Object":  nil,
	"(*cloud.google.com/go/storage.BucketHandle).Objects": nil, // the iterator's Next sends it
	"(*cloud.google.com/go/storage.Client).Bucket":        nil,
	"(*cloud.google.com/go/storage.ObjectHandle).Attrs":   {"storage.objects.get"},
	// A copy reads its source and creates its destination (if absent, as below).
	"(*cloud.google.com/go/storage.Copier).Run":              {"storage.objects.get", "storage.objects.create"},
	"(*cloud.google.com/go/storage.ObjectHandle).CopierFrom": nil,
	"(*cloud.google.com/go/storage.ObjectHandle).Delete":     {"storage.objects.delete"},
	"(*cloud.google.com/go/storage.ObjectHandle).If":         nil,
	"(*cloud.google.com/go/storage.ObjectHandle).NewReader":  {"storage.objects.get"},
	// Writes are if-absent (DoesNotExist), so never an overwrite (which would need delete).
	"(*cloud.google.com/go/storage.ObjectHandle).NewWriter": {"storage.objects.create"},
	"(*cloud.google.com/go/storage.ObjectIterator).Next":    {"storage.objects.list"},
	"(*cloud.google.com/go/storage.Reader).Close":           nil,
	"(*cloud.google.com/go/storage.Writer).Close":           nil,
	"(*cloud.google.com/go/storage.Writer).Write":           nil,
	"cloud.google.com/go/storage.NewClient":                 nil,

	"(google.golang.org/genai.Models).GenerateContent":        {"aiplatform.endpoints.predict"},
	"(*google.golang.org/genai.GenerateContentResponse).Text": nil,
	"google.golang.org/genai.NewClient":                       nil,
	"google.golang.org/genai.NewContentFromParts":             nil,
	"google.golang.org/genai.NewPartFromBytes":                nil,
	"google.golang.org/genai.NewPartFromText":                 nil,
	"google.golang.org/genai.Ptr":                             nil,

	// shared/metrics: the exporter creates metric descriptors and writes time series.
	"github.com/GoogleCloudPlatform/opentelemetry-operations-go/exporter/metric.New":           {"monitoring.metricDescriptors.create", "monitoring.timeSeries.create"},
	"github.com/GoogleCloudPlatform/opentelemetry-operations-go/exporter/metric.WithProjectID": nil,
}

// platformPermissions: what the platform does with a runtime account
// besides the code's calls: Cloud Run reads the secrets mounted as
// environment variables with it (https://cloud.google.com/run/docs/configuring/services/secrets),
// and the logs it writes are sent with it.
var platformPermissions = []string{"secretmanager.versions.access", "logging.logEntries.create"}

// rolePermissions: the permissions of the predefined roles terraform/
// grants, limited to the ones the code needs, from the IAM roles reference
// (https://cloud.google.com/iam/docs/roles-permissions, the service pages
// .../roles-permissions/{cloudtasks,workflows,datastore,storage,aiplatform,
// secretmanager,logging,monitoring,iam,artifactregistry}), read 2026-12.
var rolePermissions = map[string][]string{
	"roles/cloudtasks.enqueuer":          {"cloudtasks.tasks.create"},
	"roles/cloudtasks.queueAdmin":        {"cloudtasks.queues.create", "cloudtasks.queues.delete", "cloudtasks.queues.get", "cloudtasks.queues.list", "cloudtasks.queues.pause", "cloudtasks.queues.purge", "cloudtasks.queues.resume", "cloudtasks.queues.update"},
	"roles/cloudtasks.viewer":            {"cloudtasks.queues.get", "cloudtasks.queues.list", "cloudtasks.tasks.get", "cloudtasks.tasks.list"},
	"roles/workflows.invoker":            {"workflows.executions.cancel", "workflows.executions.create", "workflows.executions.get", "workflows.executions.list"},
	"roles/datastore.user":               {"datastore.entities.create", "datastore.entities.delete", "datastore.entities.get", "datastore.entities.list", "datastore.entities.update"},
	"roles/storage.objectUser":           {"storage.objects.create", "storage.objects.delete", "storage.objects.get", "storage.objects.list", "storage.objects.update"},
	"roles/aiplatform.user":              {"aiplatform.endpoints.predict"},
	"roles/secretmanager.secretAccessor": {"secretmanager.versions.access"},
	"roles/logging.logWriter":            {"logging.logEntries.create"},
	"roles/monitoring.metricWriter":      {"monitoring.timeSeries.create", "monitoring.metricDescriptors.create", "monitoring.metricDescriptors.get", "monitoring.metricDescriptors.list"},
	"roles/iam.serviceAccountUser":       {"iam.serviceAccounts.actAs"},
	"roles/artifactregistry.reader":      {"artifactregistry.repositories.downloadArtifacts"},
}

// googlePackage reports whether a package is a Google client library whose
// methods may call an API (generated message types, *pb, only carry data;
// option only configures clients).
func googlePackage(path string) bool {
	if strings.HasSuffix(path, "pb") || strings.HasPrefix(path, "google.golang.org/api/option") {
		return false
	}
	return strings.HasPrefix(path, "cloud.google.com/go/") || strings.HasPrefix(path, "google.golang.org/genai") ||
		strings.HasPrefix(path, "google.golang.org/api/") || strings.HasPrefix(path, "github.com/GoogleCloudPlatform/opentelemetry-operations-go/exporter/")
}

// googleCalls type-checks the module's packages matching patterns and
// returns, per package path, the Google client functions and methods it
// uses (types.Func.FullName).
func googleCalls(patterns ...string) (map[string][]string, error) {
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo, Dir: ".."}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return nil, fmt.Errorf("%s: %v", p.PkgPath, p.Errors[0])
		}
		seen := map[string]bool{}
		for _, f := range p.Syntax {
			ast.Inspect(f, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					if fn, ok := p.TypesInfo.Uses[id].(*types.Func); ok && fn.Pkg() != nil && googlePackage(fn.Pkg().Path()) && !seen[fn.FullName()] {
						seen[fn.FullName()] = true
						out[p.PkgPath] = append(out[p.PkgPath], fn.FullName())
					}
				}
				return true
			})
		}
	}
	return out, nil
}

// moduleDeps lists the packages of this module that pkg depends on (itself included).
func moduleDeps(pkg string) ([]string, error) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.ImportPath}}{{end}}{{end}}", pkg)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %w", pkg, err)
	}
	return strings.Fields(string(out)), nil
}

// grantedRoles reads, per service account (google_service_account name), the
// roles terraform/ grants it anywhere (project, bucket, secret, service
// account, repository): every literal role string of an *_iam_member
// resource whose member refers to the account, conditional grants included.
func grantedRoles(c *tfConfig) map[string][]string {
	out := map[string][]string{}
	for _, name := range sortedKeys(c.bodies) {
		if pathDir(name) != "." {
			continue
		}
		for _, r := range c.bodies[name].Blocks {
			if r.Type != "resource" || !strings.HasSuffix(r.Labels[0], "_iam_member") {
				continue
			}
			var sa string
			for _, ref := range references(attrExpr(r.Body, "member")) {
				if s, ok := strings.CutPrefix(ref, "google_service_account."); ok {
					sa, _, _ = strings.Cut(s, ".")
				}
			}
			if sa == "" {
				continue
			}
			roleExpr := attrExpr(r.Body, "role")
			if traversalString(roleExpr) == "each.value" || traversalString(roleExpr) == "each.key" {
				roleExpr = attrExpr(r.Body, "for_each")
			}
			out[sa] = append(out[sa], roleStrings(c, roleExpr)...)
		}
	}
	return out
}

// roleStrings collects the "roles/..." literals of expr, following
// references to locals.
func roleStrings(c *tfConfig, expr hclsyntax.Expression) []string {
	var out []string
	if expr == nil {
		return nil
	}
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.TemplateExpr:
			if s, ok := literalString(e); ok && strings.HasPrefix(s, "roles/") {
				out = append(out, s)
			}
		case *hclsyntax.ScopeTraversalExpr:
			if l, ok := strings.CutPrefix(traversalString(e), "local."); ok {
				out = append(out, roleStrings(c, c.local(".", l))...)
			}
		}
		return nil
	})
	return out
}

// unlistedCalls lists the calls missing from table, with the calling package.
func unlistedCalls(calls map[string][]string, table map[string][]string) []string {
	var out []string
	for pkg, fns := range calls {
		for _, fn := range fns {
			if _, ok := table[fn]; !ok {
				out = append(out, fmt.Sprintf("%s (in %s)", fn, pkg))
			}
		}
	}
	sort.Strings(out)
	return out
}

// checkPermissions: each account's roles cover what its code needs.
func checkPermissions(granted map[string][]string, need map[string]map[string][]string) []string {
	var problems []string
	for _, sa := range sortedKeys(need) {
		have := map[string]bool{}
		for _, role := range granted[sa] {
			for _, p := range rolePermissions[role] {
				have[p] = true
			}
		}
		for _, perm := range sortedKeys(need[sa]) {
			if !have[perm] {
				problems = append(problems, fmt.Sprintf("service account %q lacks %s (needed by %s; roles granted: %v)", sa, perm, strings.Join(need[sa][perm], ", "), granted[sa]))
			}
		}
	}
	return problems
}

// runtimeAccounts: which service account runs the code of which function
// (run.tf: pipeline functions as functions, the sink as eventsink; the
// hybrid VM runs every function as functions).
func runtimeAccounts() map[string][]string {
	return map[string][]string{
		"functions": {"./functions/..."},
		"eventsink": {"./functions/eventsink"},
	}
}

func TestServiceAccountsHavePermissions(t *testing.T) {
	calls, err := googleCalls("./shared/...", "./functions/...")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range unlistedCalls(calls, apiPermissions) {
		t.Errorf("Google client call not in apiPermissions: add it with the IAM permissions it needs: %s", u)
	}
	// A call missing from the table is found.
	partial := maps.Clone(apiPermissions)
	delete(partial, "(*cloud.google.com/go/cloudtasks/apiv2.Client).GetTask")
	if u := unlistedCalls(calls, partial); len(u) != 1 || !strings.HasPrefix(u[0], "(*cloud.google.com/go/cloudtasks/apiv2.Client).GetTask (in github.com/hoadon/hoadon/shared/queue)") {
		t.Errorf("unlisted GetTask: %q", u)
	}
	need := map[string]map[string][]string{} // account → permission → why
	for sa, roots := range runtimeAccounts() {
		need[sa] = map[string][]string{}
		for _, p := range platformPermissions {
			need[sa][p] = []string{"the platform"}
		}
		for _, root := range roots {
			deps, err := moduleDeps(root)
			if err != nil {
				t.Fatal(err)
			}
			for _, pkg := range deps {
				for _, fn := range calls[pkg] {
					for _, perm := range apiPermissions[fn] {
						if !contains(need[sa][perm], fn) {
							need[sa][perm] = append(need[sa][perm], fn)
						}
					}
				}
			}
		}
	}
	if len(need["functions"]) < 10 || len(need["eventsink"]) < 3 {
		t.Fatalf("found too few needed permissions: %v", need)
	}
	expectNone(t, "IAM", checkPermissions(grantedRoles(load(t)), need))

	// The fault the review found: queueAdmin + enqueuer without a role
	// holding cloudtasks.tasks.get, which TaskExists needs.
	broken := snippet(t, map[string]string{"iam.tf": `
locals {
  functions_roles = ["roles/datastore.user", "roles/cloudtasks.queueAdmin", "roles/cloudtasks.enqueuer"]
}
resource "google_project_iam_member" "functions" {
  for_each = toset(local.functions_roles)
  role     = each.value
  member   = "serviceAccount:${google_service_account.functions.email}"
}
`})
	problems := checkPermissions(grantedRoles(broken), map[string]map[string][]string{"functions": {
		"cloudtasks.tasks.get":    {"(*cloud.google.com/go/cloudtasks/apiv2.Client).GetTask"},
		"cloudtasks.tasks.create": {"(*cloud.google.com/go/cloudtasks/apiv2.Client).CreateTask"},
	}})
	if len(problems) != 1 {
		t.Errorf("broken snippet: %q", problems)
	}
	expectProblem(t, problems, `service account "functions" lacks cloudtasks.tasks.get`)
}
