// Command cloudtasks-emulator runs the local Cloud Tasks emulator until SIGINT/SIGTERM.
//
//	go run ./emulators/cloudtasks/cmd/cloudtasks-emulator --addr 127.0.0.1:8123
//
// Point the official client at it with option.WithEndpoint(addr), option.WithoutAuthentication()
// and insecure gRPC transport credentials.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hoadon/hoadon/emulators/cloudtasks"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cloudtasks-emulator:", err)
		os.Exit(1)
	}
}

// run parses flags, starts the emulator, prints its addresses and serves until ctx ends.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("cloudtasks-emulator", flag.ContinueOnError)
	fs.SetOutput(out)
	var opts cloudtasks.Options
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:8123", "gRPC listen address")
	fs.StringVar(&opts.OIDCAddr, "oidc-addr", "127.0.0.1:0", "listen address of the OIDC issuer (discovery + JWKS)")
	fs.StringVar(&opts.StateFile, "state-file", "", "JSON file to persist queues and tasks across restarts")
	fs.DurationVar(&opts.SnapshotInterval, "snapshot-interval", 2*time.Second, "how often to write --state-file")
	fs.DurationVar(&opts.TombstoneTTL, "tombstone-ttl", 24*time.Hour, "how long deleted/executed task names stay taken (negative: off)")
	fs.DurationVar(&opts.MinDispatchDeadline, "min-dispatch-deadline", 15*time.Second, "smallest dispatch_deadline accepted")
	verbose := fs.Bool("v", false, "log dispatch diagnostics to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := cloudtasks.Start(opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "cloudtasks emulator: grpc %s, oidc issuer %s\n", srv.Addr(), srv.OIDCURL())
	<-ctx.Done()
	return srv.Close()
}
