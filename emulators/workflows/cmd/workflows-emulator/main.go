// Command workflows-emulator serves the local Cloud Workflows emulator: the Executions API over
// gRPC for the workflow YAML files in a directory, plus the OIDC issuer whose keys verify the
// ID tokens it attaches to HTTP calls.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hoadon/hoadon/emulators/workflows"
)

// envFlags collects repeated --env NAME=VALUE flags.
type envFlags map[string]string

func (e envFlags) String() string { return fmt.Sprint(map[string]string(e)) }

func (e envFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	e[k] = v
	return nil
}

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if err := run(os.Args[1:], sig, nil); err != nil {
		fmt.Fprintln(os.Stderr, "workflows-emulator:", err)
		os.Exit(1)
	}
}

// run parses args, serves until stop receives a value and reports the server to ready (tests).
func run(args []string, stop <-chan os.Signal, ready func(*workflows.Server)) error {
	env := envFlags{}
	var opts workflows.Options
	fs := flag.NewFlagSet("workflows-emulator", flag.ContinueOnError)
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:8089", "gRPC listen address of the Executions API")
	fs.StringVar(&opts.Dir, "dir", "workflows-yaml", "directory of workflow YAML files (workflow id = file name)")
	fs.StringVar(&opts.Project, "project", "local-project", "project id served")
	fs.StringVar(&opts.Location, "location", "us-central1", "location served")
	fs.StringVar(&opts.OIDCAddr, "oidc-addr", "127.0.0.1:0", "listen address of the OIDC issuer (discovery + JWKS)")
	fs.StringVar(&opts.ServiceAccountEmail, "service-account", "", "email claim of issued ID tokens")
	fs.Float64Var(&opts.TimeScale, "time-scale", 1, "multiplier for sys.sleep and retry backoffs")
	fs.Var(env, "env", "user environment variable NAME=VALUE (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts.Env = env
	opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv, err := workflows.Start(opts)
	if err != nil {
		return err
	}
	opts.Logger.Info("workflows emulator listening", "grpc", srv.Addr(), "oidc_issuer", srv.OIDCIssuerURL(),
		"dir", opts.Dir, "parent", "projects/"+opts.Project+"/locations/"+opts.Location+"/workflows/<file name>")
	if ready != nil {
		ready(srv)
	}
	<-stop
	return srv.Close()
}
