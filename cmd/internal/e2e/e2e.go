// Package e2e runs the whole system in one test process: every emulator of
// cmd/localstack and every function on one HTTP server, configured through
// the same environment variables as in production. The functions build their
// process-wide App from the environment on first use, so a process holds one
// harness at a time.
package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/emulators/localstack"
	"github.com/hoadon/hoadon/functions/all"
)

// Options configure a harness.
type Options struct {
	// Sim configures the portal simulator (nil: defaults).
	Sim *gdtsim.Options
	// TimeScale speeds up workflow sleeps and retry backoffs (0: real time).
	TimeScale float64
	// Env adds or overrides server settings (HOADON_*).
	Env map[string]string
	// WorkflowEnv adds workflow environment variables.
	WorkflowEnv map[string]string
}

// Harness is a running system.
type Harness struct {
	Stack *localstack.Stack
	URL   string // the server, serving every function
	Env   map[string]string
	srv   *http.Server
	logs  *logTap
}

// Logs returns everything the server logged so far (its stdout).
func (h *Harness) Logs() string { return h.logs.String() }

// Start starts the emulators and the server.
func Start(ctx context.Context, opts Options) (*Harness, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	url := "http://" + lis.Addr().String()
	wenv := map[string]string{"HOADON_FUNCTIONS_URL": url, "HOADON_POLL_MAX_SECONDS": "2"}
	maps.Copy(wenv, opts.WorkflowEnv)
	stack, err := localstack.Start(ctx, localstack.Config{
		GDT: opts.Sim, WorkflowsDir: filepath.Join(root, "workflows-yaml"), WorkflowEnv: wenv, WorkflowTimeScale: opts.TimeScale,
	})
	if err != nil {
		lis.Close()
		return nil, err
	}
	env := stack.Env()
	env["HOADON_FUNCTIONS_URL"] = url
	env["HOADON_ENCRYPTION_KEY"] = randomKey()
	env["HOADON_LOCAL"] = "true"
	env["HOADON_INSTANCE"] = "e2e"
	for k, v := range signingEnv(url) {
		env[k] = v
	}
	maps.Copy(env, opts.Env)
	for k, v := range env {
		os.Setenv(k, v)
	}
	h := &Harness{Stack: stack, URL: url, Env: env, srv: &http.Server{Handler: all.Mux()}, logs: tapLogs()}
	go h.srv.Serve(lis)
	return h, nil
}

// Close stops the server and the emulators.
func (h *Harness) Close() error {
	return errors.Join(h.srv.Close(), h.Stack.Close(), h.logs.Close())
}

// signingEnv makes every event go, signed with a fresh Ed25519 key, to the
// eventsink function of the same server, which verifies it with the public
// half.
func signingEnv(url string) map[string]string {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	return map[string]string{
		"HOADON_WEBHOOK_URLS":   url + "/eventsink",
		"HOADON_SIGNING_KEY_ID": "e2e",
		"HOADON_SIGNING_ALG":    "ed25519",
		"HOADON_SIGNING_KEY":    base64.StdEncoding.EncodeToString(priv),
		"HOADON_SINK_KEYS":      "e2e=ed25519:" + base64.StdEncoding.EncodeToString(pub),
	}
}

func randomKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// RepoRoot finds the module root from the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("e2e: no go.mod above the working directory")
		}
		dir = parent
	}
}
