package schedtest_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// createBody is a valid create request for a company, due two hours ago
// (Vietnam time) every day.
func createBody(id, mst, password string, at time.Time, paused bool) map[string]any {
	vn := at.In(hoadon.VietnamZone)
	return map[string]any{
		"schedule_id": id, "task_type": hoadon.TaskTypeInvoiceImport, "hour": vn.Hour(), "minute": vn.Minute(),
		"paused": paused, "note": "e2e",
		"task_params": map[string]any{"company_id": mst, "credentials": map[string]string{"username": mst, "password": password},
			"lookback_days": 1},
	}
}

// backdate makes a schedule as if created at since, so today's instant is due
// (a new schedule never backfills).
func backdate(t *testing.T, id string, since time.Time) {
	t.Helper()
	_, err := fs.Doc("tenants/default/schedules/"+id).Update(context.Background(), []firestore.Update{{Path: "active_since", Value: since}})
	if err != nil {
		t.Fatal(err)
	}
}

// tick calls the schedtick function and returns how many runs it started.
func tick(t *testing.T) int {
	t.Helper()
	code, out, _ := call(t, "POST", "/schedtick", "{}", "X-API-Key", "", "Authorization", schedulerToken(t, h.URL+"/schedtick"))
	if code != http.StatusOK {
		t.Errorf("schedtick = %d %v", code, out)
		return 0
	}
	started, _ := out["started"].([]any)
	return len(started)
}

func TestScheduleLifecycle(t *testing.T) {
	sim := h.Stack.GDT().Companies()
	a, b := sim[0], sim[1]
	now := time.Now()
	at := now.Add(-2 * time.Hour)
	day := hoadon.DateOf(at).AddDays(-1) // yesterday of the scheduled instant

	code, out, raw := call(t, "POST", "/api/schedules/create", createBody("daily-a", a.MST, a.Password, at, false))
	sc, _ := out["schedule"].(map[string]any)
	if code != http.StatusCreated || strings.Contains(raw, a.Password) || sc["time_zone"] != "Asia/Ho_Chi_Minh" || sc["next_run_at"] == nil {
		t.Fatalf("create = %d %s", code, raw)
	}
	if code, out, _ = call(t, "POST", "/api/schedules/create", createBody("daily-a", a.MST, a.Password, at, false)); code != http.StatusConflict {
		t.Fatalf("duplicate create = %d %v", code, out)
	}
	if n := tick(t); n != 0 {
		t.Fatalf("a schedule created after today's instant started %d runs", n)
	}
	backdate(t, "daily-a", now.Add(-3*time.Hour))

	// two concurrent ticks, then a late one: one import of yesterday
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		wg.Go(func() { counts[i] = tick(t) })
	}
	wg.Wait()
	late := tick(t)
	if counts[0]+counts[1] != 1 || late != 0 {
		t.Fatalf("ticks started %v then %d runs, want exactly 1", counts, late)
	}
	imps := tasks(t, a.MST)
	if len(imps) != 1 || imps[0]["date_range_end"] != day.String() || imps[0]["date_range_start"] != day.AddDays(-1).String() {
		t.Fatalf("imports of %s: %v, want one of %s..%s", a.MST, imps, day.AddDays(-1), day)
	}
	first := imps[0]["task_id"].(string)
	if st := waitFinal(t, first, 60*time.Second); st["status"] != "completed" {
		t.Fatalf("scheduled import: %v", st)
	}

	code, out, raw = call(t, "GET", "/api/schedules/daily-a", nil)
	runs, _ := out["recent_runs"].([]any)
	if code != http.StatusOK || len(runs) != 1 || strings.Contains(raw, a.Password) || strings.Contains(raw, `"password"`) {
		t.Fatalf("describe = %d %s", code, raw)
	}
	if r := runs[0].(map[string]any); r["state"] != "started" || r["task_id"] != first || r["day"] != day.String() || out["num_actions"] != 1.0 {
		t.Fatalf("run record %v, num_actions %v", r, out["num_actions"])
	}

	// trigger starts an import now, for yesterday as of now
	code, out, _ = call(t, "POST", "/api/schedules/daily-a/trigger", nil)
	if code != http.StatusAccepted || out["task_id"] == first || out["created"] != true {
		t.Fatalf("trigger = %d %v", code, out)
	}
	waitFinal(t, out["task_id"].(string), 60*time.Second)

	// a paused schedule starts nothing on ticks; trigger still works
	if code, out, _ = call(t, "POST", "/api/schedules/create", createBody("daily-b", b.MST, b.Password, at, true)); code != http.StatusCreated {
		t.Fatalf("create paused = %d %v", code, out)
	}
	backdate(t, "daily-b", now.Add(-3*time.Hour))
	if n := tick(t); n != 0 || len(tasks(t, b.MST)) != 0 {
		t.Fatalf("paused schedule: tick started %d, imports %v", n, tasks(t, b.MST))
	}
	code, out, _ = call(t, "POST", "/api/schedules/daily-a/pause?note=holiday", nil)
	if code != http.StatusOK || out["paused"] != true || out["note"] != "holiday" {
		t.Fatalf("pause = %d %v", code, out)
	}
	if code, out, _ = call(t, "POST", "/api/schedules/daily-b/trigger", nil); code != http.StatusAccepted {
		t.Fatalf("trigger paused = %d %v", code, out)
	}
	waitFinal(t, out["task_id"].(string), 60*time.Second)
	if code, out, _ = call(t, "POST", "/api/schedules/daily-b/unpause", nil); code != http.StatusOK || out["paused"] != false {
		t.Fatalf("unpause = %d %v", code, out)
	}
	if n := tick(t); n != 0 { // what fell due while paused does not run
		t.Fatalf("tick after unpause started %d", n)
	}

	code, out, raw = call(t, "GET", "/api/schedules", nil)
	ids := map[any]bool{}
	for _, s := range out["schedules"].([]any) {
		ids[s.(map[string]any)["schedule_id"]] = true
	}
	if code != http.StatusOK || !ids["daily-a"] || !ids["daily-b"] || strings.Contains(raw, a.Password) || strings.Contains(raw, b.Password) {
		t.Fatalf("list = %d %s", code, raw)
	}

	if code, out, _ = call(t, "DELETE", "/api/schedules/daily-b", nil); code != http.StatusOK {
		t.Fatalf("delete = %d %v", code, out)
	}
	if code, _, _ = call(t, "GET", "/api/schedules/daily-b", nil); code != http.StatusNotFound {
		t.Fatalf("get deleted = %d", code)
	}
	if code, _, _ = call(t, "POST", "/api/schedules/daily-b/trigger", nil); code != http.StatusNotFound {
		t.Fatalf("trigger deleted = %d", code)
	}
}

