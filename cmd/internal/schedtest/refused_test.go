package schedtest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// TestRefusedScheduleWaitsForNewCredentials: a schedule whose password the
// portal refuses spends that one refused login; its next two scheduled
// runs are skipped with the reason on the run, and no authenticate call
// reaches the simulator (each refusal counts towards the portal's account
// lock); the company's login health says wrong_password. Once an import
// with the right password (what the console's password update starts)
// has been accepted, the next scheduled run starts with that login and
// its import completes.
func TestRefusedScheduleWaitsForNewCredentials(t *testing.T) {
	sim := h.Stack.GDT()
	c := sim.Companies()[3]
	now := time.Now()
	at := now.Add(-2 * time.Hour)
	if code, out, _ := call(t, "POST", "/api/schedules/create", createBody("refused", c.MST, "not-"+c.Password, at, false)); code != http.StatusCreated {
		t.Fatalf("create = %d %v", code, out)
	}
	// One scheduled day more per tick: active since just before today's
	// instant, then yesterday's, then the day before's.
	day := func(back int) string { return hoadon.DateOf(at.AddDate(0, 0, -back)).AddDays(-1).String() }
	runOf := func(back int) map[string]any {
		t.Helper()
		_, out, _ := call(t, "GET", "/api/schedules/refused", nil)
		runs, _ := out["recent_runs"].([]any)
		for _, r := range runs {
			if r := r.(map[string]any); r["day"] == day(back) {
				return r
			}
		}
		t.Fatalf("no run of %s: %v", day(back), out)
		return nil
	}
	backdate(t, "refused", at.Add(-time.Hour))
	if n := tick(t); n != 1 {
		t.Fatalf("first tick handled %d runs, want 1", n)
	}
	first, _ := runOf(0)["task_id"].(string)
	if st := waitFinal(t, first, 60*time.Second); st["status"] != "failed" {
		t.Fatalf("import with the wrong password: %v", st)
	}
	if l := sim.Logins(c.MST); l.Refused != 1 || l.Accepted != 0 {
		t.Fatalf("after the refused run: logins %+v, want 1 refused", l)
	}
	for back := 1; back <= 2; back++ {
		backdate(t, "refused", at.AddDate(0, 0, -back).Add(-time.Hour))
		if n := tick(t); n != 1 {
			t.Fatalf("tick %d handled %d runs, want 1", back+1, n)
		}
		r := runOf(back)
		if r["state"] != "skipped" || r["error_code"] != string(hoadon.CodeBadCredentials) || !strings.Contains(r["error"].(string), "credentials change") || r["task_id"] != nil {
			t.Errorf("run of %s: %v; want skipped, invalid_credentials, with why, no import", day(back), r)
		}
	}
	if l := sim.Logins(c.MST); l.Refused != 1 || l.Accepted != 0 {
		t.Fatalf("two scheduled runs after the refusal: logins %+v, want the 1 refused authenticate call in total", l)
	}
	if got := companyLogin(t, c.MST); got != "wrong_password" {
		t.Errorf("company login health %q, want wrong_password", got)
	}

	// The right password, proven by an import (the console's update does this).
	code, out, _ := call(t, "POST", "/api/tasks/start", map[string]any{"task_type": hoadon.TaskTypeInvoiceImport,
		"task_params": map[string]any{"company_id": c.MST, "credentials": map[string]string{"username": c.MST, "password": c.Password},
			"date_range_start": day(0), "date_range_end": day(0)}})
	if code != http.StatusAccepted {
		t.Fatalf("start with the right password = %d %v", code, out)
	}
	if st := waitFinal(t, out["task_id"].(string), 60*time.Second); st["status"] != "completed" {
		t.Fatalf("import with the right password: %v", st)
	}
	// The next scheduled run (the day before's run record is removed, so
	// its instant is due again) starts with the login accepted since.
	if _, err := fs.Doc("tenants/default/schedules/refused/runs/" + day(2)).Delete(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := tick(t); n != 1 {
		t.Fatalf("tick after the update handled %d runs, want 1", n)
	}
	r := runOf(2)
	id, _ := r["task_id"].(string)
	if r["state"] != "started" || id == "" {
		t.Fatalf("run after the update: %v", r)
	}
	if st := waitFinal(t, id, 60*time.Second); st["status"] != "completed" {
		t.Fatalf("scheduled import after the update: %v", st)
	}
	if l := sim.Logins(c.MST); l.Refused != 1 || l.Accepted < 1 {
		t.Errorf("logins at the end %+v: want still 1 refused", l)
	}
	if got := companyLogin(t, c.MST); got != "ok" {
		t.Errorf("company login health %q after the update, want ok", got)
	}
	t.Logf("authenticate calls: %+v", sim.Logins(c.MST))
}

// companyLogin is the login health of a company's summary.
func companyLogin(t *testing.T, mst string) string {
	t.Helper()
	code, out, raw := call(t, "GET", "/api/companies", nil)
	if code != http.StatusOK {
		t.Fatalf("companies = %d %s", code, raw)
	}
	for _, c := range out["companies"].([]any) {
		if c := c.(map[string]any); c["mst"] == mst {
			s, _ := c["login"].(string)
			return s
		}
	}
	return ""
}
