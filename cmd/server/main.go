// Command server serves every function of hoadon in one process: the hybrid
// VM container and local development. With FUNCTION_TARGET set it serves
// that one function on every path, as Cloud Run does, through
// functions-framework-go; without it, each function is at /<name> and the
// task API at /api/ and /health.
//
// It reads PORT (default 8080) and LOCAL_ONLY (bind 127.0.0.1 and answer GET
// /debug/ops with the billable operations counted so far, shared/opcount), and shuts
// down gracefully on SIGTERM: requests in flight finish (Cloud Tasks and
// Workflows retry anything cut off).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	"github.com/hoadon/hoadon/functions/all"
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
	if os.Getenv("FUNCTION_TARGET") != "" {
		return funcframework.StartHostPort(host, port)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	lis, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return err
	}
	return serve(ctx, lis, opcount.Wrap(all.Mux(), local))
}

// serve runs srv until ctx ends, then drains requests for up to 30 s.
func serve(ctx context.Context, lis net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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
