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
	"sync"

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
	// Auth turns authentication on as in production: internal functions take
	// only the emulators' OIDC tokens, the task API an API key (created for
	// the harness and exported as HOADON_API_KEY, which the CLI sends).
	// Off, the harness sets HOADON_AUTH=off.
	Auth bool
	// TasksStateFile, when set, makes the harness run its own Cloud Tasks
	// emulator persisting to this file, so RestartTasks can stop it and
	// start it again on the same address with its queues and tasks.
	TasksStateFile string
	// Wrap, when set, wraps the functions' handler as the server command
	// does (its own endpoints: GET /metrics, GET /debug/ops), so the tests of
	// that command meet the handler it serves.
	Wrap func(http.Handler) http.Handler
	// Subprocess runs the server as a separate process, built from
	// ./cmd/server at Start, instead of serving the functions in this
	// process: StopServer then kills it with SIGKILL. The webhook
	// subscriber (eventsink) still runs in this process.
	Subprocess bool
	// TrustSimulatorCA gives the server the simulator's CA as its trust
	// store (HOADON_TRUSTED_CA_FILE), so its signatures verify as valid.
	TrustSimulatorCA bool
}

// Harness is a running system.
type Harness struct {
	Stack *localstack.Stack
	URL   string // the server, serving every function
	Env   map[string]string
	// SubscriberURL is the webhook every event goes to: the eventsink
	// function behind a gate that SetSubscriberDown closes.
	SubscriberURL string

	handler http.Handler
	srvMu   sync.Mutex
	srv     *http.Server
	addr    string
	logs    *logTap
	sub     *gate
	tasks   *ownTasks // nil: the stack's emulator
	child   *child    // the server process with Options.Subprocess
	caDir   string    // the trust store's directory with Options.TrustSimulatorCA
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
	h := &Harness{Stack: stack, URL: url, addr: lis.Addr().String(), logs: tapLogs()}
	if err := h.configure(opts); err != nil {
		lis.Close()
		return nil, errors.Join(err, h.Close())
	}
	h.handler = all.Mux() // after configure: the routes depend on the environment
	if opts.Wrap != nil {
		h.handler = opts.Wrap(h.handler)
	}
	if !opts.Subprocess {
		h.serve(lis)
		return h, nil
	}
	lis.Close()
	if err := h.startChild(ctx, root); err != nil {
		return nil, errors.Join(err, h.Close())
	}
	return h, nil
}

// configure starts the harness's own parts (subscriber gate, Cloud Tasks
// emulator) and sets the server's environment.
func (h *Harness) configure(opts Options) error {
	env := h.Stack.Env()
	if opts.TasksStateFile != "" {
		t, err := startTasks(opts.TasksStateFile, h.Stack.Workflows().Issuer())
		if err != nil {
			return err
		}
		h.tasks = t
		env[localstack.EnvTasksEndpoint] = t.addr
	}
	sub, err := startGate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.handler.ServeHTTP(w, r) }))
	if err != nil {
		return err
	}
	h.sub, h.SubscriberURL = sub, sub.url+"/eventsink"
	env["HOADON_FUNCTIONS_URL"] = h.URL
	env["HOADON_ENCRYPTION_KEY"] = randomKey()
	env["HOADON_LOCAL"] = "true"
	env["HOADON_INSTANCE"] = "e2e"
	for k, v := range signingEnv(h.SubscriberURL) {
		env[k] = v
	}
	if opts.TrustSimulatorCA {
		if h.caDir, err = os.MkdirTemp("", "hoadon-e2e-ca-"); err != nil {
			return err
		}
		if env["HOADON_TRUSTED_CA_FILE"], err = writeTrustStore(h.caDir); err != nil {
			return err
		}
	}
	env["HOADON_AUTH"] = "off"
	if opts.Auth {
		maps.Copy(env, h.authEnv())
	}
	maps.Copy(env, opts.Env)
	for k, v := range env {
		os.Setenv(k, v)
	}
	h.Env = env
	if opts.Auth {
		return h.createAPIKey()
	}
	return nil
}

func (h *Harness) serve(lis net.Listener) {
	srv := &http.Server{Handler: h.handler}
	h.srvMu.Lock()
	h.srv = srv
	h.srvMu.Unlock()
	go srv.Serve(lis)
}

// Close stops the server and the emulators.
func (h *Harness) Close() error {
	var errs []error
	h.srvMu.Lock()
	if h.srv != nil {
		errs = append(errs, h.srv.Close())
	}
	h.srvMu.Unlock()
	if h.sub != nil {
		errs = append(errs, h.sub.close())
	}
	if h.child != nil {
		errs = append(errs, h.child.close())
	}
	if h.tasks != nil {
		errs = append(errs, h.tasks.close())
	}
	if h.caDir != "" {
		errs = append(errs, os.RemoveAll(h.caDir))
	}
	return errors.Join(append(errs, h.Stack.Close(), h.logs.Close())...)
}

// signingEnv makes every event go, signed with a fresh Ed25519 key, to the
// subscriber URL (the eventsink function of the same server behind the
// gate), which verifies it with the public half.
func signingEnv(subscriber string) map[string]string {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	return map[string]string{
		"HOADON_WEBHOOK_URLS":   subscriber,
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
