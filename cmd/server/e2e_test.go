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

var h *e2e.Harness

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	opts := gdtsim.DefaultOptions()
	opts.Companies, opts.InvoicesPerMonth = 3, 5
	var err error
	h, err = e2e.Start(ctx, e2e.Options{Sim: &opts, TimeScale: 0.05})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := m.Run()
	h.Close()
	os.Exit(code)
}

func post(t *testing.T, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(h.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func get(t *testing.T, path string) map[string]any {
	t.Helper()
	resp, err := http.Get(h.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return out
}

func TestImportEndToEnd(t *testing.T) {
	c := h.Stack.GDT().Companies()[0]
	code, out := post(t, "/api/tasks/start", map[string]any{
		"task_type": "gdt_invoice_import",
		"task_params": map[string]any{
			"company_id": c.MST, "credentials": map[string]string{"username": c.MST, "password": c.Password},
			"date_range_start": "2026-09-01", "date_range_end": "2026-10-31",
		},
	})
	if code != http.StatusAccepted {
		t.Fatalf("start = %d %v", code, out)
	}
	id := out["task_id"].(string)
	deadline := time.Now().Add(3 * time.Minute)
	var st map[string]any
	for time.Now().Before(deadline) {
		st = get(t, "/api/tasks/"+id+"/status")
		if s := st["status"]; s == "completed" || s == "failed" || s == "cancelled" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("status: %v", st)
	if st["status"] != "completed" {
		t.Fatalf("import ended %v", st["status"])
	}
}
