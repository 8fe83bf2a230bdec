package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
)

// TestBadRequests: every malformed start request is a 400 whose message
// names the problem, and creates nothing: no import in Firestore, no
// workflow execution.
func TestBadRequests(t *testing.T) {
	c := h.Stack.GDT().Companies()[0]
	ok := func(edit func(p map[string]any)) map[string]any {
		b := startBody(c.MST, c.Password)
		edit(b["task_params"].(map[string]any))
		return b
	}
	cases := []struct {
		name string
		body any
		want string // in the message
	}{
		{"empty body", "", "empty"},
		{"not JSON", "hello", "invalid JSON"},
		{"array", "[]", "must be an object"},
		{"truncated", `{"task_type": "gdt_invoice_import"`, "cut short"},
		{"trailing data", `{"task_type":"gdt_invoice_import"} {}`, "after the object"},
		{"unknown field", `{"task_type":"gdt_invoice_import","task_params":{},"extra":1}`, "unknown field"},
		{"task_type missing", `{"task_params":{}}`, "task_type is required"},
		{"task_type unknown", map[string]any{"task_type": "gdt_tax_report_sync", "task_params": startBody(c.MST, "x")["task_params"]}, "not supported"},
		{"task_type number", `{"task_type": 7}`, "must be a string"},
		{"company missing", ok(func(p map[string]any) { delete(p, "company_id") }), "company_id is required"},
		{"company letters", ok(func(p map[string]any) { p["company_id"] = "ABCDEFGHIJ" }), "company_id"},
		{"company check digit", ok(func(p map[string]any) { p["company_id"] = "0100109107" }), "check digit"},
		{"company short", ok(func(p map[string]any) { p["company_id"] = "01001091" }), "company_id"},
		{"credentials missing", ok(func(p map[string]any) { delete(p, "credentials") }), "credentials"},
		{"password empty", ok(func(p map[string]any) { p["credentials"] = map[string]string{"username": c.MST} }), "password is required"},
		{"password too long", ok(func(p map[string]any) {
			p["credentials"] = map[string]string{"username": c.MST, "password": strings.Repeat("x", 200)}
		}), "password is longer"},
		{"credentials not object", ok(func(p map[string]any) { p["credentials"] = "secret" }), "must be an object"},
		{"date format", ok(func(p map[string]any) { p["date_range_start"] = "01/09/2026" }), "date_range_start"},
		{"impossible date", ok(func(p map[string]any) { p["date_range_end"] = "2026-02-30" }), "date_range_end"},
		{"only start", ok(func(p map[string]any) { delete(p, "date_range_end") }), "both"},
		{"reversed", ok(func(p map[string]any) { p["date_range_start"], p["date_range_end"] = "2026-10-31", "2026-09-01" }), "before"},
		{"future", ok(func(p map[string]any) { p["date_range_end"] = "2099-01-01" }), "future"},
		{"over 12 months", ok(func(p map[string]any) { p["date_range_start"] = "2025-01-01" }), "longer than 12 months"},
		{"unknown flow", ok(func(p map[string]any) { p["flows"] = []string{"ban_ra"} }), "unknown flow"},
		{"flows not list", ok(func(p map[string]any) { p["flows"] = "ban_ra_dien_tu" }), "must be an array"},
		{"force not bool", ok(func(p map[string]any) { p["force"] = "yes" }), "true or false"},
		{"control char in name", ok(func(p map[string]any) { p["company_name"] = "ACME\x00" }), "control"},
		{"oversized body", `{"task_type":"` + strings.Repeat("a", 70<<10) + `"}`, "larger than"},
	}
	imports, execs := countImports(t), countExecutions(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out := request(t, "POST", "/api/tasks/start", tc.body)
			e, _ := out["error"].(map[string]any)
			msg, _ := e["message"].(string)
			if code != http.StatusBadRequest || !strings.Contains(msg, tc.want) {
				t.Errorf("= %d %q; want 400 mentioning %q", code, msg, tc.want)
			}
		})
	}
	if n := countImports(t); n != imports {
		t.Errorf("bad requests created %d imports", n-imports)
	}
	if n := countExecutions(t); n != execs {
		t.Errorf("bad requests started %d workflow executions", n-execs)
	}
	// Other routes refuse bad input too.
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/tasks/nope!/status"}, {"GET", "/api/tasks?company_id=123"}, {"GET", "/api/tasks?limit=0"},
	} {
		if code, out := request(t, r.method, r.path, nil); code != http.StatusBadRequest {
			t.Errorf("%s %s = %d %v, want 400", r.method, r.path, code, out)
		}
	}
	if code, _ := request(t, "GET", "/api/tasks/00000000-0000-0000-0000-000000000000/status", nil); code != http.StatusNotFound {
		t.Errorf("unknown task = %d, want 404", code)
	}
	if code, _ := request(t, "GET", "/api/tasks/start", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("GET start = %d, want 405", code)
	}
}

func countImports(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	fs, err := gcp.Firestore(ctx, h.Env["HOADON_PROJECT"])
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	docs, err := fs.Collection("imports").Documents(ctx).GetAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(docs)
}

func countExecutions(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	c, err := gcp.Executions(ctx, h.Env["HOADON_WORKFLOWS_ENDPOINT"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	it := c.ListExecutions(ctx, &executionspb.ListExecutionsRequest{
		Parent: "projects/" + h.Env["HOADON_PROJECT"] + "/locations/" + h.Env["HOADON_LOCATION"] + "/workflows/invoice_import",
	})
	n := 0
	for {
		_, err := it.Next()
		if err == iterator.Done {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
}
