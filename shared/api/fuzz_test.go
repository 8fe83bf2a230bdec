package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/api"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/web"
	"github.com/hoadon/hoadon/shared/wire"
)

// startSeeds are start bodies worth mutating: valid ones, each way a body
// is refused, and odd encodings.
var startSeeds = []string{
	`{"task_type":"gdt_invoice_import","task_params":{"company_id":"0100109106","credentials":{"username":"0100109106","password":"pw"},"date_range_start":"2026-09-01","date_range_end":"2026-09-30"}}`,
	`{"task_type":"gdt_invoice_import","task_params":{"company_id":"0100109106","company_name":"ACME","credentials":{"password":"pw"},"flows":["ban_ra_dien_tu","mua_vao_may_tinh_tien"],"force":true}}`,
	`{"task_type":"gdt_invoice_import","task_params":{"company_id":"0100109106-001","credentials":{"username":"u","password":"p"},"date_range_start":"2026-01-01","date_range_end":"2026-12-31","discovery_method":"api","excel_fallback":false,"processing_mode":"x"}}`,
	`{"task_type":"gdt_invoice_import","task_params":{"company_id":"0100109107","credentials":{"username":"u","password":"p"}}}`,
	`{"task_type":"gdt_invoice_import","task_params":{"company_id":"0100109106","credentials":{"username":"u","password":"p"},"date_range_start":"2026-02-30","date_range_end":"2026-03-01"}}`,
	`{"task_type":"gdt_invoice_import","task_params":{"company_id":"0100109106","credentials":{"username":"u","password":"p"},"date_range_start":"2099-01-01","date_range_end":"2099-01-02"}}`,
	`{"task_type":"gdt_invoice_import","task_params":{"company_id":"0100109106","credentials":"secret"}}`,
	`{"task_type":"gdt_invoice_import","task_params":{"company_id":"0100109106","credentials":{"username":"u\u0000","password":"p"}}}`,
	`{"task_type":"gdt_invoice_import","task_params":{"flows":"ban_ra_dien_tu"}}`,
	`{"task_type":7}`, `{"task_type":"x","extra":1}`, `{"task_type":"gdt_invoice_import"`, `{} {}`,
	`[]`, `null`, `"str"`, ``, ` `, `{"task_params":{"company_id":1e400}}`, "\xff\xfe{}",
}

// FuzzStartBody: decoding and validating a start body never panics, and
// either yields a request whose parameters hold every invariant the
// pipeline relies on, or an invalid-input error that the API answers 400.
func FuzzStartBody(f *testing.F) {
	for _, s := range startSeeds {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		var b wire.StartBody
		if err := web.Unmarshal(body, &b); err != nil {
			require400(t, err)
			return
		}
		req, err := api.StartRequest(b, "")
		if err != nil {
			require400(t, err)
			return
		}
		if err := importer.Validate(&req.Params, req.Password, now); err != nil {
			require400(t, err)
			return
		}
		checkValid(t, req)
	})
}

// require400 checks that a refusal is classified invalid input and that
// the API's error writer answers it 400 with a message.
func require400(t *testing.T, err error) {
	t.Helper()
	if code := hoadon.ErrorCode(err); code != hoadon.CodeInvalid {
		t.Fatalf("refusal classified %q, want %q: %v", code, hoadon.CodeInvalid, err)
	}
	rec := httptest.NewRecorder()
	web.WriteError(context.Background(), rec, slog.New(slog.DiscardHandler), err)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"message"`) {
		t.Fatalf("refusal answered %d %s, want 400 with a message", rec.Code, rec.Body)
	}
}

// checkValid asserts what an accepted request promises the pipeline.
func checkValid(t *testing.T, req importer.StartRequest) {
	t.Helper()
	p := req.Params
	if err := hoadon.ValidateMST(p.CompanyID); err != nil {
		t.Fatalf("accepted company_id %q: %v", p.CompanyID, err)
	}
	from, err1 := hoadon.ParseDate(p.From)
	to, err2 := hoadon.ParseDate(p.To)
	if err1 != nil || err2 != nil || to.Before(from.Time) {
		t.Fatalf("accepted range %q..%q", p.From, p.To)
	}
	if len(p.Flows) == 0 || strings.TrimSpace(p.Username) == "" || req.Password == "" {
		t.Fatalf("accepted params without flows, username or password: %+v", p)
	}
	for _, fl := range p.Flows {
		if !fl.Valid() {
			t.Fatalf("accepted unknown flow %q", fl)
		}
	}
}
