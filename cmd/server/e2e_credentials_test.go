package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// TestWrongPasswordNeverRidesOnALiveSession: while a tenant's import runs
// with the right password, the same tenant starts another with a wrong
// one. That import fails invalid_credentials after exactly one refused
// authenticate call; the stored credentials, the live session and the
// earlier import are untouched, and the earlier import completes.
func TestWrongPasswordNeverRidesOnALiveSession(t *testing.T) {
	sim := h.Stack.GDT()
	c := sim.Companies()[0]
	tenant := as(t, "creds-a", hoadon.RoleOperator)
	ctx := context.Background()
	fs, err := gcp.Firestore(ctx, h.Env["HOADON_PROJECT"])
	must(t, err)
	defer fs.Close()

	// Slow exports keep the first import running while the second starts.
	faults := sim.Faults()
	slow := faults
	slow.SlowExport = gdtsim.Latency{Min: 2 * time.Second, Max: 2 * time.Second}
	sim.SetFaults(slow)
	defer sim.SetFaults(faults)

	code, out := tenant.do("POST", "/api/tasks/start", startBody(c.MST, c.Password))
	if code != http.StatusAccepted {
		t.Fatalf("start with the right password = %d %v", code, out)
	}
	first := out["task_id"].(string)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		_, st := tenant.do("GET", "/api/tasks/"+first+"/status", nil)
		if count(st, "stored") >= 1 || final(st) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("first import: nothing stored within a minute: %v", st)
		}
	}
	credsBefore := doc(t, fs, "tenants/creds-a/credentials/"+c.MST)
	if credsBefore.Data()["password"] == "" || credsBefore.Data()["digest"] == "" {
		t.Fatalf("stored credentials after the accepted login: %v", credsBefore.Data())
	}
	sessionsBefore := liveSessions(t, fs, c.MST)
	loginsBefore := sim.Logins(c.MST)

	body := startBody(c.MST, "not-the-password")
	body["task_params"].(map[string]any)["date_range_start"] = "2026-08-01"
	body["task_params"].(map[string]any)["date_range_end"] = "2026-08-31"
	code, out = tenant.do("POST", "/api/tasks/start", body)
	if code != http.StatusAccepted {
		t.Fatalf("start with a wrong password = %d %v", code, out)
	}
	second := out["task_id"].(string)
	st := tenant.wait(second)
	if reason, _ := st["error"].(string); st["status"] != "failed" || !strings.Contains(strings.ToLower(reason), "password") {
		t.Fatalf("wrong password: %v %q; want failed, the password refused", st["status"], reason)
	}
	if got := failedCode(t, fs, second); got != hoadon.CodeBadCredentials {
		t.Errorf("import.failed code %q, want %s", got, hoadon.CodeBadCredentials)
	}
	if _, st := tenant.do("GET", "/api/tasks/"+first+"/status", nil); final(st) {
		t.Fatalf("the first import was over (%v) before the wrong password was refused: the test proves nothing", st["status"])
	}
	logins := sim.Logins(c.MST)
	if d := (gdtsim.Logins{Accepted: logins.Accepted - loginsBefore.Accepted, Refused: logins.Refused - loginsBefore.Refused}); d != (gdtsim.Logins{Refused: 1}) {
		t.Errorf("authenticate calls during the wrong-password import: %+v; want exactly one refused", d)
	}
	credsAfter := doc(t, fs, "tenants/creds-a/credentials/"+c.MST)
	// the stored login is unchanged (the refused one's digest joins "refused")
	if credsAfter.Data()["username"] != credsBefore.Data()["username"] || credsAfter.Data()["password"] != credsBefore.Data()["password"] ||
		credsAfter.Data()["digest"] != credsBefore.Data()["digest"] || credsAfter.Data()["invalid"] != credsBefore.Data()["invalid"] {
		t.Errorf("stored credentials changed: %v → %v", credsBefore.Data(), credsAfter.Data())
	}
	for id, s := range sessionsBefore {
		if after := liveSessions(t, fs, c.MST)[id]; after.SealedToken != s.SealedToken || after.Generation != s.Generation || !after.ExpiresAt.Equal(s.ExpiresAt) {
			t.Errorf("session %s changed: %+v → %+v", id, s, after)
		}
	}

	sim.SetFaults(faults)
	if st := tenant.wait(first); st["status"] != "completed" || count(st, "failed") != 0 {
		t.Errorf("the first import: %v, counts %v, error %v; want completed", st["status"], st["counts"], st["error"])
	}
	if after := doc(t, fs, "tenants/creds-a/credentials/"+c.MST); after.Data()["digest"] != credsBefore.Data()["digest"] || after.Data()["invalid"] != credsBefore.Data()["invalid"] {
		t.Errorf("stored credentials after the first import: %v", after.Data())
	}
}

func doc(t *testing.T, fs *firestore.Client, path string) *firestore.DocumentSnapshot {
	t.Helper()
	snap, err := fs.Doc(path).Get(context.Background())
	must(t, err)
	return snap
}

// liveSessions returns the sessions of an account's logins that hold a
// token, by id.
func liveSessions(t *testing.T, fs *firestore.Client, mst string) map[string]store.Session {
	t.Helper()
	docs, err := fs.Collection("sessions").Documents(context.Background()).GetAll()
	must(t, err)
	out := map[string]store.Session{}
	for _, d := range docs {
		var s store.Session
		must(t, d.DataTo(&s))
		if strings.HasPrefix(d.Ref.ID, mst+"_") && s.SealedToken != "" {
			out[d.Ref.ID] = s
		}
	}
	if len(out) == 0 {
		t.Fatalf("no live session of %s", mst)
	}
	return out
}

// failedCode returns the code of an import's import.failed event.
func failedCode(t *testing.T, fs *firestore.Client, importID string) hoadon.Code {
	t.Helper()
	evs, err := store.New(fs).ImportEvents(context.Background(), importID)
	must(t, err)
	for _, ev := range evs {
		if ev.Type == "vn.hoadon.import.failed" {
			var e struct { // a CloudEvent in JSON
				Data struct{ Code hoadon.Code }
			}
			must(t, json.Unmarshal(ev.Data, &e))
			return e.Data.Code
		}
	}
	t.Fatalf("no import.failed event among %d", len(evs))
	return ""
}
