// Package workflowsyaml_test runs the workflow definitions on the Workflows
// emulator against stand-in functions, for the paths the end-to-end tests
// reach only by chance (a failing discovery window).
package workflowsyaml_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	executions "cloud.google.com/go/workflows/executions/apiv1"
	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/hoadon/hoadon/emulators/workflows"
)

// functions stands in for login, discover and fail: discover refuses the
// windows listed in refuse with the function's JSON error; fail records what
// it is told.
type functions struct {
	refuse map[string]int // window flow → HTTP status
	login  int            // status of login (0: 200)
	mu     sync.Mutex
	failed []map[string]any
}

func (f *functions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/login":
		if f.login != 0 {
			w.WriteHeader(f.login)
			io.WriteString(w, `{"error": {"code": "wrong_password", "message": "the portal refused the password"}}`)
			return
		}
		io.WriteString(w, `{"state": "running", "windows": [{"flow": "a"}, {"flow": "b"}, {"flow": "c"}]}`)
	case "/discover":
		win, _ := body["window"].(map[string]any)
		flow, _ := win["flow"].(string)
		if code := f.refuse[flow]; code != 0 {
			w.WriteHeader(code)
			io.WriteString(w, `{"error": {"code": "portal_refused", "message": "window `+flow+`: the portal answered 403 to the listing"}}`)
			return
		}
		io.WriteString(w, `{"listed": 1}`)
	case "/status":
		io.WriteString(w, `{"state": "running", "pending": 0}`)
	case "/finalize":
		io.WriteString(w, `{"state": "completed", "counts": {}}`)
	case "/fail":
		f.mu.Lock()
		f.failed = append(f.failed, body)
		f.mu.Unlock()
		io.WriteString(w, `{}`)
	default:
		http.NotFound(w, r)
	}
}

// run executes invoice_import against fn and returns the finished execution.
func run(t *testing.T, fn *functions) *executionspb.Execution {
	t.Helper()
	srv := httptest.NewServer(fn)
	t.Cleanup(srv.Close)
	emu, err := workflows.Start(workflows.Options{
		Dir: ".", Project: "p", Location: "l", TimeScale: 0.001,
		Env:    map[string]string{"HOADON_FUNCTIONS_URL": srv.URL},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	ctx := context.Background()
	c, err := executions.NewClient(ctx, option.WithEndpoint(emu.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ex, err := c.CreateExecution(ctx, &executionspb.CreateExecutionRequest{
		Parent:    "projects/p/locations/l/workflows/invoice_import",
		Execution: &executionspb.Execution{Argument: `{"import_id": "imp-1"}`},
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ex, err = c.GetExecution(ctx, &executionspb.GetExecutionRequest{Name: ex.Name})
		if err != nil {
			t.Fatal(err)
		}
		if ex.State != executionspb.Execution_ACTIVE {
			return ex
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution still active (steps %v)", ex.GetStatus().GetCurrentSteps())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFailedWindowKeepsItsReason: a discovery window refused by the
// function fails the import with the function's own code and message, not
// the parallel step's combined error.
func TestFailedWindowKeepsItsReason(t *testing.T) {
	fn := &functions{refuse: map[string]int{"b": http.StatusForbidden}}
	ex := run(t, fn)
	if ex.State != executionspb.Execution_FAILED {
		t.Fatalf("state = %s, want FAILED (result %s)", ex.State, ex.Result)
	}
	if len(fn.failed) != 1 {
		t.Fatalf("fail called %d times: %v", len(fn.failed), fn.failed)
	}
	got := fn.failed[0]
	if got["import_id"] != "imp-1" || got["code"] != "portal_refused" ||
		got["reason"] != "window b: the portal answered 403 to the listing" {
		t.Errorf("fail got %v; want the discover function's code and message", got)
	}
}

// TestFailedLoginKeepsItsReason: outside the parallel step the function's
// error reaches fail as before.
func TestFailedLoginKeepsItsReason(t *testing.T) {
	fn := &functions{login: http.StatusUnauthorized}
	ex := run(t, fn)
	if ex.State != executionspb.Execution_FAILED || len(fn.failed) != 1 {
		t.Fatalf("state %s, fail calls %v", ex.State, fn.failed)
	}
	if got := fn.failed[0]; got["code"] != "wrong_password" || got["reason"] != "the portal refused the password" {
		t.Errorf("fail got %v", got)
	}
}

// TestCompletes: without errors the import finalizes and fail is not called.
func TestCompletes(t *testing.T) {
	fn := &functions{}
	ex := run(t, fn)
	if ex.State != executionspb.Execution_SUCCEEDED || len(fn.failed) != 0 {
		t.Fatalf("state %s (%s), fail calls %v", ex.State, ex.GetError().GetPayload(), fn.failed)
	}
}
