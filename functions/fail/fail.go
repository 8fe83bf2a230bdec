// Package fail is the fail function: the workflow's except branch calls it
// with the reason, and the import ends failed with its event.
package fail

import (
	"context"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/hoadon/hoadon/shared/app"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/web"
)

// Name is the function's entry point and path.
const Name = "fail"

// Handler serves the function.
var Handler = app.Handler(func(a *app.App) http.Handler {
	return web.Call(a.Log, func(ctx context.Context, r Request) (Response, error) {
		code := hoadon.Code(r.Code)
		if code == "" {
			code = hoadon.CodeInternal
		}
		p, err := a.Service.Fail(ctx, r.ImportID, code, r.Reason)
		return Response{State: string(p.Import.State)}, err
	})
})

// Request names the import and why it failed.
type Request struct {
	ImportID string `json:"import_id"`
	Code     string `json:"code"`
	Reason   string `json:"reason"`
}

// Validate checks the import id before anything reads it.
func (r Request) Validate() error { return hoadon.ValidateID("import_id", r.ImportID) }

// LogAttrs puts the import id on every log line of the call.
func (r Request) LogAttrs() []any { return []any{"import", r.ImportID} }

// Response is the import's state afterwards.
type Response struct {
	State string `json:"state"`
}

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
