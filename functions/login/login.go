// Package login is the login function: it makes sure the import's company
// has a portal session (captcha solved, token sealed in Firestore) and
// returns the discovery windows. Called by the workflow.
package login

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
const Name = "login"

// Handler serves the function.
var Handler = app.Handler(func(a *app.App) http.Handler {
	return web.Call(a.Log, func(ctx context.Context, r Request) (importer.LoginResult, error) {
		return a.Service.Login(ctx, r.ImportID)
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

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
