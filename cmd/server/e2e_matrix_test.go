package main

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// endpoint is one API route with an id of the owning tenant filled in.
type endpoint struct {
	name, method, path string
	need               hoadon.Permission
	list               bool // a list: another tenant gets 200 without the owner's ids
}

// crossTenantCases is the cross-tenant matrix: every API endpoint that
// names an id, and every list, called by each role (admin, operator,
// viewer) of the owning tenant and of another tenant. Another tenant gets
// 404 for every id (403 first when its role lacks the permission, which
// reveals nothing) and lists without the owner's ids; a role without the
// permission gets 403 in its own tenant. Calls that the owner's role may
// make and that would change state are left to the functional tests (the
// suite asserts that nothing changes); the owner's permitted reads answer
// 200. A key whose allow-list holds another company gets 403 for the
// company's import. absent maps a list case to the id it must not show.
func crossTenantCases(t *testing.T) ([]hostile, map[string]string) {
	t.Helper()
	sim := h.Stack.GDT()
	c, other := sim.Companies()[4], sim.Companies()[0]
	owner := as(t, "mx-own", hoadon.RoleAdmin)

	// The owner's import (run to its end, so nothing moves during the
	// suite), schedule and subscription.
	code, out := owner.do("POST", "/api/tasks/start", startBody(c.MST, c.Password))
	if code != http.StatusAccepted {
		t.Fatalf("owner start = %d %v", code, out)
	}
	imp := out["task_id"].(string)
	if st := owner.wait(imp); st["status"] != "completed" {
		t.Fatalf("owner import: %v", st)
	}
	sched := map[string]any{"schedule_id": "mx-nightly", "task_type": "gdt_invoice_import", "hour": 3, "paused": true,
		"task_params": map[string]any{"company_id": c.MST, "credentials": map[string]string{"username": c.MST, "password": c.Password}}}
	if code, out := owner.do("POST", "/api/schedules/create", sched); code != http.StatusCreated {
		t.Fatalf("owner schedule = %d %v", code, out)
	}
	code, out = owner.do("POST", "/api/subscriptions", map[string]any{"url": "http://127.0.0.1:9/mx"})
	if code != http.StatusCreated {
		t.Fatalf("owner subscription = %d %v", code, out)
	}
	sub := out["id"].(string)

	endpoints := []endpoint{
		{"task status", "GET", "/api/tasks/" + imp + "/status", hoadon.PermRead, false},
		{"task invoices", "GET", "/api/tasks/" + imp + "/invoices", hoadon.PermRead, false},
		{"task events", "GET", "/api/tasks/" + imp + "/events", hoadon.PermRead, false},
		{"task cancel", "POST", "/api/tasks/" + imp + "/cancel", hoadon.PermOperate, false},
		{"task list", "GET", "/api/tasks?limit=500", hoadon.PermRead, true},
		{"task list of the company", "GET", "/api/tasks?company_id=" + c.MST, hoadon.PermRead, true},
		{"schedule get", "GET", "/api/schedules/mx-nightly", hoadon.PermRead, false},
		{"schedule trigger", "POST", "/api/schedules/mx-nightly/trigger", hoadon.PermOperate, false},
		{"schedule pause", "POST", "/api/schedules/mx-nightly/pause", hoadon.PermOperate, false},
		{"schedule unpause", "POST", "/api/schedules/mx-nightly/unpause", hoadon.PermOperate, false},
		{"schedule delete", "DELETE", "/api/schedules/mx-nightly", hoadon.PermOperate, false},
		{"schedule list", "GET", "/api/schedules", hoadon.PermRead, true},
		{"subscription delete", "DELETE", "/api/subscriptions/" + sub, hoadon.PermAdmin, false},
		{"subscription list", "GET", "/api/subscriptions", hoadon.PermAdmin, true},
	}
	listShows := map[string]string{"task list": imp, "task list of the company": imp, "schedule list": "mx-nightly", "subscription list": sub}

	var cases []hostile
	absent := map[string]string{}
	for _, tenant := range []hoadon.Tenant{"mx-own", "mx-other"} {
		for _, role := range []hoadon.Role{hoadon.RoleAdmin, hoadon.RoleOperator, hoadon.RoleViewer} {
			key := as(t, tenant, role).key
			for _, e := range endpoints {
				own := tenant == "mx-own"
				want := http.StatusOK
				switch {
				case !role.Grants(e.need):
					want = http.StatusForbidden
				case own && e.method != "GET":
					continue // a permitted change: the functional tests make it
				case !own && !e.list:
					want = http.StatusNotFound
				}
				name := fmt.Sprintf("matrix %s %s %s", tenant, role, e.name)
				cases = append(cases, hostile{name, e.method, e.path, nil, []string{"X-API-Key", key}, want})
				if !own && e.list && want == http.StatusOK {
					absent[name] = listShows[e.name]
				}
			}
		}
	}
	limited := as(t, "mx-own", hoadon.RoleOperator, other.MST).key
	for _, e := range []endpoint{
		{"allow-list task status", "GET", "/api/tasks/" + imp + "/status", 0, false},
		{"allow-list task cancel", "POST", "/api/tasks/" + imp + "/cancel", 0, false},
		{"allow-list task list", "GET", "/api/tasks?company_id=" + c.MST, 0, false},
		{"allow-list start", "POST", "/api/tasks/start", 0, false},
	} {
		var body any
		if e.path == "/api/tasks/start" {
			body = startBody(c.MST, c.Password)
		}
		cases = append(cases, hostile{"matrix " + e.name, e.method, e.path, body, []string{"X-API-Key", limited}, http.StatusForbidden})
	}
	return cases, absent
}
