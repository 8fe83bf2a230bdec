package app

import (
	"log/slog"
	"net/http"
	"os"
	"sync"

	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/web"
)

// Handler returns an http.Handler that builds the process's App on first
// request and serves through the handler build makes from it. A broken
// configuration answers 500 with the reason (configuration errors hold no
// secrets) instead of crashing the instance in a restart loop.
func Handler(build func(*App) http.Handler) http.Handler {
	var once sync.Once
	var h http.Handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := Default(r.Context())
		if err != nil {
			log := logx.New(os.Stdout, slog.LevelInfo)
			log.ErrorContext(r.Context(), "server misconfigured", "err", err)
			var body web.ErrorBody
			body.Error.Code, body.Error.Message = "misconfigured", err.Error()
			web.WriteJSON(w, http.StatusInternalServerError, body)
			return
		}
		once.Do(func() { h = web.Logged(a.Log, a.Config.Project, build(a)) })
		h.ServeHTTP(w, r)
	})
}
