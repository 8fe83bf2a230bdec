package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// The end-to-end tests share one system: seven simulated companies with a
// little noise (5xx and 429 bursts) on the portal.
var h *e2e.Harness

const (
	from = "2026-09-01"
	to   = "2026-10-31"
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	opts := gdtsim.DefaultOptions()
	opts.Companies, opts.InvoicesPerMonth = 7, 5 // the seventh is TestMetrics': no other test logs it in
	opts.Faults = gdtsim.FaultOptions{ServerErrorShare: 0.05, RateLimitShare: 0.02, RateLimitFor: 500 * time.Millisecond}
	opts.ExportLatency = gdtsim.Latency{Min: 20 * time.Millisecond, Max: 40 * time.Millisecond}
	opts.TamperedSignatureShare = 0.15
	var err error
	h, err = e2e.Start(ctx, e2e.Options{Sim: &opts, TimeScale: 0.05, Auth: true, TrustSimulatorCA: true,
		Wrap: func(h http.Handler) http.Handler { return routes(h, true) }})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	h.Close()
	os.Exit(code)
}

// request sends a JSON request with the harness's API key and decodes the
// JSON answer.
func request(t *testing.T, method, path string, body any, hdr ...string) (int, map[string]any) {
	t.Helper()
	code, out, _ := h.Call(t, method, path, body, hdr...)
	return code, out
}

func startBody(mst, password string) map[string]any {
	return map[string]any{
		"task_type": "gdt_invoice_import",
		"task_params": map[string]any{
			"company_id": mst, "credentials": map[string]string{"username": mst, "password": password},
			"date_range_start": from, "date_range_end": to,
		},
	}
}

// start begins an import and returns its id.
func start(t *testing.T, mst, password string) string {
	t.Helper()
	code, out := request(t, "POST", "/api/tasks/start", startBody(mst, password))
	if code != http.StatusAccepted {
		t.Fatalf("start %s = %d %v", mst, code, out)
	}
	return out["task_id"].(string)
}

// waitFor polls the import's status until cond holds or the deadline passes.
func waitFor(t *testing.T, id string, within time.Duration, cond func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	var st map[string]any
	for time.Now().Before(deadline) {
		_, st = request(t, "GET", "/api/tasks/"+id+"/status", nil)
		if cond(st) {
			return st
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("import %s: condition not reached within %s; last status %v", id, within, st)
	return nil
}

func final(st map[string]any) bool {
	s := st["status"]
	return s == "completed" || s == "failed" || s == "cancelled"
}

func count(st map[string]any, status string) int {
	c, _ := st["counts"].(map[string]any)
	n, _ := c[status].(float64)
	return int(n)
}
