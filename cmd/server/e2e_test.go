package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// The end-to-end tests share one system: five simulated companies with a
// little noise (5xx and 429 bursts) on the portal.
var h *e2e.Harness

const (
	from = "2026-09-01"
	to   = "2026-10-31"
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	opts := gdtsim.DefaultOptions()
	opts.Companies, opts.InvoicesPerMonth = 5, 5
	opts.Faults = gdtsim.FaultOptions{ServerErrorShare: 0.05, RateLimitShare: 0.02, RateLimitFor: 500 * time.Millisecond}
	opts.ExportLatency = gdtsim.Latency{Min: 20 * time.Millisecond, Max: 40 * time.Millisecond}
	var err error
	h, err = e2e.Start(ctx, e2e.Options{Sim: &opts, TimeScale: 0.05, Auth: true})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	h.Close()
	os.Exit(code)
}

// request sends a JSON request and decodes the JSON answer.
func request(t *testing.T, method, path string, body any, hdr ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, h.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", h.Env["HOADON_API_KEY"])
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out
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
