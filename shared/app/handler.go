package app

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/web"
)

// Handler returns the http.Handler of an internal function: it builds the
// process's App on first request, accepts only callers with a valid OIDC
// token of an internal principal, and serves through the handler build
// makes. A broken configuration answers a generic 500 and logs the reason
// instead of crashing the instance in a restart loop.
func Handler(build func(*App) http.Handler) http.Handler {
	return guarded(build, (*auth.Policy).GuardInternal)
}

// OpenHandler is Handler for a handler that guards itself (the task API
// with the console beside it: the console signs its users in itself).
func OpenHandler(build func(*App) http.Handler) http.Handler {
	return guarded(build, func(_ *auth.Policy, h http.Handler) http.Handler { return h })
}

func guarded(build func(*App) http.Handler, guard func(*auth.Policy, http.Handler) http.Handler) http.Handler {
	var once sync.Once
	var h http.Handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := Default(r.Context())
		if err != nil {
			web.Misconfigured(r.Context(), w, logx.New(LogOutput, slog.LevelInfo), err)
			return
		}
		once.Do(func() { h = web.Logged(a.Log, a.Config.Project, guard(a.Auth, build(a))) })
		h.ServeHTTP(w, r)
	})
}
