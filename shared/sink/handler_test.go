package sink_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/sink"
)

// Ensure an accepted event is recorded with its envelope, import, key id
// and data, whichever algorithm signed it.
func TestAcceptedEventIsRecorded(t *testing.T) {
	f := newFixture(t)
	stored, started := storedEvent(t, 42), startedEvent(t)

	if r := do(t, f.signed(t, started, edSigner(t))); r.status != http.StatusOK || r.Status != "recorded" || r.ID != started.ID() {
		t.Fatalf("ed25519 delivery: %+v", r)
	}
	if r := do(t, f.signed(t, stored, macSigner(t))); r.status != http.StatusOK || r.Status != "recorded" {
		t.Fatalf("hmac delivery: %+v", r)
	}

	got, err := f.h.Store().Received(context.Background(), importID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("recorded %d events, want 2: %+v", len(got), got)
	}
	first, second := got[0], got[1]
	if first.ID != started.ID() || second.ID != stored.ID() {
		t.Errorf("order by received time: got %s, %s; want %s, %s", first.ID, second.ID, started.ID(), stored.ID())
	}
	if first.KeyID != edKeyID || second.KeyID != macKeyID {
		t.Errorf("key ids %q, %q; want %q, %q", first.KeyID, second.KeyID, edKeyID, macKeyID)
	}
	want := sink.Received{ID: stored.ID(), Type: string(events.InvoiceStoredType), Subject: stored.Subject(),
		Source: events.Source(importID), ImportID: importID, KeyID: macKeyID, EventTime: at}
	second.ReceivedAt, second.Data = time.Time{}, nil
	if !equalReceived(second, want) {
		t.Errorf("record\n got %+v\nwant %+v", second, want)
	}
	if !bytes.Equal(got[1].Data, stored.Data()) {
		t.Errorf("data %s, want %s", got[1].Data, stored.Data())
	}
	if since := time.Since(got[1].ReceivedAt); since < 0 || since > time.Minute {
		t.Errorf("received_at %s is not now", got[1].ReceivedAt)
	}
	if n := count(t, f.h.Store(), importID); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
}

func equalReceived(a, b sink.Received) bool {
	return a.ID == b.ID && a.Type == b.Type && a.Subject == b.Subject && a.Source == b.Source &&
		a.ImportID == b.ImportID && a.KeyID == b.KeyID && a.EventTime.Equal(b.EventTime)
}

// Ensure a re-delivery (same event, fresh signature) is acknowledged with
// 200 and not recorded again, and a byte-identical replay of a request is
// refused whichever sink instance it reaches.
func TestDuplicateAndReplay(t *testing.T) {
	f := newFixture(t)
	e := storedEvent(t, 1)
	first := f.signed(t, e, edSigner(t))
	if r := do(t, first); r.status != http.StatusOK || r.Status != "recorded" {
		t.Fatalf("first delivery: %+v", r)
	}
	before, err := f.h.Store().Received(context.Background(), importID)
	if err != nil {
		t.Fatal(err)
	}

	if r := do(t, f.signed(t, e, edSigner(t))); r.status != http.StatusOK || r.Status != "duplicate" || r.ID != e.ID() {
		t.Fatalf("re-delivery: %+v, want 200 duplicate", r)
	}
	r := do(t, resend(t, first))
	if r.status != http.StatusUnauthorized || r.Code != "unauthorized" || !strings.Contains(r.Error, "nonce") {
		t.Fatalf("replayed request: %+v, want 401 naming the nonce", r)
	}

	after, err := f.h.Store().Received(context.Background(), importID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 1 || !after[0].ReceivedAt.Equal(before[0].ReceivedAt) {
		t.Fatalf("after duplicate and replay: %+v, want the one original record", after)
	}
}

// Ensure two sink instances on one database share nonces: a request
// accepted by one is a replay for the other.
func TestReplayAcrossInstances(t *testing.T) {
	a := newFixture(t)
	b := newFixtureOn(t, a.fs)
	// One URL (the signature covers it), two instances behind it, chosen
	// by an unsigned routing header as a load balancer would.
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Instance") == "b" {
			b.h.ServeHTTP(w, r)
			return
		}
		a.h.ServeHTTP(w, r)
	}))
	t.Cleanup(lb.Close)
	req, err := events.SignedRequest(context.Background(), lb.URL+"/", storedEvent(t, 2), edSigner(t))
	if err != nil {
		t.Fatal(err)
	}
	if r := do(t, req); r.status != http.StatusOK {
		t.Fatalf("instance a: %+v", r)
	}
	again := resend(t, req)
	again.Header.Set("X-Instance", "b")
	if r := do(t, again); r.status != http.StatusUnauthorized {
		t.Fatalf("replay at instance b: %+v, want 401", r)
	}
}

