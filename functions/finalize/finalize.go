// Package finalize is the finalize function: manifest and summary to the
// bucket, the import completed, its event written. Called by the workflow.
package finalize

import (
	"context"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/hoadon/hoadon/shared/app"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/web"
)

// Name is the function's entry point and path.
const Name = "finalize"

// Handler serves the function.
var Handler = app.Handler(func(a *app.App) http.Handler {
	return web.Call(a.Log, func(ctx context.Context, r Request) (Response, error) {
		p, err := a.Service.Finalize(ctx, r.ImportID)
		return Response{State: string(p.Import.State), Counts: p.Counts.Status}, err
	})
})

// Request names the import.
type Request struct {
	ImportID string `json:"import_id"`
}

// Validate checks the import id before anything reads it.
func (r Request) Validate() error { return hoadon.ValidateID("import_id", r.ImportID) }

// LogAttrs puts the import id on every log line of the call.
func (r Request) LogAttrs() []any { return []any{"import", r.ImportID} }

// Response is the final state and counts.
type Response struct {
	State  string                       `json:"state"`
	Counts map[hoadon.InvoiceStatus]int `json:"counts"`
}

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
