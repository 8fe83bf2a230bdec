package importer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/sink"
)

// envSubscriber is an environment subscriber: a real HTTP server that
// verifies each delivery with the key the operator handed it (in
// HOADON_SINK_KEYS form) and keeps the requests it received.
type envSubscriber struct {
	srv      *httptest.Server
	verifier *httpsig.Verifier
	mu       sync.Mutex
	got      []*http.Request
	bodies   [][]byte
	refused  []error
}

// startEnvSubscriber starts a subscriber; keys(url) are its verifying keys
// in HOADON_SINK_KEYS form, for the URL it listens at.
func startEnvSubscriber(t *testing.T, keys func(url string) string) *envSubscriber {
	t.Helper()
	es := &envSubscriber{verifier: &httpsig.Verifier{Tag: httpsig.DefaultTag}}
	es.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		es.mu.Lock()
		defer es.mu.Unlock()
		es.got, es.bodies = append(es.got, r.Clone(context.Background())), append(es.bodies, body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if _, err := events.Receive(r, es.verifier); err != nil {
			es.refused = append(es.refused, err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(es.srv.Close)
	ks, err := sink.ParseKeys(keys(es.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	es.mu.Lock()
	es.verifier.Keys = ks
	es.mu.Unlock()
	return es
}

// TestEnvSubscribersHaveTheirOwnHMACKeys: two environment subscribers
// under one HMAC signing key. Each verifies the events delivered to it
// with the key `hoadon subscription key` prints for its URL
// (events.SubscriberKey); a request signed for A does not verify under B's
// key, nor under the signing key itself.
func TestEnvSubscribersHaveTheirOwnHMACKeys(t *testing.T) {
	ctx := context.Background()
	master, err := httpsig.HMACKey(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sinkKeys := func(url string) string {
		k, err := events.SubscriberKey(master, url)
		if err != nil {
			t.Fatal(err)
		}
		return "hoadon=hmac-sha256:" + k.Material()
	}
	a, b := startEnvSubscriber(t, sinkKeys), startEnvSubscriber(t, sinkKeys)
	s := New(Deps{Signer: &httpsig.Signer{KeyID: "hoadon", Key: master}, Subscribers: []string{a.srv.URL, b.srv.URL},
		HTTP: http.DefaultClient, Log: slog.New(slog.DiscardHandler)})
	for i, es := range []*envSubscriber{a, b} {
		e := cloudevents.New()
		e.SetID([]string{"ev-a", "ev-b"}[i])
		e.SetSource("hoadon/test")
		e.SetType("vn.hoadon.import.completed")
		if err := e.SetData("application/json", map[string]string{"n": e.ID()}); err != nil {
			t.Fatal(err)
		}
		sub := subscriber{id: SubscriberID(es.srv.URL), url: es.srv.URL}
		signer, err := s.signer(sub)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.post(ctx, sub.url, e, signer); err != nil {
			t.Errorf("delivery to subscriber %d: %v (refused: %v)", i, err, es.refused)
		}
	}
	// A's request, checked with B's key and with the signing key: refused.
	forA := a.got[0]
	for name, keys := range map[string]string{"B's key": sinkKeys(b.srv.URL),
		"the signing key": "hoadon=hmac-sha256:" + master.Material()} {
		ks, _ := sink.ParseKeys(keys)
		r := forA.Clone(ctx)
		r.Body = io.NopCloser(bytes.NewReader(a.bodies[0]))
		if _, err := events.Receive(r, &httpsig.Verifier{Keys: ks, Tag: httpsig.DefaultTag}); err == nil {
			t.Errorf("a delivery signed for A verifies under %s", name)
		}
	}
	// The Ed25519 signing key stays as it is: its subscribers hold the public key.
	ed, err := httpsig.Ed25519PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if k, err := events.SubscriberKey(ed, a.srv.URL); err != nil || k.Material() != ed.Public().Material() || k.CanSign() {
		t.Errorf("ed25519: subscriber key %s (%v), want the public key %s", k.Material(), err, ed.Public().Material())
	}
}
