// Package deliver is the deliver function, called by the webhooks queue once
// per event and subscriber: the signed CloudEvent is posted, and a failure
// answers non-2xx so Cloud Tasks retries with backoff.
package deliver

import (
	"context"
	"errors"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/hoadon/hoadon/shared/app"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/web"
)

// Name is the function's entry point and path.
const Name = "deliver"

// Handler serves the function.
var Handler = app.Handler(func(a *app.App) http.Handler {
	return web.Call(a.Log, func(ctx context.Context, r Request) (struct{}, error) {
		return struct{}{}, a.Service.Deliver(ctx, importer.DeliverRequest(r))
	})
})

// Request is one delivery.
type Request importer.DeliverRequest

// Validate checks the ids before anything reads them.
func (r Request) Validate() error {
	return errors.Join(hoadon.ValidateID("event_id", r.EventID), hoadon.ValidateID("subscriber", r.Subscriber))
}

// LogAttrs puts the event on every log line of the call.
func (r Request) LogAttrs() []any { return []any{"event", r.EventID, "subscriber", r.Subscriber} }

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
