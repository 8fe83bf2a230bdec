package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/api"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// endpoint is one call of an API route, with ids of the owning tenant
// filled in.
type endpoint struct {
	name, method, path string
	route              string // the pattern shared/api registered that serves it
	need               hoadon.Permission
	kind               callKind
	body               any
}

// callKind says what another tenant's call of an endpoint gets.
type callKind int

const (
	byID   callKind = iota // names the owner's id or company: another tenant gets 404
	list                   // a list or view of the caller's own: another tenant gets 200 without the owner's ids
	create                 // creates in the caller's tenant: only the roles refused are called (403)
)

// crossTenantCases is the cross-tenant matrix: every /api route shared/api
// registers (the test fails on one it does not call), called by each role
// (admin, operator, viewer) of the owning tenant and of another tenant.
// Another tenant gets 404 for every id and company (403 first when its
// role lacks the permission, which reveals nothing) and lists without the
// owner's ids; a role without the permission gets 403 in its own tenant.
// Calls that the caller's role may make and that would change state (the
// owner's changes, and creations in any tenant) are left to the
// functional tests (the suite asserts that nothing changes); the owner's
// permitted reads answer 200. A key whose allow-list holds another company
// gets 403 for the company's import and company routes. absent maps a list
// case to the id it must not show.
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
	sched := func(id string) map[string]any {
		return map[string]any{"schedule_id": id, "task_type": "gdt_invoice_import", "hour": 3, "paused": true,
			"task_params": map[string]any{"company_id": c.MST, "credentials": map[string]string{"username": c.MST, "password": c.Password}}}
	}
	if code, out := owner.do("POST", "/api/schedules/create", sched("mx-nightly")); code != http.StatusCreated {
		t.Fatalf("owner schedule = %d %v", code, out)
	}
	code, out = owner.do("POST", "/api/subscriptions", map[string]any{"url": "http://127.0.0.1:9/mx"})
	if code != http.StatusCreated {
		t.Fatalf("owner subscription = %d %v", code, out)
	}
	sub := out["id"].(string)
	inv := storedInvoiceID(t, c.MST)

	co := "/api/companies/" + c.MST
	period := "from=" + from + "&to=" + to
	endpoints := []endpoint{
		{"task start", "POST", "/api/tasks/start", "/api/tasks/start", hoadon.PermOperate, create, startBody(c.MST, c.Password)},
		{"task status", "GET", "/api/tasks/" + imp + "/status", "/api/tasks/{id}/{action}", hoadon.PermRead, byID, nil},
		{"task invoices", "GET", "/api/tasks/" + imp + "/invoices", "/api/tasks/{id}/{action}", hoadon.PermRead, byID, nil},
		{"task events", "GET", "/api/tasks/" + imp + "/events", "/api/tasks/{id}/{action}", hoadon.PermRead, byID, nil},
		{"task cancel", "POST", "/api/tasks/" + imp + "/cancel", "/api/tasks/{id}/{action}", hoadon.PermOperate, byID, nil},
		{"task list", "GET", "/api/tasks?limit=500", "/api/tasks", hoadon.PermRead, list, nil},
		{"task list of the company", "GET", "/api/tasks?company_id=" + c.MST, "/api/tasks", hoadon.PermRead, list, nil},
		{"schedule create", "POST", "/api/schedules/create", "/api/schedules/create", hoadon.PermOperate, create, sched("mx-second")},
		{"schedule get", "GET", "/api/schedules/mx-nightly", "/api/schedules/{id}", hoadon.PermRead, byID, nil},
		{"schedule trigger", "POST", "/api/schedules/mx-nightly/trigger", "/api/schedules/{id}/{action}", hoadon.PermOperate, byID, nil},
		{"schedule pause", "POST", "/api/schedules/mx-nightly/pause", "/api/schedules/{id}/{action}", hoadon.PermOperate, byID, nil},
		{"schedule unpause", "POST", "/api/schedules/mx-nightly/unpause", "/api/schedules/{id}/{action}", hoadon.PermOperate, byID, nil},
		{"schedule delete", "DELETE", "/api/schedules/mx-nightly", "/api/schedules/{id}", hoadon.PermOperate, byID, nil},
		{"schedule list", "GET", "/api/schedules", "/api/schedules", hoadon.PermRead, list, nil},
		{"company list", "GET", "/api/companies", "GET /api/companies", hoadon.PermRead, list, nil},
		{"completeness", "GET", co + "/completeness?from=" + from[:7] + "&to=" + to[:7], "GET /api/companies/{mst}/completeness", hoadon.PermRead, list, nil},
		{"recheck", "POST", co + "/recheck", "POST /api/companies/{mst}/recheck", hoadon.PermOperate, byID, map[string]any{"months": 1}},
		{"invoice record", "GET", co + "/invoices/" + inv, "GET /api/companies/{mst}/invoices/{id}", hoadon.PermRead, byID, nil},
		{"purchase workbook", "GET", co + "/exports/purchase.xlsx?" + period, "/api/companies/{mst}/exports/{file}", hoadon.PermRead, byID, nil},
		{"sold files bundle", "GET", co + "/exports/sold.zip?" + period, "/api/companies/{mst}/exports/{file}", hoadon.PermRead, byID, nil},
		{"subscription create", "POST", "/api/subscriptions", "POST /api/subscriptions", hoadon.PermAdmin, create, map[string]any{"url": "http://127.0.0.1:9/mx2"}},
		{"subscription delete", "DELETE", "/api/subscriptions/" + sub, "DELETE /api/subscriptions/{id}", hoadon.PermAdmin, byID, nil},
		{"subscription list", "GET", "/api/subscriptions", "GET /api/subscriptions", hoadon.PermAdmin, list, nil},
	}
	checkRoutesCovered(t, endpoints)
	listShows := map[string]string{"task list": imp, "task list of the company": imp, "schedule list": "mx-nightly",
		"subscription list": sub, "company list": c.MST, "completeness": imp}

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
				case e.kind == create || own && e.method != "GET":
					continue // a permitted change: the functional tests make it
				case !own && e.kind == byID:
					want = http.StatusNotFound
				}
				name := fmt.Sprintf("matrix %s %s %s", tenant, role, e.name)
				cases = append(cases, hostile{name, e.method, e.path, e.body, []string{"X-API-Key", key}, want})
				if !own && e.kind == list && want == http.StatusOK {
					absent[name] = listShows[e.name]
				}
			}
		}
	}
	limited := as(t, "mx-own", hoadon.RoleOperator, other.MST).key
	for _, e := range endpoints {
		if !strings.HasPrefix(e.path, co) && !strings.Contains(e.path, imp) && !strings.Contains(e.path, "company_id="+c.MST) && e.name != "task start" {
			continue // the key's own lists, schedules and subscriptions
		}
		cases = append(cases, hostile{"matrix allow-list " + e.name, e.method, e.path, e.body, []string{"X-API-Key", limited}, http.StatusForbidden})
	}
	return cases, absent
}

