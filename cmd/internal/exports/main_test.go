// Package exports tests the exports end to end: a real import of the
// simulator's demo company through the whole system, then the bảng kê
// workbook and the period bundle fetched through the API, every sheet
// compared with the invoices the simulator issued: the portal's current
// status of each (replaced originals listed, left out of the totals) and
// its seller signature's verdict as the catalogue recorded them.
package exports

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/export/exporttest"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// The demo company's purchases of 2026-08 hold a replaced pair, a
// trade-discount line, KCT lines and a USD invoice with the simulator's
// default month size (gdtsim TestExportShapes pins it).
const (
	from = "2026-08-01"
	to   = "2026-08-31"
)

var h *e2e.Harness

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	opts := gdtsim.DefaultOptions()
	opts.Companies = 1
	opts.TamperedSignatureShare = 0.15
	var err error
	h, err = e2e.Start(ctx, e2e.Options{Sim: &opts, TimeScale: 0.05, Auth: true, TrustSimulatorCA: true})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "exports:", err)
		os.Exit(1)
	}
	code := m.Run()
	h.Close()
	os.Exit(code)
}

var imported sync.Once

// importPurchases imports the demo company's purchases of the period once
// and waits for the import to complete.
func importPurchases(t *testing.T) gdtsim.Company {
	t.Helper()
	co := h.Stack.GDT().Companies()[0]
	imported.Do(func() { runImport(t, co) })
	return co
}

func runImport(t *testing.T, co gdtsim.Company) {
	t.Helper()
	code, out, raw := h.Call(t, "POST", "/api/tasks/start", map[string]any{
		"task_type": "gdt_invoice_import",
		"task_params": map[string]any{
			"company_id": co.MST, "credentials": map[string]string{"username": co.MST, "password": co.Password},
			"date_range_start": from, "date_range_end": to, "flows": []string{"mua_vao_dien_tu", "mua_vao_may_tinh_tien"},
		},
	})
	if code != http.StatusAccepted {
		t.Fatalf("start = %d %s", code, raw)
	}
	waitCompleted(t, apiClient(t, h.Env["HOADON_API_KEY"]), out["task_id"].(string))
}

