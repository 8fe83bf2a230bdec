package client_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Ensure Export asks for the right path and query, reports progress with
// the announced length, and refuses a body shorter than that length.
func TestExport(t *testing.T) {
	body := bytes.Repeat([]byte("PK"), 50_000)
	short := false
	srv, last, _ := server(t, map[string]http.HandlerFunc{
		"GET /api/companies/0100000003/exports/purchase.xlsx": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			if short {
				w.Write(body[:1000])
				return
			}
			w.Write(body)
		},
	})
	c, err := client.New(srv.URL, "k")
	if err != nil {
		t.Fatal(err)
	}
	req := client.ExportRequest{Company: "0100000003", Direction: hoadon.Purchase, From: "2026-08-01", To: "2026-08-31", English: true}
	var got bytes.Buffer
	var lastDone, lastTotal int64
	n, err := c.Export(context.Background(), req, &got, func(done, total int64) { lastDone, lastTotal = done, total })
	if err != nil || n != int64(len(body)) || !bytes.Equal(got.Bytes(), body) {
		t.Fatalf("Export = %d, %v; %d bytes", n, err, got.Len())
	}
	if lastDone != n || lastTotal != int64(len(body)) {
		t.Errorf("progress ended at %d of %d", lastDone, lastTotal)
	}
	if q := (*last).URL.Query(); q.Get("from") != "2026-08-01" || q.Get("to") != "2026-08-31" || q.Get("lang") != "en" {
		t.Errorf("query %v", q)
	}
	short = true
	if _, err := c.Export(context.Background(), req, &bytes.Buffer{}, nil); hoadon.ErrorCode(err) != hoadon.CodeTransient {
		t.Errorf("a cut download: err %v, want transient", err)
	}
	req.Direction = hoadon.Sold
	if _, err := c.Export(context.Background(), req, &bytes.Buffer{}, nil); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Errorf("an API error: err %v, want not_found", err)
	}
}
