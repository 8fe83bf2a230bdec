package auth

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/web"
)

// Policy guards handlers.
type Policy struct {
	// Off disables every check (local experiments only; logged loudly).
	Off bool
	// Keys are the API keys; API verifies Google ID tokens of API
	// principals (nil: keys only).
	Keys *Keys
	API  *TokenVerifier
	// Principals maps the lower-case e-mail of each API principal to its
	// tenant, role and allow-list (ParsePrincipals).
	Principals map[string]Principal
	// Internal verifies the tokens of the workflow, queues and scheduler.
	Internal *TokenVerifier
	Log      *slog.Logger
}

// GuardPublic guards the task API: an API key or an allowed principal's ID
// token. /health stays open for load balancers.
func (p *Policy) GuardPublic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			h.ServeHTTP(w, r)
			return
		}
		if p.Off { // experiments only: every caller is the default tenant's admin
			h.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), Principal{Access: hoadon.AdminOf(hoadon.DefaultTenant), Name: "auth-off"})))
			return
		}
		who, err := p.public(r.Context(), r)
		if err != nil {
			refuse(r.Context(), w, p.Log, err)
			return
		}
		ctx := logx.With(r.Context(), "caller", who.Name, "tenant", string(who.Tenant), "role", string(who.Role))
		h.ServeHTTP(w, r.WithContext(WithPrincipal(ctx, who)))
	})
}

func (p *Policy) public(ctx context.Context, r *http.Request) (Principal, error) {
	if key := r.Header.Get("X-API-Key"); key != "" {
		who, ok, err := p.Keys.Lookup(ctx, key)
		if err != nil {
			return Principal{}, err
		}
		if !ok {
			return Principal{}, hoadon.Errorf(hoadon.CodeUnauthorized, "unknown or revoked API key")
		}
		who.Name = "api-key:" + who.KeyID
		return who, nil
	}
	if p.API != nil && r.Header.Get("Authorization") != "" {
		email, err := p.API.Verify(ctx, r)
		if err != nil {
			return Principal{}, err
		}
		who, ok := p.Principals[strings.ToLower(email)]
		if !ok { // allowed by the verifier but not configured here: the default tenant's admin, as before tenants
			who = Principal{Access: hoadon.AdminOf(hoadon.DefaultTenant), Name: email}
		}
		return who, nil
	}
	return Principal{}, hoadon.Errorf(hoadon.CodeUnauthorized, "send an API key (X-API-Key) or a Google ID token (Authorization: Bearer)")
}

// GuardInternal guards the functions only the workflow, the queues and the
// scheduler call.
func (p *Policy) GuardInternal(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.Off {
			h.ServeHTTP(w, r)
			return
		}
		who, err := p.Internal.VerifyCall(r.Context(), r)
		if err != nil {
			refuse(r.Context(), w, p.Log, err)
			return
		}
		h.ServeHTTP(w, r.WithContext(logx.With(r.Context(), "caller", who)))
	})
}

func refuse(ctx context.Context, w http.ResponseWriter, log *slog.Logger, err error) {
	if log == nil {
		log = slog.Default()
	}
	if hoadon.ErrorCode(err) == hoadon.CodeUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hoadon"`)
	}
	web.WriteError(ctx, w, log, err)
}
