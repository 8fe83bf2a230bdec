package main

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// caller sends requests with one API key.
type caller struct {
	t   *testing.T
	key string
}

func as(t *testing.T, tenant hoadon.Tenant, role hoadon.Role, companies ...string) caller {
	t.Helper()
	key, err := h.APIKey(tenant, role, companies...)
	if err != nil {
		t.Fatal(err)
	}
	return caller{t, key}
}

func (c caller) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	code, out, _ := h.Call(c.t, method, path, body, "X-API-Key", c.key)
	return code, out
}

func (c caller) wait(id string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if _, st := c.do("GET", "/api/tasks/"+id+"/status", nil); final(st) {
			return st
		}
		time.Sleep(200 * time.Millisecond)
	}
	c.t.Fatalf("import %s not final within 3 minutes", id)
	return nil
}

func taskIDs(out map[string]any) []string {
	var ids []string
	list, _ := out["tasks"].([]any)
	for _, x := range list {
		ids = append(ids, x.(map[string]any)["task_id"].(string))
	}
	return ids
}

// TestTenantsAreIsolated: two tenants import the same company, each with
// its own credentials, catalogue and files; every id of one is "not found"
// for the other, lists hold only their own; roles and company allow-lists
// refuse with 403.
func TestTenantsAreIsolated(t *testing.T) {
	sim := h.Stack.GDT()
	c, other := sim.Companies()[1], sim.Companies()[2]
	acme, globex := as(t, "acme", hoadon.RoleOperator), as(t, "globex", hoadon.RoleAdmin)
	viewer, limited := as(t, "acme", hoadon.RoleViewer), as(t, "acme", hoadon.RoleOperator, other.MST)
	def := caller{t, h.Env["HOADON_API_KEY"]}

	code, out := acme.do("POST", "/api/tasks/start", startBody(c.MST, c.Password))
	if code != http.StatusAccepted {
		t.Fatalf("acme start = %d %v", code, out)
	}
	id := out["task_id"].(string)
	for _, tc := range []struct {
		who          caller
		name, method string
		path         string
		want         int
	}{
		{globex, "globex status", "GET", "/api/tasks/" + id + "/status", 404},
		{globex, "globex invoices", "GET", "/api/tasks/" + id + "/invoices", 404},
		{globex, "globex events", "GET", "/api/tasks/" + id + "/events", 404},
		{globex, "globex cancel", "POST", "/api/tasks/" + id + "/cancel", 404},
		{def, "default tenant status", "GET", "/api/tasks/" + id + "/status", 404},
		{viewer, "viewer status", "GET", "/api/tasks/" + id + "/status", 200},
		{viewer, "viewer events", "GET", "/api/tasks/" + id + "/events", 200},
		{viewer, "viewer cancel", "POST", "/api/tasks/" + id + "/cancel", 403},
		{limited, "allow-list status", "GET", "/api/tasks/" + id + "/status", 403},
		{limited, "allow-list list", "GET", "/api/tasks?company_id=" + c.MST, 403},
	} {
		if code, out := tc.who.do(tc.method, tc.path, nil); code != tc.want {
			t.Errorf("%s: %d %v, want %d", tc.name, code, out, tc.want)
		}
	}
	if code, out := viewer.do("POST", "/api/tasks/start", startBody(c.MST, c.Password)); code != 403 {
		t.Errorf("viewer start = %d %v, want 403", code, out)
	}
	if code, out := limited.do("POST", "/api/tasks/start", startBody(c.MST, c.Password)); code != 403 {
		t.Errorf("allow-list start of another company = %d %v, want 403", code, out)
	}
	for name, who := range map[string]caller{"globex": globex, "default": def, "allow-list": limited} {
		if _, out := who.do("GET", "/api/tasks?limit=500", nil); slices.Contains(taskIDs(out), id) {
			t.Errorf("%s lists acme's import", name)
		}
	}
	if _, out := viewer.do("GET", "/api/tasks?company_id="+c.MST, nil); !slices.Contains(taskIDs(out), id) {
		t.Errorf("acme's viewer does not list acme's import: %v", out)
	}

	// globex imports the same company with its own (here: the same) password.
	code, out = globex.do("POST", "/api/tasks/start", startBody(c.MST, c.Password))
	if code != http.StatusAccepted || out["task_id"] == id {
		t.Fatalf("globex start = %d %v; want a new import of its own", code, out)
	}
	gid := out["task_id"].(string)
	sa, sg := acme.wait(id), globex.wait(gid)
	if sa["status"] != "completed" || sg["status"] != "completed" || count(sa, "stored") == 0 ||
		count(sg, "stored") != count(sa, "stored") || count(sg, "skipped") != 0 {
		t.Fatalf("acme %v %v, globex %v %v: want both completed, each storing every invoice", sa["status"], sa["counts"], sg["status"], sg["counts"])
	}
	ctx := context.Background()
	gcs, err := gcp.Storage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer gcs.Close()
	for tenant, st := range map[string]map[string]any{"acme": sa, "globex": sg} {
		prefix := "tenants/" + tenant + "/invoices/" + c.MST + "/"
		if files, _ := st["files"].(string); !strings.HasSuffix(files, "/"+prefix) {
			t.Errorf("%s: files at %q, want under %s", tenant, files, prefix)
		}
		if got := storedXML(t, gcs, h.Env["HOADON_BUCKET"], prefix); len(got) != count(st, "stored") {
			t.Errorf("%s: %d XML objects under %s, want %d", tenant, len(got), prefix, count(st, "stored"))
		}
	}
	// A second acme import skips what acme stored; globex's catalogue is its own.
	code, out = acme.do("POST", "/api/tasks/start", startBody(c.MST, c.Password))
	if code != http.StatusAccepted {
		t.Fatalf("acme again = %d %v", code, out)
	}
	if st := acme.wait(out["task_id"].(string)); count(st, "skipped") != count(sa, "stored")+count(sa, "unavailable") {
		t.Errorf("acme's second import: %v; want everything skipped", st["counts"])
	}
}