// Ensure every signature failure is a 401 with a JSON reason and records
// nothing.
func TestSignatureRefusals(t *testing.T) {
	f := newFixture(t)
	e := storedEvent(t, 3)
	otherKey, err := httpsig.Ed25519PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	stale := edSigner(t)
	stale.Clock = func() time.Time { return time.Now().Add(-10 * time.Minute) }
	future := edSigner(t)
	future.Clock = func() time.Time { return time.Now().Add(10 * time.Minute) }
	impostor := edSigner(t)
	impostor.Key = otherKey

	cases := []struct {
		name   string
		req    func() *http.Request
		reason string
	}{
		{"no signature", func() *http.Request {
			req, _, err := events.NewRequest(context.Background(), f.srv.URL+"/", e)
			if err != nil {
				t.Fatal(err)
			}
			return req
		}, "no signature"},
		{"tampered body", func() *http.Request {
			req := f.signed(t, e, edSigner(t))
			body, _ := io.ReadAll(req.Body)
			body = bytes.Replace(body, []byte(`"z/1.xml"`), []byte(`"z/9.xml"`), 1)
			req.Body, req.GetBody = io.NopCloser(bytes.NewReader(body)), nil
			return req
		}, "digest"},
		{"tampered ce-subject", func() *http.Request {
			req := f.signed(t, e, edSigner(t))
			req.Header.Set("ce-subject", "0101234565_1_C26TAA_4")
			return req
		}, "does not verify"},
		{"tampered content-type", func() *http.Request {
			req := f.signed(t, e, edSigner(t))
			req.Header.Set("Content-Type", "text/plain")
			return req
		}, "does not verify"},
		{"unsigned ce header added", func() *http.Request {
			req := f.signed(t, e, edSigner(t))
			req.Header.Set("ce-extra", "x")
			return req
		}, "not covered"},
		{"unknown key id", func() *http.Request {
			s := edSigner(t)
			s.KeyID = "someone-else"
			return f.signed(t, e, s)
		}, "unknown key"},
		{"right key id, wrong key", func() *http.Request { return f.signed(t, e, impostor) }, "does not verify"},
		{"stale created", func() *http.Request { return f.signed(t, e, stale) }, "too old"},
		{"created in the future", func() *http.Request { return f.signed(t, e, future) }, "future"},
		{"wrong tag", func() *http.Request {
			s := edSigner(t)
			s.Tag = "other-app"
			return f.signed(t, e, s)
		}, "tag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.req())
			if r.status != http.StatusUnauthorized || r.Code != "unauthorized" || !strings.Contains(r.Error, tc.reason) {
				t.Fatalf("got %+v, want 401 unauthorized mentioning %q", r, tc.reason)
			}
		})
	}
	if n := count(t, f.h.Store(), ""); n != 0 {
		t.Fatalf("%d events recorded after refusals, want 0", n)
	}
}

