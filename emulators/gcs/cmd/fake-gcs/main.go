// Command fake-gcs runs fake GCS (fake-gcs-server, in process) until interrupted and prints
// the STORAGE_EMULATOR_HOST line to use with it.
//
//	go run ./emulators/gcs/cmd/fake-gcs --addr 127.0.0.1:4443 --bucket hoadon-local
//
// Objects are files in a fresh directory on tmpfs (/dev/shm where the machine has it),
// removed on exit; --dir keeps them in a directory of your choice across restarts, and
// --memory uses fake-gcs-server's in-memory backend instead (its writes cost O(objects in the
// bucket); kept for comparison, see docs/benchmarks.md).
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

	"github.com/hoadon/hoadon/emulators/gcs"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "fake-gcs:", err)
		os.Exit(1)
	}
}

// bucketsFlag collects repeated --bucket flags.
type bucketsFlag []string

func (b *bucketsFlag) String() string { return fmt.Sprint([]string(*b)) }

func (b *bucketsFlag) Set(s string) error {
	*b = append(*b, s)
	return nil
}

// run serves until ctx is cancelled (a signal), then stops the server.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fake-gcs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "host:port to listen on (port 0 picks a free port)")
	var buckets bucketsFlag
	fs.Var(&buckets, "bucket", "bucket to create at start (repeatable)")
	dir := fs.String("dir", "", "keep objects as files in this directory across restarts (default: a fresh tmpfs directory removed on exit)")
	memory := fs.Bool("memory", false, "use fake-gcs-server's in-memory backend (O(objects) per write)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *dir != "" && *memory {
		return errors.New("--dir and --memory exclude each other")
	}
	s, err := gcs.Start(gcs.Options{Addr: *addr, Buckets: buckets, Dir: *dir, Memory: *memory})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "STORAGE_EMULATOR_HOST=%s\n", s.Host())
	<-ctx.Done()
	return s.Close()
}
