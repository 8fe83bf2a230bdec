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
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "workflows-emulator:", err)
		os.Exit(1)
	}
}

func run() error {
	env := envFlags{}
	var opts workflows.Options
	flag.StringVar(&opts.Addr, "addr", "127.0.0.1:8089", "gRPC listen address of the Executions API")
	flag.StringVar(&opts.Dir, "dir", "workflows-yaml", "directory of workflow YAML files (workflow id = file name)")
	flag.StringVar(&opts.Project, "project", "local-project", "project id served")
	flag.StringVar(&opts.Location, "location", "us-central1", "location served")
	flag.StringVar(&opts.OIDCAddr, "oidc-addr", "127.0.0.1:0", "listen address of the OIDC issuer (discovery + JWKS)")
	flag.StringVar(&opts.ServiceAccountEmail, "service-account", "", "email claim of issued ID tokens")
	flag.Float64Var(&opts.TimeScale, "time-scale", 1, "multiplier for sys.sleep and retry backoffs")
	flag.Var(env, "env", "user environment variable NAME=VALUE (repeatable)")
	flag.Parse()
	opts.Env = env
	opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv, err := workflows.Start(opts)
	if err != nil {
		return err
	}
	opts.Logger.Info("workflows emulator listening", "grpc", srv.Addr(), "oidc_issuer", srv.OIDCIssuerURL(),
		"dir", opts.Dir, "parent", "projects/"+opts.Project+"/locations/"+opts.Location+"/workflows/<file name>")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return srv.Close()
}
