package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	runpprof "runtime/pprof"
	"time"

	"github.com/hoadon/hoadon/functions/all"
	"github.com/hoadon/hoadon/shared/opcount"
)

// Environment of 'bench serve'.
const (
	// envCPUProfile names the file the server's CPU profile is written to,
	// covering its whole life (bench sets it with -pprof).
	envCPUProfile = "BENCH_CPUPROFILE"
	// envPprofAddr, when set, serves net/http/pprof there (loopback only).
	envPprofAddr = "BENCH_PPROF_ADDR"
)

// runServe is cmd/server's local mode (every function at /<name>, the task
// API at /api/) plus profiling, which cmd/server does not offer: bench's own
// process, so the server's code stays untouched. It reads PORT like
// cmd/server and prints the same "listening" line.
func runServe(ctx context.Context) error {
	if path := os.Getenv(envCPUProfile); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		if err := runpprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer func() {
			runpprof.StopCPUProfile()
			f.Close()
		}()
	}
	if addr := os.Getenv(envPprofAddr); addr != "" {
		stop, err := servePprof(addr)
		if err != nil {
			return err
		}
		defer stop()
	}
	lis, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", os.Getenv("PORT")))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{Handler: opcount.Wrap(all.Mux(), true), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	fmt.Fprintf(os.Stderr, "server: listening on %s\n", lis.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// servePprof serves the pprof handlers on addr and returns a stop function.
func servePprof(addr string) (func(), error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pprof listener: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(lis)
	return func() { srv.Close() }, nil
}