// checkRoutesCovered fails the test when shared/api registers an /api
// route that no endpoint of the matrix calls: a new route joins the matrix
// or the suite fails.
func checkRoutesCovered(t *testing.T, endpoints []endpoint) {
	t.Helper()
	called := map[string]bool{}
	for _, e := range endpoints {
		called[e.route] = true
	}
	routes := api.New(nil, slog.New(slog.DiscardHandler)).Routes()
	n := 0
	for _, r := range routes {
		_, path, _ := strings.Cut(r, " ")
		if path == "" {
			path = r
		}
		if !strings.HasPrefix(path, "/api/") && path != "/api" {
			continue
		}
		n++
		if !called[r] {
			t.Errorf("route %q is not in the cross-tenant matrix", r)
		}
		delete(called, r)
	}
	for r := range called {
		t.Errorf("the matrix names route %q, which shared/api does not register", r)
	}
	t.Logf("cross-tenant matrix: %d endpoints over all %d /api routes", len(endpoints), n)
}

// storedInvoiceID is the catalogue id of one invoice of mst stored with its
// XML in the test period.
func storedInvoiceID(t *testing.T, mst string) string {
	t.Helper()
	fromT, _ := time.Parse(time.DateOnly, from)
	toT, _ := time.Parse(time.DateOnly, to)
	for _, tr := range h.Stack.GDT().Invoices(mst, fromT, toT) {
		if tr.HasXML {
			dir := hoadon.Sold
			if strings.HasPrefix(tr.Flow, "mua_vao") {
				dir = hoadon.Purchase
			}
			return truthKey(tr).ID(mst, dir)
		}
	}
	t.Fatalf("no invoice of %s with XML between %s and %s", mst, from, to)
	return ""
}
