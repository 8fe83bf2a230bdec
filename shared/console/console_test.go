package console

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/schedule"
	"github.com/hoadon/hoadon/shared/wire"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// Both languages have the same words.
func TestTextsComplete(t *testing.T) {
	keys := func(m map[string]string) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	vi, en := keys(texts["vi"]), keys(texts["en"])
	if strings.Join(vi, ",") != strings.Join(en, ",") {
		t.Errorf("vi and en differ:\nvi %v\nen %v", vi, en)
	}
	for _, f := range hoadon.AllFlows {
		if texts["vi"]["flow_"+string(f)] == "" {
			t.Errorf("no text for flow %s", f)
		}
	}
	for _, s := range hoadon.AllStatuses {
		if texts["vi"]["st_"+string(s)] == "" {
			t.Errorf("no text for status %s", s)
		}
	}
}

// Every page renders with typical data, and a read-only caller gets no
// form that changes anything.
func TestPagesRender(t *testing.T) {
	c := &Console{pages: parsePages()}
	now := time.Date(2026, 10, 2, 3, 0, 0, 0, time.UTC)
	st := wire.Status{TaskID: "i1", Status: hoadon.ImportRunning, Phase: "download", CompanyID: "0100109106",
		Flows: hoadon.AllFlows, Total: 10, Pending: 4, Counts: map[hoadon.InvoiceStatus]int{hoadon.StatusStored: 6},
		PerFlow: map[hoadon.Flow]map[hoadon.InvoiceStatus]int{hoadon.FlowSoldEInvoice: {hoadon.StatusStored: 6}}, CreatedAt: now}
	st.OriginFields()
	doc := &einvoice.Invoice{Seller: einvoice.Party{Ten: "Công ty A", MST: "0100109106"}, Buyer: einvoice.Party{Ten: "B"},
		Lines:  []einvoice.Line{{STT: 1, THHDVu: "Gạo", SLuong: mustNum(t, "2"), DGia: mustNum(t, "1500000"), ThTien: mustNum(t, "3000000"), TSuat: "8%"}},
		Totals: einvoice.Totals{TgTTTBSo: mustNum(t, "3240000"), Rates: []einvoice.RateTotal{{TSuat: "8%", ThTien: mustNum(t, "3000000"), TThue: mustNum(t, "240000")}}}}
	doc.Signatures = []xmlsig.Result{
		{Role: xmlsig.RoleSeller, Status: xmlsig.StatusInvalid, MST: "0100109106", Reason: "digest does not match", Chain: xmlsig.ChainTrusted},
		{Role: xmlsig.RoleTaxAuthority, Status: xmlsig.StatusValid, Valid: true, SigningTime: "2026-10-02T10:00:00+07:00"},
	}
	inv := hoadon.Invoice{ID: "abc", Status: hoadon.StatusStored, Objects: hoadon.Objects{XML: "x.xml"}, Signature: "invalid",
		Warning: "the seller's signature is invalid: digest does not match"}
	pages := map[string]any{
		"signin":    signInData{CSRF: "t"},
		"problem":   problem{Status: 404, Title: "x", Message: "y"},
		"imports":   importsData{Tasks: []wire.TaskSummary{{TaskID: "i1", Status: hoadon.ImportRunning}}, Form: startForm{Flows: hoadon.AllFlows}},
		"import":    importData{S: st, Rate: "12.0", ETA: "20s", Statuses: hoadon.AllStatuses},
		"invoices":  invoicesData{S: st, Invoices: []hoadon.Invoice{inv}, Page: 2, More: true, StatusList: hoadon.AllStatuses},
		"invoice":   invoiceData{ImportID: "i1", Inv: inv, Doc: doc},
		"schedules": schedulesData{Schedules: []schedule.View{{ScheduleID: "s1", Hour: 6}}},
	}
	for name, data := range pages {
		for _, canChange := range []bool{true, false} {
			rec := httptest.NewRecorder()
			q := &request{lang: "vi", canChange: canChange, sess: session{CSRF: "tok"}}
			c.render(rec, q, http.StatusOK, name, "imports", data)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, "</html>") {
				t.Fatalf("%s: %d\n%s", name, rec.Code, body)
			}
			if !canChange && name != "signin" && strings.Count(body, `method="post"`) != strings.Count(body, `action="/ui/signout"`) {
				t.Errorf("%s: a read-only caller sees a form that changes something", name)
			}
		}
	}
	// The pager's and the language switch's links keep the query.
	rec := httptest.NewRecorder()
	d := pages["invoices"].(invoicesData)
	d.Sig, d.PrevQuery, d.NextQuery = "invalid", pageQuery(invoicesData{Sig: "invalid"}, 1), pageQuery(invoicesData{Sig: "invalid"}, 3)
	c.render(rec, &request{lang: "vi", query: map[string][]string{"sig": {"invalid"}, "page": {"2"}}}, 200, "invoices", "", d)
	for _, want := range []string{`href="?page=3&amp;sig=invalid"`, `href="?page=1&amp;sig=invalid"`, `href="?lang=en&amp;page=2&amp;sig=invalid"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("invoice table lacks the link %s", want)
		}
	}
	rec = httptest.NewRecorder()
	c.render(rec, &request{lang: "vi"}, 200, "invoice", "", pages["invoice"])
	for _, want := range []string{"3.240.000", "1.500.000", "Công ty A", "8%", `id="dl-xml"`,
		`id="sig-warning"`, "Người bán</b>: không hợp lệ · MST 0100109106", "chuỗi chứng thư: trusted", "Cơ quan thuế</b>: hợp lệ · ký lúc 2026-10-02T10:00:00"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("invoice page lacks %q", want)
		}
	}
}

func mustNum(t *testing.T, s string) einvoice.Num {
	t.Helper()
	var n einvoice.Num
	if err := n.UnmarshalJSON([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/ui/imports": "/ui/imports", "//evil.example/ui/": "", "https://evil.example/ui/": "",
		"/api/tasks": "", "/ui/\\evil": ""} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSecureCookie(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1:8080": false, "localhost:1": false, "[::1]:80": false, "hoadon.example": true} {
		r := httptest.NewRequest("GET", "http://"+host+"/ui/", nil)
		if got := secure(r); got != want {
			t.Errorf("secure(%s) = %v, want %v", host, got, want)
		}
	}
}

// The invoice table's filters: what is not valid is dropped, the others
// all apply.
func TestInvoiceFilters(t *testing.T) {
	var d invoicesData
	d.filters(map[string][]string{"status": {"stored"}, "flow": {"nope"}, "sig": {"invalid"}, "month": {"2026-10"}, "seller": {"0100"}})
	if d.Status != "stored" || d.Flow != "" || d.Sig != "invalid" || d.Month != "2026-10" || d.Seller != "0100" {
		t.Fatalf("filters = %+v", d)
	}
	inv := hoadon.Invoice{Flow: hoadon.FlowPurchaseEInvoice, Signature: "invalid", Date: "2026-10-05", Key: hoadon.InvoiceKey{NBMST: "0100109106"}}
	if !d.match(inv) {
		t.Error("a matching invoice is filtered out")
	}
	for name, change := range map[string]func(*hoadon.Invoice){
		"signature": func(i *hoadon.Invoice) { i.Signature = "valid" },
		"month":     func(i *hoadon.Invoice) { i.Date = "2026-11-01" },
		"seller":    func(i *hoadon.Invoice) { i.Key.NBMST = "0312345675" },
	} {
		other := inv
		change(&other)
		if d.match(other) {
			t.Errorf("an invoice with another %s passes", name)
		}
	}
	d.filters(map[string][]string{"sig": {"<script>"}, "month": {"10/2026"}, "seller": {"abc"}})
	if d.Sig != "" || d.Month != "" || d.Seller != "" {
		t.Errorf("invalid filters kept: %+v", d)
	}
	if q := pageQuery(invoicesData{Sig: "valid", Month: "2026-10", Page: 2}, 3); q != "month=2026-10&page=3&sig=valid" {
		t.Errorf("page query = %s", q)
	}
}
