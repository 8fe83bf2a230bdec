// Package schedtest_test runs the schedule API and the schedtick function
// end to end: the real server, emulators and workflow, one harness for the
// whole test binary (the functions build one App per process).
package schedtest_test

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

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

var (
	h  *e2e.Harness
	fs *firestore.Client
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	opts := gdtsim.DefaultOptions()
	opts.Companies, opts.InvoicesPerMonth = 3, 3
	var err error
	h, err = e2e.Start(ctx, e2e.Options{Sim: &opts, TimeScale: 0.05, Auth: true})
	if err == nil {
		fs, err = firestore.NewClient(ctx, h.Env["HOADON_PROJECT"]) // FIRESTORE_EMULATOR_HOST is set by Start
	}
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "schedtest:", err)
		if h != nil {
			h.Close()
		}
		os.Exit(1)
	}
	code := m.Run()
	fs.Close()
	h.Close()
	os.Exit(code)
}

// call sends a request with a JSON (or raw string) body and the harness's
// API key (extra headers as name, value pairs replace it) and returns the
// status, the decoded answer and the raw body.
func call(t *testing.T, method, path string, body any, hdr ...string) (int, map[string]any, string) {
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
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out, string(raw)
}

// tasks returns the imports of a company.
func tasks(t *testing.T, mst string) []map[string]any {
	t.Helper()
	code, out, _ := call(t, "GET", "/api/tasks?company_id="+mst, nil)
	if code != http.StatusOK {
		t.Fatalf("list tasks = %d %v", code, out)
	}
	var res []map[string]any
	for _, x := range out["tasks"].([]any) {
		res = append(res, x.(map[string]any))
	}
	return res
}

// waitFinal polls an import until it is final.
func waitFinal(t *testing.T, id string, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	var st map[string]any
	for time.Now().Before(deadline) {
		_, st, _ = call(t, "GET", "/api/tasks/"+id+"/status", nil)
		if s := st["status"]; s == "completed" || s == "failed" || s == "cancelled" {
			return st
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("import %s not final within %s: %v", id, within, st)
	return nil
}

// schedulerToken is an ID token for the schedtick function, as the Cloud
// Scheduler job sends; locally the emulators' issuer signs it for an account
// the server trusts.
func schedulerToken(t *testing.T, audience string) string {
	t.Helper()
	wf := h.Stack.Workflows()
	tok, err := wf.Issuer().Token(audience, wf.ServiceAccountEmail(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}
