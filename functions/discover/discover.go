// Package discover is the discover function: it lists one flow over one
// month window, records the invoices and enqueues their downloads. Called by
// the workflow, in parallel per window.
package discover

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
const Name = "discover"

// Handler serves the function.
var Handler = app.Handler(func(a *app.App) http.Handler {
	return web.Call(a.Log, func(ctx context.Context, r Request) (importer.DiscoverResult, error) {
		return a.Service.Discover(ctx, importer.DiscoverRequest(r))
	})
})

// Request is one window of one flow.
type Request importer.DiscoverRequest

// Validate checks the import id before anything reads it.
func (r Request) Validate() error { return hoadon.ValidateID("import_id", r.ImportID) }

// LogAttrs puts the import and window on every log line of the call.
func (r Request) LogAttrs() []any {
	return []any{"import", r.ImportID, "flow", r.Window.Flow, "window", r.Window.From + ".." + r.Window.To}
}

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
