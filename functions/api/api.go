// Package api is the HTTP trigger: the public task API (start, status,
// cancel, list) of package shared/api.
package api

import (
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/hoadon/hoadon/shared/api"
	"github.com/hoadon/hoadon/shared/app"
)

// Name is the function's entry point. On Cloud Run it serves every path;
// cmd/server mounts it at /api/ and /health.
const Name = "api"

// Handler serves the function.
var Handler = app.PublicHandler(func(a *app.App) http.Handler { return api.New(a.Service, a.Log) })

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
