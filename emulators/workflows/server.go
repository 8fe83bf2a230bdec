package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/workflows/executions/apiv1/executionspb"
	"google.golang.org/grpc"

	"github.com/hoadon/hoadon/emulators/oidc"
)

// Documented limits on user environment variables of a workflow.
const (
	maxUserEnvVars    = 20
	maxUserEnvVarSize = 4 * 1024
)

// Options configures the emulator.
type Options struct {
	// Addr is the gRPC listen address of the Executions API (default 127.0.0.1:0, a free port).
	Addr string
	// Dir holds the workflow files; workflow W is Dir/W.yaml (or .yml), re-read on every
	// CreateExecution so edits need no restart.
	Dir string
	// Project and Location are the only ones served (defaults local-project, us-central1);
	// they are also GOOGLE_CLOUD_PROJECT_ID and GOOGLE_CLOUD_LOCATION inside workflows.
	Project, Location string
	// Env are the workflows' user environment variables (sys.get_env).
	Env map[string]string
	// TimeScale multiplies every sys.sleep and retry backoff (0.001 makes 10 s take 10 ms);
	// 0 means real time.
	TimeScale float64
	// Sleep, if set, replaces the real sleep (it receives the already scaled duration).
	Sleep func(ctx context.Context, d time.Duration) error
	// OIDCAddr is where the OIDC issuer (discovery document and JWKS) is served
	// (default 127.0.0.1:0).
	OIDCAddr string
	// ServiceAccountEmail is the email claim of ID tokens (default workflows@PROJECT.iam.gserviceaccount.com).
	ServiceAccountEmail string
	// HTTPClient makes the workflows' HTTP calls (default: a plain client).
	HTTPClient *http.Client
	// Logger receives sys.log output and execution events (default: stderr).
	Logger *slog.Logger
}

// Server is a running emulator: the gRPC Executions API and the OIDC issuer.
type Server struct {
	opts     Options
	eng      *engine
	grpc     *grpc.Server
	lis      net.Listener
	oidcSrv  *http.Server
	oidcURL  string
	mu       sync.Mutex
	execs    map[string]*execRecord
	order    []string // execution names, oldest first
	wg       sync.WaitGroup
	closeCtx context.Context
	closeFn  context.CancelFunc
}

func (o *Options) defaults() error {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.OIDCAddr == "" {
		o.OIDCAddr = "127.0.0.1:0"
	}
	if o.Project == "" {
		o.Project = "local-project"
	}
	if o.Location == "" {
		o.Location = "us-central1"
	}
	if o.ServiceAccountEmail == "" {
		o.ServiceAccountEmail = "workflows@" + o.Project + ".iam.gserviceaccount.com"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if o.Dir == "" {
		return errors.New("option Dir is required")
	}
	if st, err := os.Stat(o.Dir); err != nil || !st.IsDir() {
		return fmt.Errorf("option Dir %q is not a directory", o.Dir)
	}
	return checkUserEnv(o.Env)
}

func checkUserEnv(env map[string]string) error {
	if len(env) > maxUserEnvVars {
		return fmt.Errorf("%d user environment variables; the limit is %d", len(env), maxUserEnvVars)
	}
	for k, v := range env {
		if strings.HasPrefix(k, "GOOGLE") || strings.HasPrefix(k, "WORKFLOWS") {
			return fmt.Errorf("user environment variable %q: names must not start with GOOGLE or WORKFLOWS", k)
		}
		if len(v) > maxUserEnvVarSize {
			return fmt.Errorf("user environment variable %q is %d bytes; the limit is %d", k, len(v), maxUserEnvVarSize)
		}
	}
	return nil
}

// Start validates opts, starts the OIDC issuer and the gRPC server, and returns at once.
func Start(opts Options) (*Server, error) {
	if err := opts.defaults(); err != nil {
		return nil, fmt.Errorf("workflows.Start: %w", err)
	}
	s := &Server{opts: opts, execs: map[string]*execRecord{}}
	s.closeCtx, s.closeFn = context.WithCancel(context.Background())
	if err := s.startOIDC(); err != nil {
		return nil, fmt.Errorf("workflows.Start: %w", err)
	}
	issuer, err := oidc.NewIssuer(s.oidcURL)
	if err != nil {
		s.oidcSrv.Close()
		return nil, fmt.Errorf("workflows.Start: %w", err)
	}
	s.oidcSrv.Handler = issuer.Handler()
	s.eng = &engine{
		project: opts.Project, location: opts.Location, env: opts.Env,
		clock: newClock(opts.TimeScale, opts.Sleep), http: opts.HTTPClient,
		issuer: issuer, saEmail: opts.ServiceAccountEmail, logger: opts.Logger,
	}
	lis, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		s.oidcSrv.Close()
		return nil, fmt.Errorf("workflows.Start: listen %s: %w", opts.Addr, err)
	}
	s.lis = lis
	s.grpc = grpc.NewServer()
	executionspb.RegisterExecutionsServer(s.grpc, &executionsService{s: s})
	go func() { _ = s.grpc.Serve(lis) }()
	return s, nil
}

func (s *Server) startOIDC() error {
	lis, err := net.Listen("tcp", s.opts.OIDCAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", s.opts.OIDCAddr, err)
	}
	s.oidcURL = "http://" + lis.Addr().String()
	s.oidcSrv = &http.Server{ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.oidcSrv.Serve(lis) }()
	return nil
}

// Addr is the gRPC address to give the executions client (option.WithEndpoint).
func (s *Server) Addr() string { return s.lis.Addr().String() }

// OIDCIssuerURL is the issuer of the ID tokens attached by auth: {type: OIDC}; receivers
// verify tokens against OIDCIssuerURL()+"/jwks".
func (s *Server) OIDCIssuerURL() string { return s.oidcURL }

// Issuer gives in-process access to the token issuer (tests verify tokens with it).
func (s *Server) Issuer() *oidc.Issuer { return s.eng.issuer }

// ServiceAccountEmail is the email claim of the ID tokens the emulator issues.
func (s *Server) ServiceAccountEmail() string { return s.opts.ServiceAccountEmail }

// Close cancels running executions, waits for them and stops both servers.
func (s *Server) Close() error {
	s.closeFn()
	s.mu.Lock()
	for _, rec := range s.execs {
		rec.cancel()
	}
	s.mu.Unlock()
	s.grpc.Stop()
	s.wg.Wait()
	return s.oidcSrv.Close()
}
