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
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/sink"
)

func TestMain(m *testing.M) { firestoretest.Main(m) }

const (
	importID = "imp-0101234565-202610-sold"
	mst      = "0101234565"
	edKeyID  = "hoadon-events-ed"
	macKeyID = "hoadon-events-mac"
)

var (
	edPriv    = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	macSecret = bytes.Repeat([]byte{9}, 32)
	at        = time.Date(2026, 11, 25, 3, 4, 5, 0, time.UTC)
)

// sinkEnv is the configuration a deployment would give the function: the
// Ed25519 public key and the HMAC secret, both base64.
func sinkEnv() map[string]string {
	pub := edPriv.Public().(ed25519.PublicKey)
	return map[string]string{
		sink.EnvKeys: edKeyID + "=ed25519:" + base64.StdEncoding.EncodeToString(pub) + "," +
			macKeyID + "=hmac-sha256:" + base64.StdEncoding.EncodeToString(macSecret),
	}
}

// syncBuffer collects log lines written by concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a sink handler on a fresh emulator project behind a real
// HTTP server, plus the sender's signers.
type fixture struct {
	fs   *firestore.Client
	h    *sink.Handler
	srv  *httptest.Server
	logs *syncBuffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fs := firestoretest.Client(t)
	return newFixtureOn(t, fs)
}

// newFixtureOn starts another sink instance on fs (several instances share
// one database in production).
func newFixtureOn(t *testing.T, fs *firestore.Client, extraEnv ...string) *fixture {
	t.Helper()
	env := sinkEnv()
	for i := 0; i+1 < len(extraEnv); i += 2 {
		env[extraEnv[i]] = extraEnv[i+1]
	}
	cfg, err := sink.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg.Logger = sink.NewLogger(logs)
	h, err := sink.New(context.Background(), fs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{fs: fs, h: h, srv: srv, logs: logs}
}

func edSigner(t *testing.T) *httpsig.Signer {
	t.Helper()
	k, err := httpsig.Ed25519PrivateKey(edPriv)
	if err != nil {
		t.Fatal(err)
	}
	return &httpsig.Signer{KeyID: edKeyID, Key: k}
}

func macSigner(t *testing.T) *httpsig.Signer {
	t.Helper()
	k, err := httpsig.HMACKey(macSecret)
	if err != nil {
		t.Fatal(err)
	}
	return &httpsig.Signer{KeyID: macKeyID, Key: k}
}

func storedEvent(t *testing.T, shdon int64) event.Event {
	t.Helper()
	key := hoadon.InvoiceKey{NBMST: mst, KHMSHDon: 1, KHHDon: "C26TAA", SHDon: shdon}
	e, err := events.New(events.InvoiceStored{ImportID: importID, CompanyMST: mst,
		Flow: hoadon.FlowSoldEInvoice, Direction: hoadon.Sold, Invoice: key,
		Objects:   events.Objects{Zip: "z/1.zip", XML: "z/1.xml", JSON: "z/1.json"},
		XMLSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}, at)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func startedEvent(t *testing.T) event.Event {
	t.Helper()
	e, err := events.New(events.ImportStarted{ImportID: importID, CompanyMST: mst,
		From: "2026-10-01", To: "2026-10-31", Flows: []hoadon.Flow{hoadon.FlowSoldEInvoice}}, at)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// signed is one signed delivery of e to the fixture's server.
func (f *fixture) signed(t *testing.T, e event.Event, s *httpsig.Signer) *http.Request {
	t.Helper()
	req, err := events.SignedRequest(context.Background(), f.srv.URL+"/", e, s)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// reply is a decoded answer of the sink.
type reply struct {
	status int
	Status string `json:"status"`
	ID     string `json:"id"`
	Type   string `json:"type"`
	Error  string `json:"error"`
	Code   string `json:"code"`
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q, body %s", ct, body)
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, body)
	}
	return r
}

// resend builds a byte-identical copy of a request that was already sent.
func resend(t *testing.T, req *http.Request) *http.Request {
	t.Helper()
	c := req.Clone(context.Background())
	body, err := req.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	c.Body = body
	return c
}

func count(t *testing.T, st *sink.Store, importID string) int64 {
	t.Helper()
	n, err := st.Count(context.Background(), importID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
