// Command bench measures how close the import pipeline gets to the portal's
// per-account limit and what it costs: for each scenario it starts every
// emulator and the functions server as separate processes (so each one's CPU
// and memory come from the kernel's own accounting), runs real imports over
// the task API, then runs a plain Go loop doing the same portal and GCS work
// without Workflows, Tasks or Firestore, and reports both side by side.
//
//	go run ./cmd/bench                       # the CI scenarios (make bench)
//	go run ./cmd/bench -scenarios large      # 100 companies × 1,000 invoices
//
// Subcommands (used by bench itself, each in its own process):
//
//	bench baseline ...   the plain loop (see baseline.go)
//	bench serve          the functions server with pprof (see serve.go)
//	bench gcs-writes     the GCS stand-in's cost per write as its bucket grows (gcswrites.go)
//
// Logs of every process go to files under -out; stdout carries the table and
// the final "ratio=… overhead=…" line of the 20-company scenario.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// dispatch picks the subcommand; no subcommand runs the benchmark.
func dispatch(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "baseline":
			return runBaseline(ctx, args[1:], os.Stdout)
		case "serve":
			return runServe(ctx)
		case "gcs-writes":
			return runGCSWrites(ctx, args[1:], os.Stdout)
		case "run":
			args = args[1:]
		}
	}
	return runBench(ctx, args)
}
