package cloudtasks_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"github.com/golang-jwt/jwt/v5"
	emu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"github.com/hoadon/hoadon/emulators/oidc"
)

// fetchJWKS reads the issuer's discovery document and key set over HTTP, as a receiver would.
func fetchJWKS(t *testing.T, issuerURL string) map[string]*rsa.PublicKey {
	t.Helper()
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, issuerURL+"/.well-known/openid-configuration", &disc)
	if disc.Issuer != issuerURL {
		t.Fatalf("discovery issuer %q, want %q", disc.Issuer, issuerURL)
	}
	var set struct{ Keys []oidc.JWK }
	getJSON(t, disc.JWKSURI, &set)
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		pub, err := oidc.PublicKeyFromJWK(k)
		if err != nil {
			t.Fatalf("JWK: %v", err)
		}
		keys[k.Kid] = pub
	}
	return keys
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// verifyToken checks an ID token with golang-jwt (independent of the issuer's own code).
func verifyToken(t *testing.T, raw, issuer, audience string, keys map[string]*rsa.PublicKey) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("unknown kid %q", kid)
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(issuer), jwt.WithAudience(audience), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	return claims
}

func TestDispatchHeadersAndOIDC(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			w.WriteHeader(http.StatusNotFound) // a non-5xx failure counts as an execution
		}
	})
	srv, c := startEmuRaw(t, emu.Options{}) // own issuer, served over HTTP
	q := createQueue(t, c, "dl-0312345678", nil, fastRetry(5, 20*time.Millisecond))
	url := tg.srv.URL + "/download?mst=0312345678"
	tk := &cloudtaskspb.Task{Name: q + "/tasks/inv-abc", MessageType: &cloudtaskspb.Task_HttpRequest{HttpRequest: &cloudtaskspb.HttpRequest{
		Url: url, HttpMethod: cloudtaskspb.HttpMethod_PUT, Body: []byte(`{"k":1}`),
		Headers: map[string]string{"Content-Type": "application/json", "X-Custom": "v1",
			"User-Agent": "mine", "Authorization": "Basic secret"},
		AuthorizationHeader: &cloudtaskspb.HttpRequest_OidcToken{OidcToken: &cloudtaskspb.OidcToken{
			ServiceAccountEmail: "tasks@p.iam.gserviceaccount.com"}},
	}}}
	created := createTask(t, c, q, tk)
	waitFor(t, 5*time.Second, "two attempts", func() bool { return tg.count() == 2 })
	waitFor(t, 5*time.Second, "task done", func() bool { return gone(c, created.GetName()) })

	first, second := tg.all()[0], tg.all()[1]
	if first.method != http.MethodPut || first.uri != "/download?mst=0312345678" || string(first.body) != `{"k":1}` {
		t.Errorf("request line/body: %s %s %q", first.method, first.uri, first.body)
	}
	for k, want := range map[string]string{
		"Content-Type": "application/json", "X-Custom": "v1", "User-Agent": "Google-Cloud-Tasks",
		"X-Cloudtasks-Queuename": "dl-0312345678", "X-Cloudtasks-Taskname": "inv-abc",
		"X-Cloudtasks-Taskretrycount": "0", "X-Cloudtasks-Taskexecutioncount": "0",
	} {
		if got := first.hdr.Get(k); got != want {
			t.Errorf("first attempt %s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"X-Cloudtasks-Taskpreviousresponse", "X-Cloudtasks-Taskretryreason"} {
		if v, ok := first.hdr[k]; ok {
			t.Errorf("first attempt carries %s=%v", k, v)
		}
	}
	eta, err := strconv.ParseFloat(first.hdr.Get("X-Cloudtasks-Tasketa"), 64)
	want := float64(created.GetScheduleTime().AsTime().UnixMicro()) / 1e6
	if err != nil || math.Abs(eta-want) > 1e-5 {
		t.Errorf("TaskETA %q, want %.6f", first.hdr.Get("X-Cloudtasks-Tasketa"), want)
	}
	for k, want := range map[string]string{
		"X-Cloudtasks-Taskretrycount": "1", "X-Cloudtasks-Taskexecutioncount": "1",
		"X-Cloudtasks-Taskpreviousresponse": "404", "X-Cloudtasks-Taskretryreason": "NOT_FOUND",
	} {
		if got := second.hdr.Get(k); got != want {
			t.Errorf("retry %s = %q, want %q", k, got, want)
		}
	}

	auth := first.hdr.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") {
		t.Fatalf("Authorization = %q, want a Bearer ID token replacing the task's header", auth)
	}
	claims := verifyToken(t, strings.TrimPrefix(auth, "Bearer "), srv.OIDCURL(), url, fetchJWKS(t, srv.OIDCURL()))
	if claims["email"] != "tasks@p.iam.gserviceaccount.com" {
		t.Errorf("token email %v", claims["email"])
	}
}

