package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
)

const authPath = "/security-taxpayer/authenticate"

// TestWrongPassword: the import fails with a clear reason after exactly one
// authentication attempt; the account is not locked by us.
func TestWrongPassword(t *testing.T) {
	sim := h.Stack.GDT()
	c := sim.Companies()[3]
	before := sim.Stats().Total(authPath)
	id := start(t, c.MST, "not-the-password")
	st := waitFor(t, id, time.Minute, final)
	if st["status"] != "failed" {
		t.Fatalf("status %v, want failed", st["status"])
	}
	reason, _ := st["error"].(string)
	if !strings.Contains(strings.ToLower(reason), "password") && !strings.Contains(reason, "credentials") {
		t.Errorf("reason %q does not say the password was refused", reason)
	}
	if strings.Contains(reason, "not-the-password") {
		t.Errorf("reason leaks the password: %q", reason)
	}
	if n := sim.Stats().Total(authPath) - before; n != 1 {
		t.Errorf("%d authentication attempts, want exactly 1 (no retry storm)", n)
	}
	// The right password still works: the account was not locked.
	id = start(t, c.MST, c.Password)
	if st := waitFor(t, id, 2*time.Minute, final); st["status"] != "completed" {
		t.Errorf("with the right password: %v (%v)", st["status"], st["error"])
	}
}

// TestCancelMidImport: a cancelled import stops: state cancelled, its queue
// drains without further downloads.
func TestCancelMidImport(t *testing.T) {
	sim := h.Stack.GDT()
	c := sim.Companies()[4]
	id := start(t, c.MST, c.Password)
	waitFor(t, id, time.Minute, func(st map[string]any) bool { return count(st, "stored") >= 2 })
	code, st := request(t, "POST", "/api/tasks/"+id+"/cancel", nil)
	if code != http.StatusOK || st["status"] != "cancelled" {
		t.Fatalf("cancel = %d %v", code, st)
	}
	exportsAtCancel := exports(sim.Stats())
	storedAtCancel := count(st, "stored") + count(st, "unavailable")
	drainQueue(t, "dl-"+c.MST)
	_, st = request(t, "GET", "/api/tasks/"+id+"/status", nil)
	concurrency := 4 // HOADON_COMPANY_CONCURRENCY default: downloads already running may finish
	if n := exports(sim.Stats()) - exportsAtCancel; n > int64(concurrency) {
		t.Errorf("%d export-xml calls after cancel, want at most the %d in flight", n, concurrency)
	}
	if done := count(st, "stored") + count(st, "unavailable"); done > storedAtCancel+concurrency {
		t.Errorf("%d invoices finished after cancel", done-storedAtCancel)
	}
	if st["status"] != "cancelled" || count(st, "discovered")+count(st, "downloading") == 0 {
		t.Errorf("after drain: %v %v; want cancelled with work left undone", st["status"], st["counts"])
	}
	// A second cancel is harmless.
	if code, st := request(t, "POST", "/api/tasks/"+id+"/cancel", nil); code != http.StatusOK || st["status"] != "cancelled" {
		t.Errorf("second cancel = %d %v", code, st)
	}
}

func exports(s interface{ Total(string) int64 }) int64 {
	return s.Total("/query/invoices/export-xml") + s.Total("/sco-query/invoices/export-xml")
}

// drainQueue waits until a company queue holds no task.
func drainQueue(t *testing.T, queue string) {
	t.Helper()
	ctx := context.Background()
	c, err := gcp.Tasks(ctx, h.Env["HOADON_TASKS_ENDPOINT"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	name := fmt.Sprintf("projects/%s/locations/%s/queues/%s", h.Env["HOADON_PROJECT"], h.Env["HOADON_LOCATION"], queue)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		it := c.ListTasks(ctx, &cloudtaskspb.ListTasksRequest{Parent: name})
		n := 0
		for {
			_, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("queue %s not drained within a minute", queue)
}

// TestNoSecretsInLogs: no password, token or key appears in any log line
// of the run (it runs after the other tests, over everything they logged).
func TestNoSecretsInLogs(t *testing.T) {
	logs := h.Logs()
	if len(logs) < 1000 {
		t.Fatalf("only %d bytes of logs: the tap is not collecting", len(logs))
	}
	secrets := map[string]string{
		"encryption key": h.Env["HOADON_ENCRYPTION_KEY"], "signing key": h.Env["HOADON_SIGNING_KEY"],
		"JWT": "eyJ", "wrong password": "not-the-password",
	}
	for _, c := range h.Stack.GDT().Companies() {
		secrets["password of "+c.MST] = c.Password
	}
	for what, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("the logs contain the %s", what)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !strings.HasPrefix(line, "{") || !strings.Contains(line, `"severity"`) {
			t.Errorf("not a Cloud Logging JSON line: %q", line)
			break
		}
	}
}
