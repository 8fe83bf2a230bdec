package auth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// GoogleIssuer issues the ID tokens of Google service accounts and users.
const GoogleIssuer = "https://accounts.google.com"

// TokenVerifier checks OIDC ID tokens: signature (keys from the issuer's
// discovery document, cached), issuer, expiry, audience and principal.
type TokenVerifier struct {
	issuer     string
	audiences  []string
	principals map[string]bool
	client     *http.Client

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier // built on first use: discovery needs the network
}

// NewTokenVerifier accepts tokens from issuer for one of principals (e-mail
// addresses). Verify takes a token whose audience is exactly one of
// audiences; VerifyCall one whose audience is exactly the URL called: one of
// audiences (base URLs) followed by the request's path.
func NewTokenVerifier(issuer string, audiences, principals []string) *TokenVerifier {
	v := &TokenVerifier{issuer: issuer, principals: map[string]bool{}, client: &http.Client{}}
	for _, a := range audiences {
		if a = strings.TrimSuffix(strings.TrimSpace(a), "/"); a != "" {
			v.audiences = append(v.audiences, a)
		}
	}
	for _, p := range principals {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			v.principals[p] = true
		}
	}
	return v
}

func (v *TokenVerifier) idVerifier(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(context.WithoutCancel(ctx), v.client), v.issuer)
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeTransient, err, "fetching the token issuer's keys")
	}
	v.verifier = p.Verifier(&oidc.Config{SkipClientIDCheck: true}) // audience is checked below, per request
	return v.verifier, nil
}

// Verify checks the request's bearer token and returns its principal; the
// token's audience must be exactly one of the verifier's audiences.
func (v *TokenVerifier) Verify(ctx context.Context, r *http.Request) (string, error) {
	return v.verify(ctx, r, v.audiences)
}

// VerifyCall is Verify for a call to one function: the token's audience must
// be the exact URL of the function called (a base URL followed by the
// request's path; the base URL alone for a request to "/", as on Cloud Run),
// so a token minted for one function cannot be replayed against another
// served by the same host.
func (v *TokenVerifier) VerifyCall(ctx context.Context, r *http.Request) (string, error) {
	path := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	want := make([]string, 0, len(v.audiences))
	for _, a := range v.audiences {
		if path != "" && strings.HasSuffix(a, path) {
			// The audience is this function's own URL (a download or
			// deliver URL, the burst service's), not a base URL.
			want = append(want, a)
			continue
		}
		want = append(want, a+path)
	}
	return v.verify(ctx, r, want)
}

func (v *TokenVerifier) verify(ctx context.Context, r *http.Request, audiences []string) (string, error) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || raw == "" {
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "missing bearer token")
	}
	iv, err := v.idVerifier(ctx)
	if err != nil {
		return "", err
	}
	tok, err := iv.Verify(ctx, raw)
	if err != nil {
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "invalid token: %s", reason(err))
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	if err := tok.Claims(&claims); err != nil || claims.Email == "" || !claims.EmailVerified {
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "token carries no verified e-mail")
	}
	if !audienceOK(tok.Audience, audiences) {
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "token audience %v is not this service", tok.Audience)
	}
	if !v.principals[strings.ToLower(claims.Email)] {
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "%s may not call this service", claims.Email)
	}
	return claims.Email, nil
}

func audienceOK(got, want []string) bool {
	for _, g := range got {
		if slices.Contains(want, strings.TrimSuffix(g, "/")) {
			return true
		}
	}
	return false
}

// reason shortens go-oidc's errors to what a caller can act on.
func reason(err error) string {
	var exp *oidc.TokenExpiredError
	switch {
	case errors.As(err, &exp):
		return "expired"
	case strings.Contains(err.Error(), "signature"):
		return "bad signature"
	case strings.Contains(err.Error(), "issued by"):
		return "wrong issuer"
	}
	return "malformed"
}