func TestSharedIssuerAndExplicitAudience(t *testing.T) {
	t.Parallel()
	iss, err := oidc.NewIssuer("http://issuer.local")
	if err != nil {
		t.Fatal(err)
	}
	tg := newTarget(t, nil)
	srv, c := startEmu(t, emu.Options{Issuer: iss})
	if srv.Issuer() != iss || srv.OIDCURL() != "http://issuer.local" {
		t.Fatalf("server did not adopt the shared issuer: %s", srv.OIDCURL())
	}
	q := createQueue(t, c, "shared", nil, nil)
	tk := httpTask(q, "aud", tg.srv.URL)
	tk.GetHttpRequest().AuthorizationHeader = &cloudtaskspb.HttpRequest_OidcToken{OidcToken: &cloudtaskspb.OidcToken{
		ServiceAccountEmail: "sa@p.iam.gserviceaccount.com", Audience: "https://download.example"}}
	createTask(t, c, q, tk)
	waitFor(t, 5*time.Second, "dispatch", func() bool { return tg.count() == 1 })
	raw := strings.TrimPrefix(tg.all()[0].hdr.Get("Authorization"), "Bearer ")
	keys := map[string]*rsa.PublicKey{iss.KeyID(): iss.PublicKey()}
	verifyToken(t, raw, "http://issuer.local", "https://download.example", keys)
}

func TestDispatchDeadlineEnforced(t *testing.T) {
	// Not parallel: a timing measurement.
	type seen struct {
		waited    time.Duration
		cancelled bool
	}
	firstDone := make(chan seen, 1)
	tg := newTarget(t, func(n int, _ http.ResponseWriter, r *http.Request) {
		if n > 0 {
			return
		}
		start := time.Now()
		select {
		case <-r.Context().Done():
			firstDone <- seen{time.Since(start), true}
		case <-time.After(5 * time.Second):
			firstDone <- seen{time.Since(start), false}
		}
	})
	_, c := startEmu(t, emu.Options{MinDispatchDeadline: 50 * time.Millisecond})
	q := createQueue(t, c, "deadline", nil, fastRetry(3, 20*time.Millisecond))
	const deadline = 300 * time.Millisecond
	tk := httpTask(q, "slow", tg.srv.URL)
	tk.DispatchDeadline = dur(deadline)
	createTask(t, c, q, tk)
	got := <-firstDone
	if !got.cancelled || got.waited < deadline-10*time.Millisecond || got.waited > deadline+500*time.Millisecond {
		t.Fatalf("first attempt: cancelled=%v after %v, want cancellation at ~%v", got.cancelled, got.waited, deadline)
	}
	waitFor(t, 5*time.Second, "retry after deadline", func() bool { return tg.count() == 2 })
	retry := tg.all()[1].hdr
	if retry.Get("X-Cloudtasks-Taskretryreason") != "DEADLINE_EXCEEDED" || retry.Get("X-Cloudtasks-Taskexecutioncount") != "0" {
		t.Errorf("retry after deadline: reason %q, execution count %q", retry.Get("X-Cloudtasks-Taskretryreason"),
			retry.Get("X-Cloudtasks-Taskexecutioncount"))
	}
	if _, ok := retry["X-Cloudtasks-Taskpreviousresponse"]; ok {
		t.Error("retry after a deadline carries a previous response code")
	}
	t.Logf("deadline %v: request cancelled after %v", deadline, got.waited)
}

func TestCloseCancelsInFlight(t *testing.T) {
	t.Parallel()
	cancelled := make(chan bool, 1)
	tg := newTarget(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			cancelled <- true
		case <-time.After(10 * time.Second):
			cancelled <- false
		}
	})
	srv, err := emu.Start(emu.Options{Issuer: sharedIssuer(t)})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv.Addr())
	q := createQueue(t, c, "closing", nil, nil)
	createTask(t, c, q, httpTask(q, "", tg.srv.URL))
	waitFor(t, 5*time.Second, "dispatch", func() bool { return tg.count() == 1 })
	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	took := time.Since(start)
	if !<-cancelled || took > 3*time.Second {
		t.Fatalf("Close took %v and did not cancel the in-flight request", took)
	}
	t.Logf("Close with a request in flight took %v", took)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = c.GetQueue(ctx, &cloudtaskspb.GetQueueRequest{Name: q})
	if err == nil {
		t.Fatal("API still answers after Close")
	}
}
