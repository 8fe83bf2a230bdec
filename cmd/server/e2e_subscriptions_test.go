package main

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
)

// receiver is one tenant's webhook subscriber: it verifies each delivery
// with the key its subscription was given, pinned to its own URL, and
// records, per import, the types of what verified and how many did not.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	verifier *httpsig.Verifier
	imports  map[string][]string // import id → event types
	refused  int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{imports: map[string][]string{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.verifier == nil {
			rc.refused++
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		e, err := events.Receive(r, rc.verifier)
		if err != nil {
			rc.refused++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		id := strings.TrimPrefix(e.Source(), events.Source(""))
		rc.imports[id] = append(rc.imports[id], e.Type())
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// subscribe creates the caller's subscription to the receiver and arms its
// verifier with the key the answer shows once.
func (rc *receiver) subscribe(t *testing.T, c caller) string {
	t.Helper()
	code, out := c.do("POST", "/api/subscriptions", map[string]any{"url": rc.srv.URL + "/hook"})
	if code != http.StatusCreated {
		t.Fatalf("create subscription = %d %v", code, out)
	}
	secret, err := base64.StdEncoding.DecodeString(out["signing_key"].(string))
	if err != nil {
		t.Fatal(err)
	}
	key, err := httpsig.HMACKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	rc.verifier = &httpsig.Verifier{Keys: httpsig.StaticKeys{out["key_id"].(string): key}, TargetURI: rc.srv.URL + "/hook"}
	rc.mu.Unlock()
	return out["id"].(string)
}

func (rc *receiver) seen(importID string) ([]string, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.imports[importID]...), rc.refused
}

// TestSubscriptionsAreTenants: each tenant's subscriber receives its own
// tenant's events, signed with its own key, and never another tenant's;
// the key is shown once; another tenant cannot see or delete it.
func TestSubscriptionsAreTenants(t *testing.T) {
	c := h.Stack.GDT().Companies()[3]
	a, b := as(t, "subs-a", hoadon.RoleAdmin), as(t, "subs-b", hoadon.RoleAdmin)
	ra, rb := newReceiver(t), newReceiver(t)
	subA, subB := ra.subscribe(t, a), rb.subscribe(t, b)

	code, out := a.do("GET", "/api/subscriptions", nil)
	list, _ := out["subscriptions"].([]any)
	if code != 200 || len(list) != 1 || list[0].(map[string]any)["id"] != subA || list[0].(map[string]any)["signing_key"] != nil {
		t.Fatalf("a's list = %d %v; want its one subscription without the key", code, out)
	}
	if code, _ := b.do("DELETE", "/api/subscriptions/"+subA, nil); code != 404 {
		t.Errorf("b deletes a's subscription: %d, want 404", code)
	}

	code, out = a.do("POST", "/api/tasks/start", startBody(c.MST, c.Password))
	if code != http.StatusAccepted {
		t.Fatalf("a start = %d %v", code, out)
	}
	id := out["task_id"].(string)
	if st := a.wait(id); st["status"] != "completed" {
		t.Fatalf("a's import: %v", st)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		got, refused := ra.seen(id)
		if slices.Contains(got, string(events.ImportCompletedType)) {
			if refused != 0 {
				t.Errorf("a's receiver refused %d deliveries", refused)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a's subscriber did not get import.completed within a minute: %v (refused %d)", got, refused)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// a's last event is delivered; b's subscriber got none of a's events
	// (it would have verified nothing, either).
	if got, refused := rb.seen(id); len(got) != 0 || refused != 0 {
		t.Errorf("b's subscriber got a's events %v, refused %d", got, refused)
	}
	for _, who := range []struct {
		c  caller
		id string
	}{{a, subA}, {b, subB}} {
		if code, out := who.c.do("DELETE", "/api/subscriptions/"+who.id, nil); code != 200 {
			t.Errorf("delete = %d %v", code, out)
		}
	}
}
