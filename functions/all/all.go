// Package all serves every function of hoadon from one handler, for the
// process that runs them together (the hybrid VM and local development):
// each function at /<name>, the task API at /api/ and /health, the console
// at /ui/.
package all

import (
	"net/http"

	fapi "github.com/hoadon/hoadon/functions/api"
	"github.com/hoadon/hoadon/functions/deliver"
	"github.com/hoadon/hoadon/functions/discover"
	"github.com/hoadon/hoadon/functions/download"
	"github.com/hoadon/hoadon/functions/eventsink"
	"github.com/hoadon/hoadon/functions/fail"
	"github.com/hoadon/hoadon/functions/finalize"
	"github.com/hoadon/hoadon/functions/login"
	"github.com/hoadon/hoadon/functions/schedtick"
	"github.com/hoadon/hoadon/functions/status"
)

// Functions maps each function's name to its handler.
var Functions = map[string]http.Handler{
	fapi.Name: fapi.Handler, login.Name: login.Handler, discover.Name: discover.Handler,
	status.Name: status.Handler, finalize.Name: finalize.Handler, fail.Name: fail.Handler,
	download.Name: download.Handler, deliver.Name: deliver.Handler, eventsink.Name: eventsink.Handler,
	schedtick.Name: schedtick.Handler,
}

// Mux routes every function. The event sink, a consumer deployed next to
// the pipeline, is mounted only when the environment configures it: an
// unconfigured sink would only answer errors to whoever probes it.
func Mux() http.Handler {
	mux := http.NewServeMux()
	for name, h := range Functions {
		if name != fapi.Name && (name != eventsink.Name || eventsink.Configured()) {
			mux.Handle("/"+name, h)
		}
	}
	mux.Handle("/api/", fapi.Handler)
	mux.Handle("/ui/", fapi.Handler)
	mux.Handle("/health", fapi.Handler)
	return mux
}
