package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/emulators/oidc"
)

func TestTokenVerifiesThroughServedJWKS(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss, err := oidc.NewIssuer(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", iss.Handler())

	tok, err := iss.Token("https://fn.example/run", "wf@p.iam.gserviceaccount.com", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, srv.URL+"/.well-known/openid-configuration", &disc)
	if disc.Issuer != srv.URL || disc.JWKSURI != srv.URL+"/jwks" {
		t.Fatalf("discovery = %+v", disc)
	}
	var set struct{ Keys []oidc.JWK }
	getJSON(t, disc.JWKSURI, &set)
	if len(set.Keys) != 1 || set.Keys[0].Kid != iss.KeyID() {
		t.Fatalf("jwks = %+v", set)
	}
	pub, err := oidc.PublicKeyFromJWK(set.Keys[0])
	if err != nil {
		t.Fatal(err)
	}
	c, err := oidc.VerifyWithKey(tok, srv.URL, "https://fn.example/run", pub, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != "wf@p.iam.gserviceaccount.com" || !c.EmailVerified || c.Subject != c.Email {
		t.Fatalf("claims = %+v", c)
	}
	if _, err := iss.Verify(tok, "https://other"); err == nil {
		t.Fatal("wrong audience accepted")
	}
	other, _ := oidc.NewIssuer(srv.URL)
	if _, err := oidc.VerifyWithKey(tok, srv.URL, "", other.PublicKey(), time.Now()); err == nil {
		t.Fatal("token verified with a foreign key")
	}
	if _, err := iss.Verify(strings.Replace(tok, ".", "x.", 1), ""); err == nil {
		t.Fatal("tampered token accepted")
	}
	if _, err := oidc.VerifyWithKey(tok, srv.URL, "", pub, time.Now().Add(2*time.Minute)); err == nil {
		t.Fatal("expired token accepted")
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
