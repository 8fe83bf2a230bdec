package gdt_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

const emptyPage = `{"datas":[],"total":0,"state":null,"time":12}`

// Ensure every request carries what the web app sends (§1.3): a fresh uuid
// v4 request-id, URL-encoded Action label, End-Point, browser headers; and
// that the search parameter keeps its FIQL delimiters literal (§1.4).
func TestRequestHeadersAndQuery(t *testing.T) {
	f := newFixture(t)
	f.handle("/query/invoices/purchase", reply(200, "application/json", emptyPage))
	f.handle("/sco-query/invoices/export-xml", reply(500, "application/json", noDossier))
	f.handle("/query/invoices/detail", reply(500, "application/json", numberFormat))
	c := f.client()
	s := f.session()
	q := marchQuery(hoadon.FlowPurchaseEInvoice)
	q.TTXLY = 5
	if _, err := c.ListPage(context.Background(), s, q, "ab12cd"); err != nil {
		t.Fatal(err)
	}
	_, _ = c.ExportXML(context.Background(), s, hoadon.FlowPurchaseCashRegister, testKey)
	_, _ = c.Detail(context.Background(), s, hoadon.FlowSoldEInvoice, testKey)

	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	wantQuery := "sort=tdlap:desc&size=50&search=tdlap=ge=01/03/2026T00:00:00;tdlap=le=31/03/2026T23:59:59;ttxly==5&state=ab12cd"
	if got := reqs[0].URL.RawQuery; got != wantQuery {
		t.Errorf("list query\n got %s\nwant %s", got, wantQuery)
	}
	if got, want := reqs[1].URL.RawQuery, "nbmst=0100109106&khhdon=C26TAA&shdon=42&khmshdon=1"; got != want {
		t.Errorf("export query %s, want %s", got, want)
	}
	wantAction := []string{
		"T%C3%ACm%20ki%E1%BA%BFm",
		"Xu%E1%BA%A5t%20xml%20(h%C3%B3a%20%C4%91%C6%A1n%20mua%20v%C3%A0o)",
		"Xem%20h%C3%B3a%20%C4%91%C6%A1n%20(h%C3%B3a%20%C4%91%C6%A1n%20b%C3%A1n%20ra)",
	}
	ids := map[string]bool{}
	for i, r := range reqs {
		id, err := uuid.Parse(r.Header.Get("request-id"))
		if err != nil || id.Version() != 4 {
			t.Errorf("request %d: request-id %q is not a uuid v4", i, r.Header.Get("request-id"))
		}
		ids[id.String()] = true
		if got := r.Header.Get("Action"); got != wantAction[i] {
			t.Errorf("request %d: Action %q, want %q", i, got, wantAction[i])
		}
		checkHeader(t, r, "End-Point", "/tra-cuu/tra-cuu-hoa-don")
		checkHeader(t, r, "Accept-Language", "vi")
		checkHeader(t, r, "Origin", gdt.DefaultOrigin)
		checkHeader(t, r, "Referer", gdt.DefaultOrigin+"/")
		checkHeader(t, r, "Authorization", "Bearer "+s.Token)
		if !strings.Contains(r.Header.Get("User-Agent"), "Mozilla/5.0") {
			t.Errorf("request %d: User-Agent %q", i, r.Header.Get("User-Agent"))
		}
	}
	if len(ids) != 3 {
		t.Errorf("request-ids not unique: %v", ids)
	}
	if got := reqs[1].Header.Get("Accept"); !strings.Contains(got, "application/zip") {
		t.Errorf("export Accept %q", got)
	}
}

func checkHeader(t *testing.T, r *http.Request, name, want string) {
	t.Helper()
	if got := r.Header.Get(name); got != want {
		t.Errorf("%s %s: header %s = %q, want %q", r.Method, r.URL.Path, name, got, want)
	}
}

// Ensure the base URL carries the prefix, so the legacy layout is only a
// configuration change.
func TestLegacyLayoutByConfig(t *testing.T) {
	f := newFixture(t)
	var hit string
	f.mu.Lock()
	f.handlers["/query/invoices/sold"] = func(w http.ResponseWriter, r *http.Request) {
		hit = r.URL.Path
		_, _ = w.Write([]byte(emptyPage))
	}
	f.mu.Unlock()
	c := f.client(func(cfg *gdt.Config) { cfg.BaseURL = f.srv.URL + "/" })
	if _, err := c.ListPage(context.Background(), f.session(), marchQuery(hoadon.FlowSoldEInvoice), ""); err != nil {
		t.Fatal(err)
	}
	if hit != "/query/invoices/sold" {
		t.Fatalf("legacy path = %q", hit)
	}
}

// Ensure bad configuration and bad queries are clear errors, not panics or
// requests.
func TestInvalidInput(t *testing.T) {
	for _, base := range []string{"ftp://x", "://", "http://", "https://h/api?x=1"} {
		if _, err := gdt.New(gdt.Config{BaseURL: base}); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
			t.Errorf("New(%q) = %v, want invalid", base, err)
		}
	}
	if _, err := gdt.New(gdt.Config{PageSize: 51}); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("page size 51 accepted: %v", err)
	}
	f := newFixture(t)
	c := f.client()
	q := marchQuery(hoadon.FlowSoldEInvoice)
	q.To = q.To.AddDays(1) // 1 March .. 1 April
	if _, err := c.ListPage(context.Background(), f.session(), q, ""); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("window over one month accepted: %v", err)
	}
	bad := testKey
	bad.KHHDon = "../x"
	if _, err := c.ExportXML(context.Background(), f.session(), hoadon.FlowSoldEInvoice, bad); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("bad key accepted: %v", err)
	}
	if _, err := c.ListPage(context.Background(), nil, marchQuery(hoadon.FlowSoldEInvoice), ""); hoadon.ErrorCode(err) != hoadon.CodeSessionExpired {
		t.Errorf("nil session: %v", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid input", n)
	}
}
