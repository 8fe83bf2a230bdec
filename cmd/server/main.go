// Command server serves every function of hoadon in one process: the hybrid
// VM container and local development. With FUNCTION_TARGET set it serves
// that one function on every path, as functions-framework-go does on Cloud
// Run; without it, each function is at /<name> and the task API at /api/ and
// /health.
//
// It reads PORT (default 8080) and LOCAL_ONLY (bind 127.0.0.1 and answer GET
// /debug/ops with the billable operations counted so far, shared/opcount, and
// GET /metrics with the operational metrics in Prometheus text,
// shared/metrics), and in both modes shuts down gracefully on SIGTERM through
// the same http.Server: requests in flight finish (Cloud Tasks and Workflows
// retry anything cut off), then the metrics not yet exported are sent.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hoadon/hoadon/functions/all"
	"github.com/hoadon/hoadon/shared/metrics"
	"github.com/hoadon/hoadon/shared/opcount"
)

func main() {
	if err := run(); err != nil {
		log.Fatalf("server: %v", err)
	}
}

func run() error {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	host, local := "", os.Getenv("LOCAL_ONLY") == "true"
	if local {
		host = "127.0.0.1"
	}
	h, err := handler(os.Getenv("FUNCTION_TARGET"))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	lis, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return err
	}
	err = serve(ctx, lis, routes(h, local))
	flush, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(err, metrics.Shutdown(flush))
}

// routes is h with the server's own endpoints: the billable operations are
// counted, and a server bound to loopback answers GET /debug/ops and GET
// /metrics (in the cloud, metrics go to Cloud Monitoring instead: see
// shared/metrics).
func routes(h http.Handler, local bool) http.Handler {
	if local {
		m := http.NewServeMux()
		m.Handle("GET /metrics", metrics.Handler())
		m.Handle("/", h)
		h = m
	}
	return opcount.Wrap(h, local)
}

// handler is the function named target on every path (Cloud Run's
// FUNCTION_TARGET), or every function at /<name> when target is empty.
func handler(target string) (http.Handler, error) {
	if target == "" {
		return all.Mux(), nil
	}
	h, ok := all.Functions[target]
	if !ok {
		return nil, fmt.Errorf("FUNCTION_TARGET %q is not a function (want one of %s)", target, strings.Join(slices.Sorted(maps.Keys(all.Functions)), ", "))
	}
	return h, nil
}

// writeTimeout bounds a request from the end of its headers to the end of
// the answer: the longest call is the workflow's discover (1800 s, as in
// terraform/main.tf); request bodies are at most 64 KiB, read in a minute.
const writeTimeout = 31 * time.Minute

// newServer bounds every phase of a connection, so a client that trickles
// headers or a body, or idles, cannot hold it open for ever.
func newServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: writeTimeout, IdleTimeout: 2 * time.Minute}
}

// serve runs srv until ctx ends, then drains requests for up to 30 s.
func serve(ctx context.Context, lis net.Listener, h http.Handler) error {
	srv := newServer(h)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	fmt.Fprintf(os.Stderr, "server: listening on %s\n", lis.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
