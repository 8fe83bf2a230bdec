// Package eventsink is a consumer of hoadon's events, deployable next to the
// pipeline: it verifies each delivery's RFC 9421 signature and Content-Digest,
// refuses tampered or replayed requests, de-duplicates by event id and
// records what it accepted in Firestore (package shared/sink). It also
// serves as the reference for subscribers written elsewhere.
package eventsink

import (
	"context"
	"net/http"
	"os"
	"sync"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/sink"
	"github.com/hoadon/hoadon/shared/web"
)

// Name is the function's entry point and path.
const Name = "eventsink"

var (
	once    sync.Once
	handler http.Handler
	initErr error
)

func build(ctx context.Context) (http.Handler, error) {
	cfg, err := sink.ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	project := os.Getenv("HOADON_PROJECT")
	if project == "" {
		project = os.Getenv("GOOGLE_CLOUD_PROJECT")
	}
	fs, err := gcp.Firestore(ctx, project)
	if err != nil {
		return nil, err
	}
	return sink.New(ctx, fs, cfg)
}

// Configured reports whether the environment configures a sink (its
// verifying keys); the all-in-one server mounts /eventsink only then.
func Configured() bool { return os.Getenv(sink.EnvKeys) != "" }

// Handler serves the function; the sink is built on first use.
var Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	once.Do(func() { handler, initErr = build(context.WithoutCancel(r.Context())) })
	if initErr != nil {
		web.Misconfigured(r.Context(), w, sink.NewLogger(nil), initErr)
		return
	}
	handler.ServeHTTP(w, r)
})

func init() { functions.HTTP(Name, Handler) }
