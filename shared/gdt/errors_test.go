package gdt_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

const (
	wafJSON      = `{"status":403,"message":"Hệ thống phát hiện hành vi không hợp lệ. Yêu cầu đã bị chặn."}`
	rejectedHTML = `<html><head><title>Request Rejected</title></head><body>The requested URL was rejected.</body></html>`
	noDossier    = `{"timestamp":"25/11/2026 10:00:00","message":"Không tồn tại hồ sơ gốc của hóa đơn.","details":"","path":"uri=/invoices/export-xml"}`
	numberFormat = `{"timestamp":"25/11/2026 10:00:00","message":"Failed to convert value of type 'java.lang.String' to required type 'byte'; nested exception is java.lang.NumberFormatException: For input string: \"\"","details":"","path":"uri=/invoices/detail"}`
	rangeTooLong = `{"timestamp":"25/11/2026 10:00:00","message":"Khoảng thời gian tìm kiếm không được lớn hơn 1 tháng","details":"","path":"uri=/invoices/sold"}`
	badSort      = `{"message":"Không hỗ trợ sắp xếp theo nhiều trường","path":"uri=/invoices/sold"}`
)

var testKey = hoadon.InvoiceKey{NBMST: "0100109106", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 42}

// Ensure every error class of gdt-portal.md §1.5/§3.3/§8 is classified into
// the right hoadon code, once, by the client.
func TestErrorTaxonomy(t *testing.T) {
	type op func(context.Context, *gdt.Client, *gdt.Session) error
	login := func(ctx context.Context, c *gdt.Client, _ *gdt.Session) error {
		_, err := c.Authenticate(ctx, "0100109106", "pw", gdt.Captcha{Key: "k"}, "ABCDEF")
		return err
	}
	list := func(ctx context.Context, c *gdt.Client, s *gdt.Session) error {
		_, err := c.ListPage(ctx, s, marchQuery(hoadon.FlowSoldEInvoice), "")
		return err
	}
	export := func(ctx context.Context, c *gdt.Client, s *gdt.Session) error {
		_, err := c.ExportXML(ctx, s, hoadon.FlowPurchaseEInvoice, testKey)
		return err
	}
	detail := func(ctx context.Context, c *gdt.Client, s *gdt.Session) error {
		_, err := c.Detail(ctx, s, hoadon.FlowSoldCashRegister, testKey)
		return err
	}
	const authPath, listPath = "/security-taxpayer/authenticate", "/query/invoices/sold"
	const exportPath, detailPath = "/query/invoices/export-xml", "/sco-query/invoices/detail"
	tests := []struct {
		name      string
		path      string
		h         http.HandlerFunc
		op        op
		want      hoadon.Code
		wantAfter time.Duration
	}{
		{"captcha 401", authPath, jsonReply(401, map[string]string{"message": "Mã captcha không đúng.", "path": "uri=/authenticate"}), login, hoadon.CodeWrongCaptcha, 0},
		{"captcha 400 older portal", authPath, jsonReply(400, map[string]string{"message": "Mã captcha không đúng"}), login, hoadon.CodeWrongCaptcha, 0},
		{"captcha 200 with message", authPath, jsonReply(200, map[string]string{"message": "Mã xác nhận không chính xác"}), login, hoadon.CodeWrongCaptcha, 0},
		{"bad password 401", authPath, jsonReply(401, map[string]string{"message": "Tên đăng nhập hoặc mật khẩu không đúng"}), login, hoadon.CodeBadCredentials, 0},
		{"bad password 200", authPath, jsonReply(200, map[string]string{"message": "Sai mật khẩu"}), login, hoadon.CodeBadCredentials, 0},
		{"locked 403", authPath, jsonReply(403, map[string]string{"message": "Tài khoản đã bị khoá"}), login, hoadon.CodeLocked, 0},
		{"locked 401", authPath, jsonReply(401, map[string]string{"message": "Tài khoản bị khóa do đăng nhập sai nhiều lần"}), login, hoadon.CodeLocked, 0},
		{"login WAF 403", authPath, reply(403, "application/json;charset=UTF-8", wafJSON), login, hoadon.CodeBlocked, 0},
		{"login 429", authPath, reply(429, "", "", "Retry-After", "3"), login, hoadon.CodeRateLimited, 3 * time.Second},
		{"login 503", authPath, reply(503, "", ""), login, hoadon.CodeTransient, 0},
		{"session expired", listPath, reply(401, "", ""), list, hoadon.CodeSessionExpired, 0},
		{"429 with Retry-After", listPath, reply(429, "", "", "Retry-After", "7"), list, hoadon.CodeRateLimited, 7 * time.Second},
		{"429 without Retry-After", listPath, reply(429, "", ""), list, hoadon.CodeRateLimited, gdt.DefaultRateLimitWait},
		{"429 with an absurd Retry-After", listPath, reply(429, "", "", "Retry-After", "99999999999999999999"), list, hoadon.CodeRateLimited, gdt.DefaultRateLimitWait},
		{"429 with a year's Retry-After", listPath, reply(429, "", "", "Retry-After", "31536000"), list, hoadon.CodeRateLimited, hoadon.MaxRetryAfter},
		{"429 with a far HTTP date", listPath, reply(429, "", "", "Retry-After", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat)), list, hoadon.CodeRateLimited, hoadon.MaxRetryAfter},
		{"429 with HTTP date", listPath, reply(429, "", "", "Retry-After", time.Now().Add(-time.Minute).UTC().Format(http.TimeFormat)), list, hoadon.CodeRateLimited, 0},
		{"WAF 403 JSON", listPath, reply(403, "application/json;charset=UTF-8", wafJSON), list, hoadon.CodeBlocked, 0},
		{"WAF HTML with 200", listPath, reply(200, "text/html; charset=utf-8", rejectedHTML), list, hoadon.CodeBlocked, 0},
		{"WAF HTML without type", listPath, reply(200, "application/octet-stream", rejectedHTML), list, hoadon.CodeBlocked, 0},
		{"range too long", listPath, reply(400, "application/json", rangeTooLong), list, hoadon.CodeInvalid, 0},
		{"multi-field sort", listPath, reply(500, "application/json", badSort), list, hoadon.CodeInvalid, 0},
		{"list 502", listPath, reply(502, "text/plain", "Bad Gateway"), list, hoadon.CodeTransient, 0},
		{"list 504", listPath, reply(504, "", ""), list, hoadon.CodeTransient, 0},
		{"gateway HTML 503", listPath, reply(503, "text/html", "<html><body>503 Service Unavailable</body></html>"), list, hoadon.CodeTransient, 0},
		{"list garbage", listPath, reply(200, "application/json", "{not json"), list, hoadon.CodeBadData, 0},
		{"no dossier", exportPath, reply(500, "application/json", noDossier), export, hoadon.CodeNoDossier, 0},
		{"no dossier as 200 JSON", exportPath, reply(200, "application/json", noDossier), export, hoadon.CodeNoDossier, 0},
		{"export not a zip", exportPath, reply(200, "application/octet-stream", "hello"), export, hoadon.CodeBadData, 0},
		{"export corrupt zip", exportPath, reply(200, "application/zip", "PK\x03\x04garbage"), export, hoadon.CodeBadData, 0},
		{"export 500 other", exportPath, reply(500, "application/json", `{"message":"Internal Server Error"}`), export, hoadon.CodeTransient, 0},
		{"number format", detailPath, reply(500, "application/json", numberFormat), detail, hoadon.CodeInvalid, 0},
		{"not found as 500", detailPath, reply(500, "application/json", `{"message":"Không tìm thấy hóa đơn."}`), detail, hoadon.CodeNotFound, 0},
		{"detail 404", detailPath, reply(404, "application/json", `{"message":"not found"}`), detail, hoadon.CodeNotFound, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.handle(tc.path, tc.h)
			c := f.client()
			err := tc.op(context.Background(), c, f.session())
			if got := hoadon.ErrorCode(err); got != tc.want {
				t.Fatalf("code = %q, want %q (err %v)", got, tc.want, err)
			}
			if got := hoadon.ErrorRetryAfter(err); tc.wantAfter != 0 && got != tc.wantAfter {
				t.Errorf("RetryAfter = %v, want %v", got, tc.wantAfter)
			}
			if strings.Contains(err.Error(), "pw\"") || strings.Contains(err.Error(), "ABCDEF") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

// Ensure transport failures are transient and caller cancellation stays a
// cancellation.
func TestTransportErrors(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		f := newFixture(t)
		c := f.client()
		f.srv.Close()
		_, err := c.ListPage(context.Background(), f.session(), marchQuery(hoadon.FlowSoldEInvoice), "")
		if hoadon.ErrorCode(err) != hoadon.CodeTransient {
			t.Fatalf("code = %q, want transient (%v)", hoadon.ErrorCode(err), err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		f := newFixture(t)
		f.handle("/query/invoices/sold", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		c := f.client(func(cfg *gdt.Config) { cfg.Timeout = 50 * time.Millisecond })
		_, err := c.ListPage(context.Background(), f.session(), marchQuery(hoadon.FlowSoldEInvoice), "")
		if hoadon.ErrorCode(err) != hoadon.CodeTransient {
			t.Fatalf("code = %q, want transient (%v)", hoadon.ErrorCode(err), err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		f := newFixture(t)
		f.handle("/query/invoices/sold", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		c := f.client()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for len(f.requests()) == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		_, err := c.ListPage(ctx, f.session(), marchQuery(hoadon.FlowSoldEInvoice), "")
		if hoadon.ErrorCode(err) != hoadon.CodeCancelled || !errors.Is(err, context.Canceled) {
			t.Fatalf("code = %q, want cancelled (%v)", hoadon.ErrorCode(err), err)
		}
	})
}

// Ensure the ZIP limits hold and entries come back by name.
func TestExportXMLEntriesAndLimits(t *testing.T) {
	zipped := makeZIP(t, map[string]string{
		"HD/invoice.xml": "<HDon/>", "HD/invoice.html": "<html/>", "details.js": "x", "sign-check.jpg": "j",
	})
	f := newFixture(t)
	f.handle("/query/invoices/export-xml", reply(200, "application/zip", string(zipped)))
	files, err := f.client().ExportXML(context.Background(), f.session(), hoadon.FlowSoldEInvoice, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 || string(files["HD/invoice.html"]) != "<html/>" {
		t.Fatalf("entries = %v", keys(files))
	}
	name, xml, ok := gdt.InvoiceXML(files)
	if !ok || name != "HD/invoice.xml" || string(xml) != "<HDon/>" {
		t.Fatalf("InvoiceXML = %q %q %v", name, xml, ok)
	}
	small := f.client(func(c *gdt.Config) { c.MaxUnzippedBytes = 8 })
	if _, err := small.ExportXML(context.Background(), f.session(), hoadon.FlowSoldEInvoice, testKey); hoadon.ErrorCode(err) != hoadon.CodeBadData {
		t.Fatalf("oversized unzip: %v", err)
	}
	tiny := f.client(func(c *gdt.Config) { c.MaxZIPBytes = 16 })
	if _, err := tiny.ExportXML(context.Background(), f.session(), hoadon.FlowSoldEInvoice, testKey); hoadon.ErrorCode(err) != hoadon.CodeBadData {
		t.Fatalf("oversized download: %v", err)
	}
}

func makeZIP(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func marchQuery(flow hoadon.Flow) gdt.ListQuery {
	from, _ := hoadon.ParseDate("2026-03-01")
	to, _ := hoadon.ParseDate("2026-03-31")
	return gdt.ListQuery{Flow: flow, From: from, To: to}
}