func apiClient(t *testing.T, key string) *client.Client {
	t.Helper()
	c, err := client.New(h.URL, key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fetch(t *testing.T, c *client.Client, req client.ExportRequest) ([]byte, int64) {
	t.Helper()
	var buf bytes.Buffer
	total := int64(-2)
	n, err := c.Export(context.Background(), req, &buf, func(done, all int64) { total = all })
	if err != nil {
		t.Fatalf("export %s: %v", req.Path(), err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("export %s: %d bytes counted, %d received", req.Path(), n, buf.Len())
	}
	return buf.Bytes(), total
}

// TestExportsMatchTheSimulator exports the period both ways and checks the
// workbook and the bundle's copy against the invoices the simulator issued.
func TestExportsMatchTheSimulator(t *testing.T) {
	co := importPurchases(t)
	c := apiClient(t, h.Env["HOADON_API_KEY"])
	req := client.ExportRequest{Company: co.MST, Direction: hoadon.Purchase, From: from, To: to, Format: "zip"}
	bundle, zipTotal := fetch(t, c, req)
	f, _ := time.Parse(time.DateOnly, from)
	l, _ := time.Parse(time.DateOnly, to)
	sim := h.Stack.GDT()
	wants, shapes, err := e2e.ExportWants(bundle, sim.Invoices(co.MST, f, l), sim.SignatureState, co.MST, hoadon.Purchase)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d invoices: %+v", len(wants), shapes)
	if shapes.Replaced == 0 || shapes.Replacement == 0 || shapes.Discount == 0 || shapes.KCT == 0 || shapes.Foreign == 0 || shapes.Missing == 0 || shapes.Tampered == 0 {
		t.Fatalf("the period lacks a shape the test must cover: %+v", shapes)
	}
	req.Format = "xlsx"
	book, xlsxTotal := fetch(t, c, req)
	if xlsxTotal != int64(len(book)) {
		t.Errorf("the workbook came with Content-Length %d, %d bytes", xlsxTotal, len(book))
	}
	if zipTotal != -1 {
		t.Errorf("the bundle announced %d bytes; it streams without a length", zipTotal)
	}
	for _, d := range exporttest.Check(book, wants) {
		t.Error(d)
	}
	if p := os.Getenv("HOADON_EXPORT_SAMPLE"); p != "" { // the README's screenshot: scripts/export-screenshot.sh
		if err := os.WriteFile(p, book, 0o644); err != nil {
			t.Error(err)
		}
	}
	names, _ := exporttest.Entries(bundle)
	inner, err := exporttest.Entry(bundle, names[len(names)-1])
	if err != nil || !strings.HasSuffix(names[len(names)-1], ".xlsx") {
		t.Fatalf("the bundle's last entry %q is not the workbook (%v)", names[len(names)-1], err)
	}
	for _, d := range exporttest.Check(inner, wants) {
		t.Error("bundle: " + d)
	}
	html := 0
	for _, n := range names {
		if strings.Contains(n, "/html/") {
			html++
		}
	}
	if html != len(wants)-shapes.Missing {
		t.Errorf("%d portal HTML pages in the bundle, want one per stored invoice (%d)", html, len(wants)-shapes.Missing)
	}
}

// TestExportRequestsRefused checks the answers to malformed or foreign
// export requests: nothing is built for them.
func TestExportRequestsRefused(t *testing.T) {
	co := h.Stack.GDT().Companies()[0]
	base := "/api/companies/" + co.MST + "/exports/"
	for path, want := range map[string]int{
		base + "purchase.xlsx":                                                   http.StatusBadRequest, // no dates
		base + "purchase.pdf?from=" + from + "&to=" + to:                         http.StatusBadRequest,
		base + "both.xlsx?from=" + from + "&to=" + to:                            http.StatusBadRequest,
		base + "sold.zip?from=" + to + "&to=" + from:                             http.StatusBadRequest,
		base + "sold.xlsx?from=" + from + "&to=" + to + "&lang=fr":               http.StatusBadRequest,
		"/api/companies/0100000000/exports/sold.xlsx?from=" + from + "&to=" + to: http.StatusBadRequest, // check digit
	} {
		if code, _, raw := h.Call(t, "GET", path, nil); code != want {
			t.Errorf("GET %s = %d %s, want %d", path, code, raw, want)
		}
	}
	if code, _, _ := h.Call(t, "POST", base+"sold.xlsx?from="+from+"&to="+to, nil); code != http.StatusMethodNotAllowed {
		t.Errorf("POST export = %d, want 405", code)
	}
	if code, _, _ := h.Call(t, "GET", base+"sold.xlsx?from="+from+"&to="+to, nil, "X-API-Key", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("export with a wrong key = %d, want 401", code)
	}
}

// TestExportsAreTheTenants checks the export's scoping: a viewer of the
// tenant may export, a key limited to other companies may not (403), and
// another tenant does not see the company at all (404).
func TestExportsAreTheTenants(t *testing.T) {
	co := importPurchases(t)
	req := client.ExportRequest{Company: co.MST, Direction: hoadon.Purchase, From: from, To: to}
	for _, tc := range []struct {
		name   string
		tenant hoadon.Tenant
		role   hoadon.Role
		only   []string
		code   hoadon.Code
	}{
		{"viewer", hoadon.DefaultTenant, hoadon.RoleViewer, nil, ""},
		{"allow-list without the company", hoadon.DefaultTenant, hoadon.RoleAdmin, []string{"0100109106"}, hoadon.CodeForbidden},
		{"another tenant", "other-firm", hoadon.RoleAdmin, nil, hoadon.CodeNotFound},
	} {
		key, err := h.APIKey(tc.tenant, tc.role, tc.only...)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = apiClient(t, key).Export(context.Background(), req, &buf, nil)
		if hoadon.ErrorCode(err) != tc.code || (tc.code == "" && err != nil) {
			t.Errorf("%s: export = %v, want code %q", tc.name, err, tc.code)
		}
		if tc.code != "" && buf.Len() != 0 {
			t.Errorf("%s: %d bytes came with the refusal", tc.name, buf.Len())
		}
	}
}
