package events_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2/client"
	cecontext "github.com/cloudevents/sdk-go/v2/context"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/protocol"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
)

func keyPair(t *testing.T, alg httpsig.Algorithm) (signer *httpsig.Signer, verifier *httpsig.Verifier) {
	t.Helper()
	seed := bytes.Repeat([]byte{3}, 32)
	var priv httpsig.Key
	var err error
	if alg == httpsig.Ed25519 {
		priv, err = httpsig.Ed25519PrivateKey(ed25519.NewKeyFromSeed(seed))
	} else {
		priv, err = httpsig.HMACKey(seed)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &httpsig.Signer{KeyID: "hoadon-events-1", Key: priv},
		&httpsig.Verifier{
			Keys:   httpsig.StaticKeys{"hoadon-events-1": priv.Public()},
			Replay: httpsig.NewMemoryReplay(nil),
			Tag:    httpsig.DefaultTag,
		}
}

// sink is a minimal consumer: verify, de-duplicate by id, record.
type sink struct {
	verifier *httpsig.Verifier
	dedupe   events.MemoryDeduper
	mu       sync.Mutex
	got      []event.Event
	dups     int
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e, err := events.Receive(r, s.verifier)
	if err != nil {
		http.Error(w, err.Error(), hoadon.HTTPStatus(hoadon.ErrorCode(err)))
		return
	}
	seen, _ := s.dedupe.Seen(r.Context(), e.ID())
	s.mu.Lock()
	defer s.mu.Unlock()
	if seen {
		s.dups++
	} else {
		s.got = append(s.got, e)
	}
	w.WriteHeader(http.StatusNoContent)
}

func startSink(t *testing.T, v *httpsig.Verifier) (*sink, *httptest.Server) {
	s := &sink{verifier: v}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// TestSDKClientRoundTrip sends every sample event with the CloudEvents SDK
// HTTP client, signing through httpsig.Transport, to a real server that
// verifies with Receive; each event is then delivered a second time (a
// retry, re-signed) and must be recognised as a duplicate.
func TestSDKClientRoundTrip(t *testing.T) {
	for _, alg := range []httpsig.Algorithm{httpsig.Ed25519, httpsig.HMACSHA256} {
		t.Run(string(alg), func(t *testing.T) {
			signer, verifier := keyPair(t, alg)
			s, srv := startSink(t, verifier)
			c, err := cloudevents.NewHTTP(cehttp.WithRoundTripper(&httpsig.Transport{Signer: events.Signer(signer)}))
			if err != nil {
				t.Fatal(err)
			}
			ctx := cecontext.WithTarget(t.Context(), srv.URL+"/events")
			var sent []event.Event
			for _, d := range samples {
				e, err := events.New(d, at)
				if err != nil {
					t.Fatal(err)
				}
				sent = append(sent, e)
				for attempt := range 2 {
					if res := c.Send(ctx, e); !protocol.IsACK(res) {
						t.Fatalf("%s attempt %d: %v", e.Type(), attempt, res)
					}
				}
			}
			if len(s.got) != len(sent) || s.dups != len(sent) {
				t.Fatalf("received %d, duplicates %d; want %d and %d", len(s.got), s.dups, len(sent), len(sent))
			}
			for i, e := range s.got {
				if e.ID() != sent[i].ID() || e.Type() != sent[i].Type() || !bytes.Equal(e.Data(), sent[i].Data()) {
					t.Errorf("event %d: got %s, sent %s", i, e, sent[i])
				}
				if _, err := events.Decode(e); err != nil {
					t.Errorf("decode %s: %v", e.Type(), err)
				}
			}
		})
	}
}

func post(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReceiveRefuses alters signed requests on the way to a real sink.
func TestReceiveRefuses(t *testing.T) {
	signer, verifier := keyPair(t, httpsig.Ed25519)
	_, srv := startSink(t, verifier)
	e, err := events.New(samples[2], at)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		build  func(ctx context.Context) *http.Request
		status int
		msg    string
	}{
		{"changed ce-type", func(ctx context.Context) *http.Request {
			req, _ := events.SignedRequest(ctx, srv.URL, e, signer)
			req.Header.Set("Ce-Type", string(events.InvoiceFailedType))
			return req
		}, 401, "signature does not verify"},
		{"unsigned extension", func(ctx context.Context) *http.Request {
			req, _ := events.SignedRequest(ctx, srv.URL, e, signer)
			req.Header.Set("Ce-Priority", "high")
			return req
		}, 401, "ce-priority is not covered"},
		{"tampered body", func(ctx context.Context) *http.Request {
			req, body, _ := events.NewRequest(ctx, srv.URL, e)
			_ = events.Signer(signer).Sign(req, body)
			body = bytes.Replace(body, []byte(`"shdon":42`), []byte(`"shdon":43`), 1)
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			return req
		}, 401, "content digest does not match"},
		{"unsigned", func(ctx context.Context) *http.Request {
			req, _, _ := events.NewRequest(ctx, srv.URL, e)
			return req
		}, 401, "no signature"},
		{"body not covered", func(ctx context.Context) *http.Request {
			req, body, _ := events.NewRequest(ctx, srv.URL, e)
			s := events.Signer(signer)
			s.Components = []string{"@method", "@target-uri", "content-type"}
			_ = s.Sign(req, body)
			return req
		}, 401, `"content-digest" is not covered`},
		{"signed but not a CloudEvent", func(ctx context.Context) *http.Request {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(`{"a":1}`))
			req.Header.Set("Content-Type", "application/json")
			_ = signer.Sign(req, []byte(`{"a":1}`))
			return req
		}, 400, "not a CloudEvent"},
		{"body too large", func(ctx context.Context) *http.Request {
			big := bytes.Repeat([]byte("a"), events.MaxBodyBytes+1)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, bytes.NewReader(big))
			req.Header.Set("Content-Type", "application/json")
			return req
		}, 400, "body over"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, msg := post(t, tc.build(t.Context()))
			if status != tc.status || !strings.Contains(msg, tc.msg) {
				t.Errorf("got %d %q, want %d with %q", status, msg, tc.status, tc.msg)
			}
		})
	}
}