func TestPasswordSealedInFirestore(t *testing.T) {
	c := h.Stack.GDT().Companies()[2]
	if code, out, _ := call(t, "POST", "/api/schedules/create", createBody("sealed", c.MST, c.Password, time.Now(), true)); code != http.StatusCreated {
		t.Fatalf("create = %d %v", code, out)
	}
	snap, err := fs.Doc("tenants/default/schedules/sealed").Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := snap.Data()["password"].(string)
	if pw == "" || strings.Contains(pw, c.Password) || !strings.HasPrefix(pw, "v1:") {
		t.Fatalf("stored password %q is not sealed", pw)
	}
}

func TestBadRequests(t *testing.T) {
	c := h.Stack.GDT().Companies()[0]
	with := func(edit func(b, p map[string]any)) map[string]any {
		b := createBody("bad", c.MST, c.Password, time.Now(), false)
		edit(b, b["task_params"].(map[string]any))
		return b
	}
	cases := []struct {
		name string
		body any
		want string
	}{
		{"empty", "", "empty"},
		{"not json", "{", "invalid JSON"},
		{"unknown field", with(func(b, _ map[string]any) { b["cron"] = "* * * * *" }), "unknown field"},
		{"hour type", with(func(b, _ map[string]any) { b["hour"] = "six" }), `"hour" must be a number`},
		{"no hour", with(func(b, _ map[string]any) { delete(b, "hour") }), "hour is required"},
		{"hour 24", with(func(b, _ map[string]any) { b["hour"] = 24 }), "hour must be 0..23"},
		{"minute -1", with(func(b, _ map[string]any) { b["minute"] = -1 }), "minute must be 0..59"},
		{"dates", with(func(_, p map[string]any) { p["date_range_start"] = "2026-11-01" }), "each run imports yesterday"},
		{"lookback", with(func(_, p map[string]any) { p["lookback_days"] = 40 }), "lookback_days must be 0..31"},
		{"bad id", with(func(b, _ map[string]any) { b["schedule_id"] = "a/b" }), "schedule_id"},
		{"bad mst", with(func(_, p map[string]any) { p["company_id"] = "123" }), "company_id"},
		{"no password", with(func(_, p map[string]any) { p["credentials"] = map[string]string{"username": c.MST} }), "password is required"},
		{"task type", with(func(b, _ map[string]any) { b["task_type"] = "gdt_tax_report_sync" }), "not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, raw := call(t, "POST", "/api/schedules/create", tc.body)
			e, _ := out["error"].(map[string]any)
			if code != http.StatusBadRequest || e["code"] != "invalid" || !strings.Contains(e["message"].(string), tc.want) {
				t.Fatalf("= %d %s, want 400 mentioning %q", code, raw, tc.want)
			}
			if strings.Contains(raw, c.Password) {
				t.Fatalf("answer reveals the password: %s", raw)
			}
		})
	}
	if code, _, _ := call(t, "GET", "/api/schedules/create", nil); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET create = %d", code)
	}
	if code, _, _ := call(t, "POST", "/api/schedules/nope/explode", nil); code != http.StatusNotFound {
		t.Fatalf("unknown action = %d", code)
	}
	if code, _, _ := call(t, "GET", "/api/schedules/nope", nil); code != http.StatusNotFound {
		t.Fatalf("unknown schedule = %d", code)
	}
	if code, _, _ := call(t, "GET", "/schedtick", nil, "Authorization", schedulerToken(t, h.URL+"/schedtick")); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET schedtick = %d", code)
	}
}

func TestAuthentication(t *testing.T) {
	for _, c := range []struct {
		name, method, path string
		hdr                []string
	}{
		{"tick without a token", "POST", "/schedtick", nil},
		{"tick with an API key only", "POST", "/schedtick", []string{"Authorization", ""}},
		{"tick with a token for another audience", "POST", "/schedtick", []string{"Authorization", schedulerToken(t, "https://elsewhere.example")}},
		{"list without a key", "GET", "/api/schedules", []string{"X-API-Key", ""}},
		{"create with a wrong key", "POST", "/api/schedules/create", []string{"X-API-Key", "nope"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if code, out, _ := call(t, c.method, c.path, "{}", c.hdr...); code != http.StatusUnauthorized {
				t.Fatalf("= %d %v, want 401", code, out)
			}
		})
	}
}
