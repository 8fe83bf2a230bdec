// Package api is the HTTP trigger: the public task API (start, status,
// cancel, list) of package shared/api, and the web console (shared/console)
// under /ui/, which shows the same operations.
package api

import (
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/hoadon/hoadon/shared/api"
	"github.com/hoadon/hoadon/shared/app"
	"github.com/hoadon/hoadon/shared/console"
)

// Name is the function's entry point. On Cloud Run it serves every path;
// cmd/server mounts it at /api/, /ui/ and /health.
const Name = "api"

// Handler serves the function.
var Handler = app.OpenHandler(func(a *app.App) http.Handler {
	srv := api.New(a.Service, a.Log)
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, console.New(console.Options{API: srv, Keys: a.Auth.Keys, Box: a.Service.Box, Log: a.Log}))
	mux.Handle("/", a.Auth.GuardPublic(srv))
	return mux
})

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
