// Package schedtest_test runs the schedule API and the schedtick function
// end to end: the real server, emulators and workflow, one harness for the
// whole test binary (the functions build one App per process).
package schedtest_test

import (
	"context"
	"fmt"
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
	opts.Companies, opts.InvoicesPerMonth = 4, 3 // the fourth is TestRefusedScheduleWaitsForNewCredentials's
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

// call sends a request through the harness (JSON or raw string body, its
// API key; extra headers as name, value pairs replace it).
func call(t *testing.T, method, path string, body any, hdr ...string) (int, map[string]any, string) {
	t.Helper()
	return h.Call(t, method, path, body, hdr...)
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
