// Package status is the status function the workflow polls while downloads
// run: progress, plus the housekeeping a waiting import needs (resume a
// cooled-down queue, re-enqueue lost tasks, re-dispatch overdue events).
package status

import (
	"context"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/hoadon/hoadon/shared/app"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/web"
)

// Name is the function's entry point and path.
const Name = "status"

// Handler serves the function.
var Handler = app.Handler(func(a *app.App) http.Handler {
	return web.Call(a.Log, func(ctx context.Context, r Request) (Response, error) {
		p, err := a.Service.Status(ctx, importer.StatusRequest(r))
		return Response{State: string(p.Import.State), Pending: p.Pending, Total: p.Counts.Total}, err
	})
})

// Request is the workflow's poll.
type Request importer.StatusRequest

// Validate checks the import id before anything reads it.
func (r Request) Validate() error { return hoadon.ValidateID("import_id", r.ImportID) }

// LogAttrs puts the import id on every log line of the call.
func (r Request) LogAttrs() []any { return []any{"import", r.ImportID} }

// Response carries counts only: workflow variables hold no lists.
type Response struct {
	State   string `json:"state"`
	Pending int    `json:"pending"`
	Total   int    `json:"total"`
}

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
