package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// h is the one system of this test binary: the emulators in this process,
// the server (every function) a separate process built from ./cmd/server,
// so a case can kill it. The cases share the system and run one after
// another, each with its own company (own session, queue and rate).
var h *e2e.Harness

// clockSkew is added to the simulator's clock: the token case moves the
// portal a day ahead so every token it issued before has expired.
var clockSkew atomic.Int64

// The period every case imports: one month, four flows.
const (
	from = "2026-09-01"
	to   = "2026-09-30"
)

// Company indexes, one per case.
const (
	coDown = iota
	coStorm
	coToken
	coCorrupt
	coDuplicate
	coRestart
	coSubscriber
	coLeftover
	coDiscoveryStorm
	numCompanies
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "hoadon-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// Start-up includes building cmd/server, slow while other packages compile.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	opts := gdtsim.DefaultOptions()
	opts.Companies, opts.InvoicesPerMonth = numCompanies, 5
	opts.ExportLatency = gdtsim.Latency{Min: 10 * time.Millisecond, Max: 30 * time.Millisecond}
	opts.Now = func() time.Time { return time.Now().Add(time.Duration(clockSkew.Load())) }
	h, err = e2e.Start(ctx, e2e.Options{
		Sim: &opts, TimeScale: 0.05, TasksStateFile: filepath.Join(dir, "tasks.json"), Subprocess: true,
		Env: map[string]string{
			// Fast retries so an outage of seconds is absorbed in seconds;
			// enough attempts that no invoice runs out of them here.
			"HOADON_TASKS_MAX_ATTEMPTS": "200", "HOADON_TASKS_MIN_BACKOFF": "100ms", "HOADON_TASKS_MAX_BACKOFF": "1s",
			"HOADON_RATE_RAISE_EVERY": "2", "HOADON_BREAKER_COOLDOWN": "2s",
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 1
	}
	defer h.Close()
	return m.Run()
}

// request sends a JSON request to the server and decodes the JSON answer.
func request(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	code, out, _ := h.Call(t, method, path, body)
	return code, out
}

// company returns the simulated account of a case.
func company(i int) gdtsim.Company { return h.Stack.GDT().Companies()[i] }

// start begins an import of the period for company i and returns its id.
func start(t *testing.T, i int) string {
	t.Helper()
	c := company(i)
	body := map[string]any{"task_type": "gdt_invoice_import", "task_params": map[string]any{
		"company_id": c.MST, "credentials": map[string]string{"username": c.MST, "password": c.Password},
		"date_range_start": from, "date_range_end": to,
	}}
	code, out := request(t, "POST", "/api/tasks/start", body)
	if code != http.StatusAccepted {
		t.Fatalf("start %s = %d %v", c.MST, code, out)
	}
	return out["task_id"].(string)
}

// status reads an import's status.
func status(t *testing.T, id string) map[string]any {
	t.Helper()
	_, st := request(t, "GET", "/api/tasks/"+id+"/status", nil)
	return st
}

// waitFor polls the import's status until cond holds or the deadline passes.
func waitFor(t *testing.T, id string, within time.Duration, cond func(map[string]any) bool) map[string]any {
	t.Helper()
	var st map[string]any
	poll(t, within, fmt.Sprintf("import %s", id), func() bool {
		st = status(t, id)
		return cond(st)
	})
	return st
}

// poll checks cond every 50 ms until it holds; past the deadline the test fails.
func poll(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	if !eventually(within, cond) {
		t.Fatalf("%s: condition not reached within %s", what, within)
	}
}

// eventually checks cond every 50 ms until it holds or the deadline passes.
func eventually(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
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

func done(st map[string]any) int {
	return count(st, "stored") + count(st, "unavailable") + count(st, "failed")
}

// finish waits for the import to end and requires it completed.
func finish(t *testing.T, id string) map[string]any {
	t.Helper()
	st := waitFor(t, id, 90*time.Second, final)
	if st["status"] != "completed" {
		t.Fatalf("import %s ended %v (%v)", id, st["status"], st["error"])
	}
	return st
}
