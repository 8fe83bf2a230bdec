// Command localstack starts every local emulator hoadon needs (GDT portal simulator,
// Firestore, fake GCS, Cloud Tasks, Cloud Workflows with their shared OIDC issuer, fake
// Gemini) on free or given ports, prints the environment the server and CLI read as KEY=VALUE
// lines (and writes it with --env-file), and stops everything on Ctrl-C or SIGTERM.
//
//	go run ./cmd/localstack --env-file .localstack.env
//
// With --functions-url the environment is complete for cmd/server: the functions URL (and the
// port and LOCAL_ONLY of a loopback one), a local encryption key file (--key-file), and the
// internal principals (the Workflows emulator's and the Cloud Tasks' service accounts), so
//
//	go run ./cmd/localstack --functions-url http://127.0.0.1:8080 --env-file local.env &
//	set -a; . local.env; set +a; bin/server
//
// serves the functions against the stack.
//
// With --functions-url it also plays Cloud Scheduler: every --schedtick-every (default 1m,
// 0 = off) it POSTs {} to {functions-url}/schedtick with an ID token of the emulators' OIDC
// issuer for --schedtick-account (default: the Workflows emulator's account, which the server
// already trusts), so daily schedules (shared/schedule) run locally; failed ticks are reported
// on stderr and the next one is tried as usual.
//
// The orchestration lives in emulators/localstack; this command only parses flags, ticks and
// waits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hoadon/hoadon/emulators/localstack"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, default handling again: a second Ctrl-C ends the process at
		// once (the kernel's parent-death signal still takes the Firestore JVM down).
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "localstack:", err)
		os.Exit(1)
	}
}

// run starts the stack, reports it and blocks until ctx is cancelled (a signal), then stops
// everything.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	o.cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	if o.quiet {
		o.cfg.Logger = nil
	}
	if o.firestoreLog {
		o.cfg.FirestoreOutput = stderr
	}
	t0 := time.Now()
	st, err := localstack.Start(ctx, o.cfg)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	var server map[string]string
	if o.functionsURL != "" {
		key, temp, err := keyPath(o)
		if err != nil {
			return err
		}
		if temp {
			defer os.RemoveAll(filepath.Dir(key))
		}
		server = serverEnv(st, o.functionsURL, key)
	}
	lines := envLines(st, server)
	if o.envFile != "" {
		if err := localstack.WriteEnvLines(o.envFile, lines); err != nil {
			return err
		}
		defer os.Remove(o.envFile) // a stale file would point at dead ports
	}
	fmt.Fprintln(stdout, strings.Join(lines, "\n"))
	describe(stderr, st, time.Since(t0), o.envFile)
	if tick := newSchedTick(o.functionsURL, o.schedtickEvery, schedtickToken(st, o.schedtickAccount), stderr); tick != nil {
		done := make(chan struct{})
		go func() { defer close(done); tick.run(ctx) }()
		defer func() { <-done }()
		fmt.Fprintf(stderr, "localstack: calling %s every %s as %s (--schedtick-every, --schedtick-account)\n",
			tick.url, tick.every, schedtickAccount(st, o.schedtickAccount))
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "localstack: stopping")
	return nil
}

// describe tells the human what is running; no secret (password, token) is printed.
func describe(w io.Writer, st *localstack.Stack, took time.Duration, envFile string) {
	fmt.Fprintf(w, "localstack: ready in %s", took.Round(time.Millisecond))
	if envFile != "" {
		fmt.Fprintf(w, "; environment written to %s", envFile)
	}
	fmt.Fprintln(w, "; Ctrl-C stops everything")
	if sim := st.GDT(); sim != nil {
		if cs := sim.Companies(); len(cs) > 0 {
			fmt.Fprintf(w, "localstack: GDT simulator with %d companies; demo company MST %s (%s); ground truth %s\n",
				len(cs), cs[0].MST, cs[0].Name, sim.SimURL())
		}
	}
}