// TestSignedRequestWire checks what a consumer sees on the wire.
func TestSignedRequestWire(t *testing.T) {
	signer, _ := keyPair(t, httpsig.HMACSHA256)
	e, _ := events.New(samples[0], at)
	req, err := events.SignedRequest(t.Context(), "https://sink.example/hook", e, signer)
	if err != nil {
		t.Fatal(err)
	}
	in := req.Header.Get("Signature-Input")
	for _, want := range []string{`sig1=("@method" "@target-uri" "content-type" "content-digest" "ce-id" "ce-source" "ce-specversion" "ce-subject" "ce-time" "ce-type")`,
		`;alg="hmac-sha256";keyid="hoadon-events-1";tag="hoadon-event"`} {
		if !strings.Contains(in, want) {
			t.Errorf("Signature-Input %s lacks %s", in, want)
		}
	}
	if req.Header.Get("Ce-Id") != e.ID() || !strings.HasPrefix(req.Header.Get("Content-Digest"), "sha-256=:") {
		t.Errorf("headers: %v", req.Header)
	}
	if _, err := events.SignedRequest(t.Context(), "://bad", e, signer); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("bad url: %v", err)
	}
}

// TestReceiveRequiresDigest: even a verifier configured to require nothing
// cannot make Receive accept an event body that the signature does not bind.
func TestReceiveRequiresDigest(t *testing.T) {
	signer, verifier := keyPair(t, httpsig.Ed25519)
	verifier.RequiredComponents = []string{}
	e, _ := events.New(samples[0], at)
	req, body, _ := events.NewRequest(t.Context(), "http://sink.example/", e)
	s := events.Signer(signer)
	s.Components = []string{"@method"}
	if err := s.Sign(req, body); err != nil {
		t.Fatal(err)
	}
	req.Header.Del("Content-Digest")
	in := httptest.NewRequest(http.MethodPost, "http://sink.example/", bytes.NewReader(body))
	in.Header = req.Header
	_, err := events.Receive(in, verifier)
	if hoadon.ErrorCode(err) != hoadon.CodeUnauthorized || !strings.Contains(err.Error(), "by the signature") {
		t.Fatalf("err = %v", err)
	}
}
