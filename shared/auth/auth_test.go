package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func TestMain(m *testing.M) { firestoretest.Main(m) }

// issuer is a minimal OIDC issuer: discovery document and JWKS over HTTP,
// tokens signed with its RSA key.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	is := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) token(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	base := jwt.MapClaims{"iss": is.srv.URL, "aud": "https://fn.example/login", "email": "wf@p.iam.gserviceaccount.com",
		"email_verified": true, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(), "sub": "1"}
	for k, v := range claims {
		base[k] = v
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, base)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenVerifier(t *testing.T) {
	is := newIssuer(t)
	v := auth.NewTokenVerifier(is.srv.URL, []string{"https://fn.example"}, []string{"wf@p.iam.gserviceaccount.com"})
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, tc := range []struct {
		name   string
		header string
		want   string // "" means accepted
	}{
		{"valid", "Bearer " + is.token(t, is.key, nil), ""},
		{"missing", "", "missing bearer token"},
		{"not bearer", "Basic abc", "missing bearer token"},
		{"expired", "Bearer " + is.token(t, is.key, jwt.MapClaims{"exp": time.Now().Add(-time.Hour).Unix()}), "expired"},
		{"wrong audience", "Bearer " + is.token(t, is.key, jwt.MapClaims{"aud": "https://evil.example/login"}), "audience"},
		{"audience sibling", "Bearer " + is.token(t, is.key, jwt.MapClaims{"aud": "https://fn.example.evil/login"}), "audience"},
		{"another function", "Bearer " + is.token(t, is.key, jwt.MapClaims{"aud": "https://fn.example/download"}), "audience"},
		{"the base URL only", "Bearer " + is.token(t, is.key, jwt.MapClaims{"aud": "https://fn.example"}), "audience"},
		{"under the function", "Bearer " + is.token(t, is.key, jwt.MapClaims{"aud": "https://fn.example/login/x"}), "audience"},
		{"forged", "Bearer " + is.token(t, other, nil), "bad signature"},
		{"wrong issuer", "Bearer " + is.token(t, is.key, jwt.MapClaims{"iss": "https://accounts.google.com"}), "wrong issuer"},
		{"other principal", "Bearer " + is.token(t, is.key, jwt.MapClaims{"email": "intruder@x.com"}), "may not call"},
		{"unverified email", "Bearer " + is.token(t, is.key, jwt.MapClaims{"email_verified": false}), "verified"},
		{"garbage", "Bearer abc.def.ghi", "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/login", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			who, err := v.VerifyCall(context.Background(), r)
			if tc.want == "" {
				if err != nil || who != "wf@p.iam.gserviceaccount.com" {
					t.Fatalf("Verify = %q, %v", who, err)
				}
				return
			}
			if hoadon.ErrorCode(err) != hoadon.CodeUnauthorized || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want unauthorized mentioning %q", err, tc.want)
			}
		})
	}
}

func TestAPIKeys(t *testing.T) {
	ctx := context.Background()
	fs := firestoretest.Client(t)
	keys := auth.NewKeys(fs)
	key, rec, err := keys.Create(ctx, "accounting team", hoadon.AdminOf(hoadon.DefaultTenant))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "hd_") || len(rec.ID) != 12 || strings.Contains(rec.Hint, key[8:]) {
		t.Errorf("key %q record %+v", key, rec)
	}
	if _, ok, err := keys.Lookup(ctx, key); err != nil || !ok {
		t.Fatalf("new key invalid: %v %v", ok, err)
	}
	for _, bad := range []string{"", "hd_wrong", "not-a-key", key + "x"} {
		if _, ok, _ := keys.Lookup(ctx, bad); ok {
			t.Errorf("Valid(%q) = true", bad)
		}
	}
	list, err := keys.List(ctx, "")
	if err != nil || len(list) != 1 || list[0].Name != "accounting team" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if err := keys.Revoke(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	// This instance (cached) refuses it within auth.CacheValid.
	deadline := time.Now().Add(auth.CacheValid + time.Second)
	for {
		_, ok, err := keys.Lookup(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("revoked key still valid on this instance after %s", auth.CacheValid+time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Another instance (no cache) refuses the revoked key at once.
	if _, ok, err := auth.NewKeys(fs).Lookup(ctx, key); err != nil || ok {
		t.Fatalf("revoked key: valid %v, %v", ok, err)
	}
	list, _ = keys.List(ctx, "")
	if list[0].RevokedAt.IsZero() {
		t.Error("revocation not recorded")
	}
	if err := keys.Revoke(ctx, "nonexistent1"); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Errorf("revoke unknown id: %v", err)
	}
	if _, _, err := keys.Create(ctx, " ", hoadon.AdminOf(hoadon.DefaultTenant)); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("create without a name: %v", err)
	}
}

func TestPolicy(t *testing.T) {
	ctx := context.Background()
	is := newIssuer(t)
	keys := auth.NewKeys(firestoretest.Client(t))
	key, _, _ := keys.Create(ctx, "ci", hoadon.AdminOf(hoadon.DefaultTenant))
	p := &auth.Policy{Keys: keys,
		Internal: auth.NewTokenVerifier(is.srv.URL, []string{"https://fn.example"}, []string{"wf@p.iam.gserviceaccount.com"}),
		API:      auth.NewTokenVerifier(is.srv.URL, []string{"https://api.example"}, []string{"ops@example.com"})}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	call := func(h http.Handler, path string, hdr ...string) int {
		r := httptest.NewRequest("POST", path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	pub, internal := p.GuardPublic(ok), p.GuardInternal(ok)
	apiTok := is.token(t, is.key, jwt.MapClaims{"aud": "https://api.example", "email": "ops@example.com"})
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"public with key", call(pub, "/api/tasks", "X-API-Key", key), 204},
		{"public with principal token", call(pub, "/api/tasks", "Authorization", "Bearer "+apiTok), 204},
		{"public health open", call(pub, "/health"), 204},
		{"public without credentials", call(pub, "/api/tasks"), 401},
		{"public with bad key", call(pub, "/api/tasks", "X-API-Key", "hd_nope"), 401},
		{"internal with workflow token", call(internal, "/login", "Authorization", "Bearer "+is.token(t, is.key, nil)), 204},
		{"internal with API key", call(internal, "/login", "X-API-Key", key), 401},
		{"internal with API principal token", call(internal, "/login", "Authorization", "Bearer "+apiTok), 401},
		{"internal with another function's token", call(internal, "/download", "Authorization", "Bearer "+is.token(t, is.key, nil)), 401},
		{"public with a token for a URL under the API", call(pub, "/api/tasks", "Authorization", "Bearer "+is.token(t, is.key,
			jwt.MapClaims{"aud": "https://api.example/api/tasks", "email": "ops@example.com"})), 401},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	p.Off = true
	if got := call(p.GuardInternal(ok), "/login"); got != 204 {
		t.Errorf("auth off: %d", got)
	}
}
