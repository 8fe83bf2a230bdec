package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// The client's wire behaviour against a loopback server that answers like
// the API; the real API is exercised end to end by cmd/hoadon's tests.

// server answers each path with a handler and records the last request.
func server(t *testing.T, routes map[string]http.HandlerFunc) (*httptest.Server, *http.Request, *[]byte) {
	t.Helper()
	var last http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		last = *r.Clone(context.Background())
		body, _ = io.ReadAll(r.Body)
		h, ok := routes[r.Method+" "+r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"code":"not_found","message":"no route"}}`)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &last, &body
}

// Ensure Start sends the origin system's body, the API key and the
// idempotency key, and reads the answer.
func TestStart(t *testing.T) {
	srv, last, body := server(t, map[string]http.HandlerFunc{
		"POST /api/tasks/start": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, `{"task_id":"t1","workflow_id":"t1","task_type":"gdt_invoice_import","status":"pending","status_url":"/api/tasks/t1/status","created":true,"message":"import started"}`)
		},
	})
	c, err := client.New(srv.URL+"/", "key-1")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Start(context.Background(), client.StartRequest{CompanyID: "0100109106", Password: "pw",
		From: "2026-09-01", To: "2026-09-30", Flows: []hoadon.Flow{hoadon.FlowSoldEInvoice}, IdempotencyKey: "k"})
	if err != nil || resp.TaskID != "t1" || !resp.Created || resp.Status != hoadon.ImportPending {
		t.Fatalf("Start = %+v, %v", resp, err)
	}
	if last.Header.Get("X-API-Key") != "key-1" || last.Header.Get("Idempotency-Key") != "k" {
		t.Errorf("headers %v: want X-API-Key and Idempotency-Key", last.Header)
	}
	var got map[string]any
	if err := json.Unmarshal(*body, &got); err != nil {
		t.Fatal(err)
	}
	p, _ := got["task_params"].(map[string]any)
	creds, _ := p["credentials"].(map[string]any)
	if got["task_type"] != client.DefaultTaskType || p["company_id"] != "0100109106" || creds["username"] != "0100109106" ||
		creds["password"] != "pw" || p["date_range_start"] != "2026-09-01" || p["date_range_end"] != "2026-09-30" {
		t.Errorf("request body %s", *body)
	}
	// Without a key no header is sent.
	c, _ = client.New(srv.URL, "")
	if _, err := c.Start(context.Background(), client.StartRequest{CompanyID: "0100109106", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := last.Header["X-Api-Key"]; ok {
		t.Errorf("X-API-Key sent without a key")
	}
}

// Ensure every failure is classified: the API's error body, a body-less
// error status, a server that is not there.
func TestErrors(t *testing.T) {
	srv, _, _ := server(t, map[string]http.HandlerFunc{
		"GET /api/tasks/gone/status": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"code":"not_found","message":"import gone not found"}}`)
		},
		"GET /api/tasks/proxy/status": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html>bad gateway</html>")
		},
	})
	c, _ := client.New(srv.URL, "")
	ctx := context.Background()
	_, err := c.Status(ctx, "gone")
	var a *client.APIError
	if !errors.As(err, &a) || a.Status != 404 || a.Message != "import gone not found" || hoadon.ErrorCode(err) != hoadon.CodeNotFound || hoadon.Retryable(err) {
		t.Errorf("404 = %#v", err)
	}
	_, err = c.Status(ctx, "proxy")
	if !errors.As(err, &a) || !strings.Contains(a.Message, "502") || !strings.Contains(a.Message, "bad gateway") || !hoadon.Retryable(err) {
		t.Errorf("502 without an API body = %#v; want a retryable error naming the status", err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	down := "http://" + l.Addr().String()
	l.Close()
	c, _ = client.New(down, "")
	_, err = c.Status(ctx, "x")
	var u *client.UnreachableError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "the server at "+down+" is not reachable") || !hoadon.Retryable(err) {
		t.Errorf("nothing listening = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Status(cctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context = %v, want context.Canceled", err)
	}
}

