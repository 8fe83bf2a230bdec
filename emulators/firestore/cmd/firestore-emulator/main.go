// Command firestore-emulator runs the official Firestore emulator jar until interrupted, and
// prints the FIRESTORE_EMULATOR_HOST line to use with it.
//
//	go run ./emulators/firestore/cmd/firestore-emulator --addr 127.0.0.1:8086
//
// The emulator's own log goes to stderr (use --quiet to drop it). Ctrl-C or SIGTERM stops the
// JVM and its process group before the command exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "firestore-emulator:", err)
		os.Exit(1)
	}
}

// run serves until ctx is cancelled (a signal), then stops the JVM.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("firestore-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "host:port to listen on (port 0 picks a free port)")
	java := fs.String("java", "", "java executable (default $"+fsemu.EnvJava+", then java on PATH)")
	jar := fs.String("jar", "", "emulator jar (default $"+fsemu.EnvJar+", then "+fsemu.DefaultJar+")")
	quiet := fs.Bool("quiet", false, "do not copy the emulator's log to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	opts := fsemu.Options{Addr: *addr, Java: *java, Jar: *jar, Stdout: stderr}
	if *quiet {
		opts.Stdout = nil
	}
	e, err := fsemu.Start(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "FIRESTORE_EMULATOR_HOST=%s\n", e.Host())
	<-ctx.Done()
	return e.Close()
}
