// Package schedtick is the function Cloud Scheduler calls every few minutes
// (and cmd/localstack's ticker locally): it starts the scheduled imports that
// are due, each (schedule, day) once however often, late or concurrently it
// is called. See shared/schedule.
package schedtick

import (
	"io"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/hoadon/hoadon/shared/app"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/schedule"
	"github.com/hoadon/hoadon/shared/web"
)

// Name is the function's entry point and path.
const Name = "schedtick"

// Handler serves the function: POST with an empty body or {} (what the
// Cloud Scheduler job sends); the answer is the tick's report.
var Handler = app.Handler(func(a *app.App) http.Handler {
	runner := schedule.New(a.Service)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Method != http.MethodPost {
			web.MethodNotAllowed(w, r, http.MethodPost)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, web.MaxBody+1))
		if err != nil {
			web.WriteError(ctx, w, a.Log, hoadon.Wrap(hoadon.CodeInvalid, err, "reading the request body"))
			return
		}
		if len(body) > 0 {
			var none struct{}
			if err := web.Unmarshal(body, &none); err != nil {
				web.WriteError(ctx, w, a.Log, err)
				return
			}
		}
		rep, err := runner.Tick(ctx)
		if err != nil {
			web.WriteError(ctx, w, a.Log, err)
			return
		}
		if len(rep.Started) > 0 || rep.Skipped > 0 {
			a.Log.InfoContext(ctx, "schedtick", "schedules", rep.Schedules, "due", rep.Due, "started", len(rep.Started), "skipped", rep.Skipped)
		}
		web.WriteJSON(w, http.StatusOK, rep)
	})
})

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