// Ensure the invoice stream yields each line decoded and verbatim, and a
// cut stream is an error, not a short list.
func TestInvoices(t *testing.T) {
	lines := `{"id":"a","key":{"nbmst":"0100109106","khmshdon":1,"khhdon":"C26TAA","shdon":1},"flow":"ban_ra_dien_tu","status":"stored","sha256":"ab","extra":1}` + "\n" +
		`{"id":"b","flow":"mua_vao_dien_tu","status":"unavailable"}` + "\n"
	srv, _, _ := server(t, map[string]http.HandlerFunc{
		"GET /api/tasks/t/invoices":   func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, lines) },
		"GET /api/tasks/cut/invoices": func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, lines+`{"id":"c","fl`) },
	})
	c, _ := client.New(srv.URL, "")
	var ids []string
	var raws []string
	err := c.Invoices(context.Background(), "t", func(inv hoadon.Invoice, raw json.RawMessage) error {
		ids, raws = append(ids, inv.ID+"/"+string(inv.Status)+"/"+inv.Key.KHHDon), append(raws, string(raw))
		return nil
	})
	if err != nil || strings.Join(ids, " ") != "a/stored/C26TAA b/unavailable/" || !strings.Contains(raws[0], `"extra":1`) {
		t.Errorf("Invoices = %v %v %v", ids, raws, err)
	}
	err = c.Invoices(context.Background(), "cut", func(hoadon.Invoice, json.RawMessage) error { return nil })
	if hoadon.ErrorCode(err) != hoadon.CodeBadData {
		t.Errorf("cut stream = %v, want bad_data", err)
	}
}

// Ensure events keep their whole JSON and list passes its query.
func TestEventsAndList(t *testing.T) {
	ev := `{"specversion":"1.0","id":"e1","source":"//hoadon/imports/t","type":"vn.hoadon.import.started","subject":"t","time":"2026-09-01T00:00:00Z","data":{"import_id":"t"}}`
	srv, last, _ := server(t, map[string]http.HandlerFunc{
		"GET /api/tasks/t/events": func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"events":[`+ev+`]}`) },
		"GET /api/tasks": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"tasks":[{"task_id":"t","status":"running"}]}`)
		},
	})
	c, _ := client.New(srv.URL, "")
	evs, err := c.Events(context.Background(), "t")
	if err != nil || len(evs) != 1 || evs[0].Type != "vn.hoadon.import.started" || string(evs[0].Raw) != ev || evs[0].Time.IsZero() {
		t.Errorf("Events = %+v, %v", evs, err)
	}
	tasks, err := c.List(context.Background(), "0100109106", 5)
	if err != nil || len(tasks) != 1 || tasks[0].Status != hoadon.ImportRunning || last.URL.RawQuery != "company_id=0100109106&limit=5" {
		t.Errorf("List = %+v, %v (query %q)", tasks, err, last.URL.RawQuery)
	}
}

// Ensure the base URL comes from HOADON_API_URL, then HOADON_FUNCTIONS_URL,
// then the local default, and that malformed URLs are refused.
func TestBaseURL(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, client.DefaultURL},
		{map[string]string{"HOADON_FUNCTIONS_URL": "http://f:1"}, "http://f:1"},
		{map[string]string{"HOADON_FUNCTIONS_URL": "http://f:1", "HOADON_API_URL": "https://api"}, "https://api"},
	}
	for _, tc := range cases {
		if got := client.BaseURLFromEnv(env(tc.env)); got != tc.want {
			t.Errorf("BaseURLFromEnv(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
	t.Setenv("HOADON_API_URL", "http://from-env:9")
	if c, err := client.FromEnv(""); err != nil || c.BaseURL() != "http://from-env:9" {
		t.Errorf("FromEnv = %v %v", c, err)
	}
	if c, err := client.FromEnv("http://flag:1/"); err != nil || c.BaseURL() != "http://flag:1" {
		t.Errorf("FromEnv(flag) = %v %v", c, err)
	}
	for _, bad := range []string{"", "localhost:8080", "ftp://x", "http://", "http://x/?a=b", "://"} {
		if _, err := client.New(bad, ""); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
			t.Errorf("New(%q) = %v, want invalid", bad, err)
		}
	}
}