// Ensure a verified request that is not one of hoadon's CloudEvents is a
// 400 and records nothing.
func TestNotOurEvent(t *testing.T) {
	f := newFixture(t)
	foreign := event.New()
	foreign.SetID("1")
	foreign.SetSource("//example/x")
	foreign.SetType("com.example.thing")
	if err := foreign.SetData(event.ApplicationJSON, map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	wrongID := storedEvent(t, 4)
	wrongID.SetID("0123456789abcdef0123456789abcdef")
	wrongSubject := storedEvent(t, 4)
	wrongSubject.SetSubject("0101234565_1_C26TAA_5")

	cases := []struct {
		name   string
		req    func() *http.Request
		reason string
	}{
		{"plain JSON", func() *http.Request {
			req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader(`{"hello":1}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if err := edSigner(t).Sign(req, []byte(`{"hello":1}`)); err != nil {
				t.Fatal(err)
			}
			return req
		}, "not a CloudEvent"},
		{"foreign type", func() *http.Request { return f.signed(t, foreign, edSigner(t)) }, "unknown type"},
		{"id not deterministic", func() *http.Request { return f.signed(t, wrongID, edSigner(t)) }, "is not the id"},
		{"subject does not match data", func() *http.Request { return f.signed(t, wrongSubject, edSigner(t)) }, "do not match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.req())
			if r.status != http.StatusBadRequest || r.Code != "invalid" || !strings.Contains(r.Error, tc.reason) {
				t.Fatalf("got %+v, want 400 invalid mentioning %q", r, tc.reason)
			}
		})
	}
	if n := count(t, f.h.Store(), ""); n != 0 {
		t.Fatalf("%d events recorded, want 0", n)
	}
}

// Ensure only POST is served.
func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		req, err := http.NewRequest(m, f.srv.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
			t.Errorf("%s: status %d, Allow %q; want 405, POST", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

// Ensure concurrent deliveries of one event (each freshly signed, as
// parallel retries would be) record it exactly once and all get 200.
func TestConcurrentDeliveriesRecordOnce(t *testing.T) {
	f := newFixture(t)
	e := storedEvent(t, 5)
	const n = 5
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = f.signed(t, e, edSigner(t))
	}
	replies := make([]reply, n)
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Go(func() {
			resp, err := http.DefaultClient.Do(reqs[i])
			if err != nil {
				replies[i].Error = err.Error()
				return
			}
			defer resp.Body.Close()
			replies[i].status = resp.StatusCode
			_ = json.NewDecoder(resp.Body).Decode(&replies[i])
		})
	}
	wg.Wait()
	recorded := 0
	for i, r := range replies {
		if r.status != http.StatusOK {
			t.Errorf("delivery %d: %+v, want 200", i, r)
		}
		if r.Status == "recorded" {
			recorded++
		}
	}
	if recorded != 1 {
		t.Errorf("%d answers say recorded, want exactly 1: %+v", recorded, replies)
	}
	if c := count(t, f.h.Store(), importID); c != 1 {
		t.Errorf("Count = %d, want 1", c)
	}
}

// Ensure log lines are Cloud Logging JSON with the event id and type, and
// carry no signature, digest or key material.
func TestLogs(t *testing.T) {
	f := newFixture(t)
	e := storedEvent(t, 6)
	req := f.signed(t, e, macSigner(t))
	between := func(s string) string { return strings.Split(s, ":")[1] } // sig1=:b64: → b64
	secrets := []string{between(req.Header.Get("Signature")), between(req.Header.Get("Content-Digest")),
		base64.StdEncoding.EncodeToString(macSecret), base64.RawStdEncoding.EncodeToString(macSecret)}
	do(t, req)
	do(t, resend(t, req)) // refused as a replay
	lines := strings.Split(strings.TrimSpace(f.logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), f.logs)
	}
	wantSeverity := []string{"INFO", "WARNING"}
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not JSON: %s", i, line)
		}
		if m["severity"] != wantSeverity[i] || m["message"] == nil || m["level"] != nil || m["msg"] != nil {
			t.Errorf("line %d: severity/message fields wrong: %s", i, line)
		}
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("line %d leaks a signature, digest or key: %s", i, line)
			}
		}
	}
	if !strings.Contains(lines[0], `"event_id":"`+e.ID()+`"`) || !strings.Contains(lines[0], `"event_type":"`+e.Type()+`"`) {
		t.Errorf("accepted line lacks event id/type: %s", lines[0])
	}
}

// Ensure HOADON_SINK_TRUST_FORWARDED_PROTO lets a sink behind a TLS front
// end verify a signature made for its https URL, and that without it the
// scheme from the header is ignored.
func TestTrustForwardedProto(t *testing.T) {
	trusting := newFixtureOn(t, firestoretest.Client(t), sink.EnvTrustForwardedProto, "true")
	plain := newFixtureOn(t, trusting.fs)
	for _, tc := range []struct {
		f    *fixture
		want int
	}{{trusting, http.StatusOK}, {plain, http.StatusUnauthorized}} {
		public := strings.Replace(tc.f.srv.URL, "http://", "https://", 1) + "/"
		req, err := events.SignedRequest(context.Background(), public, storedEvent(t, 7), edSigner(t))
		if err != nil {
			t.Fatal(err)
		}
		req.URL.Scheme = "http" // what the proxy forwards
		req.Header.Set("X-Forwarded-Proto", "https")
		if r := do(t, req); r.status != tc.want {
			t.Errorf("trust=%v: %+v, want %d", tc.f == trusting, r, tc.want)
		}
	}
}