// TestSchedulesAreIsolated: a tenant's schedules are invisible to another;
// a viewer reads but does not create.
func TestSchedulesAreIsolated(t *testing.T) {
	c := h.Stack.GDT().Companies()[1]
	acme, globex, viewer := as(t, "acme", hoadon.RoleOperator), as(t, "globex", hoadon.RoleAdmin), as(t, "acme", hoadon.RoleViewer)
	body := map[string]any{"schedule_id": "nightly", "task_type": "gdt_invoice_import", "hour": 3, "paused": true,
		"task_params": map[string]any{"company_id": c.MST, "credentials": map[string]string{"username": c.MST, "password": c.Password}}}
	if code, out := viewer.do("POST", "/api/schedules/create", body); code != 403 {
		t.Errorf("viewer create = %d %v, want 403", code, out)
	}
	if code, out := acme.do("POST", "/api/schedules/create", body); code != 201 {
		t.Fatalf("acme create = %d %v", code, out)
	}
	for _, p := range []struct{ method, path string }{{"GET", "/api/schedules/nightly"}, {"POST", "/api/schedules/nightly/trigger"},
		{"POST", "/api/schedules/nightly/unpause"}, {"DELETE", "/api/schedules/nightly"}} {
		if code, out := globex.do(p.method, p.path, nil); code != 404 {
			t.Errorf("globex %s %s = %d %v, want 404", p.method, p.path, code, out)
		}
	}
	if _, out := globex.do("GET", "/api/schedules", nil); len(out["schedules"].([]any)) != 0 {
		t.Errorf("globex lists %v", out["schedules"])
	}
	// globex may use the same schedule id for its own.
	if code, out := globex.do("POST", "/api/schedules/create", body); code != 201 {
		t.Errorf("globex create with the same id = %d %v", code, out)
	}
	if code, _ := viewer.do("GET", "/api/schedules/nightly", nil); code != 200 {
		t.Errorf("viewer read = %d", code)
	}
	if code, _ := viewer.do("DELETE", "/api/schedules/nightly", nil); code != 403 {
		t.Errorf("viewer delete = %d", code)
	}
	for _, who := range []caller{acme, globex} {
		if code, out := who.do("DELETE", "/api/schedules/nightly", nil); code != 200 {
			t.Errorf("delete = %d %v", code, out)
		}
	}
}
