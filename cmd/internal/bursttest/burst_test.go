// Package bursttest checks the hybrid mode's burst routing end to end: a
// "VM" server and a "serverless download" server, the first taking every
// function, the second only the download tasks routed to it while the
// backlog is high.
package bursttest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/functions/all"
)

var (
	h          *e2e.Harness
	burstURL   string
	burstCalls atomic.Int64
)

func TestMain(m *testing.M) {
	// The burst server: the same functions, counting the downloads it gets.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	burstURL = "http://" + lis.Addr().String()
	mux := all.Mux()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/download" {
			burstCalls.Add(1)
		}
		mux.ServeHTTP(w, r)
	})}
	go srv.Serve(lis)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	opts := gdtsim.DefaultOptions()
	opts.Companies, opts.InvoicesPerMonth, opts.DossierlessShare = 2, 10, 0
	opts.ExportLatency = gdtsim.Latency{Min: 50 * time.Millisecond, Max: 50 * time.Millisecond}
	// Authentication as in production: the burst server must accept the
	// tokens minted for its own URL (HOADON_BURST_DOWNLOAD_URL), not only
	// the VM's.
	h, err = e2e.Start(ctx, e2e.Options{Sim: &opts, TimeScale: 0.05, Auth: true, Env: map[string]string{
		"HOADON_BURST_DOWNLOAD_URL": burstURL + "/download",
		"HOADON_BURST_THRESHOLD":    "20",
		"HOADON_COMPANY_RATE":       "2", // slow dispatch: discovery outpaces downloads, the backlog builds
	}})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	h.Close()
	srv.Close()
	os.Exit(code)
}

func startImport(t *testing.T, mst, pw, from, to string) string {
	t.Helper()
	code, out, raw := h.Call(t, http.MethodPost, "/api/tasks/start", map[string]any{"task_type": "gdt_invoice_import", "task_params": map[string]any{
		"company_id": mst, "credentials": map[string]string{"username": mst, "password": pw},
		"date_range_start": from, "date_range_end": to}})
	if code != http.StatusAccepted {
		t.Fatalf("start = %d %s", code, raw)
	}
	return out["task_id"].(string)
}

func await(t *testing.T, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		_, st, _ := h.Call(t, http.MethodGet, "/api/tasks/"+id+"/status", nil)
		if s, _ := st["status"].(string); s == "completed" || s == "failed" || s == "cancelled" {
			return st
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("import %s did not finish", id)
	return nil
}

// TestBurstAndBack: a large import overflows to the burst service while its
// backlog is high; a small import after it stays on the VM.
func TestBurstAndBack(t *testing.T) {
	cs := h.Stack.GDT().Companies()
	big := await(t, startImport(t, cs[0].MST, cs[0].Password, "2026-09-01", "2026-10-31"))
	total := int(big["total"].(float64))
	burst := burstCalls.Load()
	if big["status"] != "completed" || total != 80 {
		t.Fatalf("big import: %v, %d invoices", big["status"], total)
	}
	if burst == 0 || burst >= int64(total) {
		t.Fatalf("burst service got %d of %d downloads; want some, not all", burst, total)
	}
	t.Logf("big import: %d of %d downloads went to the burst service", burst, total)
	// Back to normal: a small import goes to the VM only.
	small := await(t, startImport(t, cs[1].MST, cs[1].Password, "2026-10-01", "2026-10-01"))
	if small["status"] != "completed" {
		t.Fatalf("small import: %v", small["status"])
	}
	if n := burstCalls.Load() - burst; n != 0 {
		t.Errorf("the small import sent %d downloads to the burst service after the backlog drained", n)
	}
	if !strings.HasPrefix(burstURL, "http://127.0.0.1:") {
		t.Fatalf("burst server not on loopback: %s", burstURL)
	}
}
