package cloudtasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"github.com/hoadon/hoadon/emulators/oidc"
	"google.golang.org/grpc"
)

// Options configure the emulator. The zero value is usable: gRPC and the OIDC issuer listen
// on free loopback ports, nothing is persisted.
type Options struct {
	// Addr is the gRPC listen address (default "127.0.0.1:0").
	Addr string
	// Issuer signs the OIDC tokens of oidc_token tasks. Pass one to share it with other
	// emulators (localstack shares one between Workflows and Tasks); nil creates one whose
	// discovery document and JWKS are served on OIDCAddr.
	Issuer *oidc.Issuer
	// OIDCAddr is where the emulator's own issuer is served (default "127.0.0.1:0"); unused
	// when Issuer is set (the owner of a shared issuer serves it).
	OIDCAddr string
	// HTTPClient dispatches tasks (default: a pooled client that follows redirects).
	HTTPClient *http.Client
	// TombstoneTTL is how long the name of a deleted, purged or finished task stays taken, so
	// CreateTask with that name fails with ALREADY_EXISTS. GCP documents "up to 24 hours"
	// (quotas page: about 1 hour). Default 24h; negative disables tombstones.
	TombstoneTTL time.Duration
	// StateFile, if set, persists queues, pending tasks and tombstones as JSON: loaded by
	// Start, written every SnapshotInterval while something changed, and on Close.
	StateFile string
	// SnapshotInterval is the persistence period (default 2s).
	SnapshotInterval time.Duration
	// MinDispatchDeadline is the smallest dispatch_deadline CreateTask accepts. GCP's floor is
	// 15s (the default); tests lower it to exercise deadlines quickly.
	MinDispatchDeadline time.Duration
	// Logger receives dispatch diagnostics (default: discarded). Tokens are never logged.
	Logger *slog.Logger
}

// Server is a running emulator. Close it to stop dispatching and release its ports.
type Server struct {
	cloudtaskspb.UnimplementedCloudTasksServer

	opts         Options
	log          *slog.Logger
	lis          net.Listener
	grpc         *grpc.Server
	issuer       *oidc.Issuer
	oidcSrv      *http.Server
	oidcURL      string
	client       *http.Client
	ownClient    bool
	tokens       *tokenCache
	tombstoneTTL time.Duration
	minDeadline  time.Duration

	ctx    context.Context // cancelled on Close: aborts in-flight dispatches
	cancel context.CancelFunc
	wg     sync.WaitGroup // schedulers, attempts, housekeeping
	done   chan struct{}

	mu     sync.Mutex
	queues map[string]*queue
	closed bool
	dirty  bool

	closeOnce sync.Once
	closeErr  error
}

// Start listens, restores StateFile if present, and begins serving and dispatching.
func Start(opts Options) (*Server, error) {
	s := newServer(opts)
	if err := s.load(); err != nil {
		s.cancel()
		return nil, fmt.Errorf("cloudtasks.Start: %w", err)
	}
	if err := s.startOIDC(); err != nil {
		s.cancel()
		return nil, fmt.Errorf("cloudtasks.Start: %w", err)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		s.stopOIDC()
		s.cancel()
		return nil, fmt.Errorf("cloudtasks.Start: listen %s: %w", addr, err)
	}
	s.lis = lis
	s.grpc = grpc.NewServer()
	cloudtaskspb.RegisterCloudTasksServer(s.grpc, s)
	go func() { _ = s.grpc.Serve(lis) }()
	s.mu.Lock()
	for _, q := range s.queues {
		s.startScheduler(q)
	}
	s.mu.Unlock()
	s.wg.Add(1)
	go s.housekeeping()
	return s, nil
}

func newServer(opts Options) *Server {
	s := &Server{
		opts: opts, log: opts.Logger, client: opts.HTTPClient, issuer: opts.Issuer,
		tombstoneTTL: opts.TombstoneTTL, minDeadline: opts.MinDispatchDeadline,
		queues: map[string]*queue{}, done: make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 256
		s.client, s.ownClient = &http.Client{Transport: tr}, true
	}
	if s.tombstoneTTL == 0 {
		s.tombstoneTTL = defaultTombstoneTTL
	}
	if s.minDeadline <= 0 {
		s.minDeadline = minDeadline
	}
	if s.opts.SnapshotInterval <= 0 {
		s.opts.SnapshotInterval = defaultSnapshotEvery
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// startOIDC creates and serves an issuer unless one was passed in.
func (s *Server) startOIDC() error {
	if s.issuer != nil {
		s.oidcURL = s.issuer.URL()
		s.tokens = &tokenCache{sign: s.issuer.Token, tokens: map[[2]string]cachedToken{}}
		return nil
	}
	addr := s.opts.OIDCAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("oidc listen %s: %w", addr, err)
	}
	s.oidcURL = "http://" + lis.Addr().String()
	iss, err := oidc.NewIssuer(s.oidcURL)
	if err != nil {
		_ = lis.Close()
		return fmt.Errorf("oidc issuer: %w", err)
	}
	s.issuer = iss
	s.tokens = &tokenCache{sign: iss.Token, tokens: map[[2]string]cachedToken{}}
	s.oidcSrv = &http.Server{Handler: iss.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.oidcSrv.Serve(lis) }()
	return nil
}

func (s *Server) stopOIDC() {
	if s.oidcSrv != nil {
		_ = s.oidcSrv.Close()
	}
}

// Addr is the gRPC address to pass to option.WithEndpoint.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Issuer is the OIDC issuer signing dispatched requests' ID tokens.
func (s *Server) Issuer() *oidc.Issuer { return s.issuer }

// OIDCURL is the issuer URL (the tokens' iss claim); its discovery document is at
// OIDCURL + "/.well-known/openid-configuration" when the emulator serves its own issuer.
func (s *Server) OIDCURL() string { return s.oidcURL }

// startScheduler launches q's dispatch loop. Caller holds s.mu.
func (s *Server) startScheduler(q *queue) {
	s.wg.Add(1)
	go s.runQueue(q)
}

// Close stops the API, stops dispatching, cancels in-flight requests (their attempts are not
// counted, the tasks stay pending), waits for every goroutine and writes StateFile.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.shutdown() })
	return s.closeErr
}

func (s *Server) shutdown() error {
	stopped := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		s.grpc.Stop()
		<-stopped
	}
	s.mu.Lock()
	s.closed = true
	for _, q := range s.queues {
		close(q.stop)
	}
	s.mu.Unlock()
	s.cancel()
	close(s.done)
	s.wg.Wait()
	s.stopOIDC()
	if s.ownClient {
		s.client.CloseIdleConnections()
	}
	if err := s.save(); err != nil {
		return fmt.Errorf("cloudtasks.Close: %w", err)
	}
	return nil
}

// housekeeping prunes expired tombstones and writes snapshots, on tickers (no busy loop).
func (s *Server) housekeeping() {
	defer s.wg.Done()
	prune := time.NewTicker(min(time.Minute, max(s.tombstoneTTL, time.Second)))
	defer prune.Stop()
	snap := time.NewTicker(s.opts.SnapshotInterval)
	defer snap.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-prune.C:
			s.mu.Lock()
			for _, q := range s.queues {
				q.pruneTombstones(now)
			}
			s.mu.Unlock()
		case <-snap.C:
			if err := s.saveIfDirty(); err != nil {
				s.log.Error("cloudtasks: snapshot failed", "err", err)
			}
		}
	}
}

// errClosed is returned by RPCs racing with Close.
var errClosed = errors.New("emulator is shutting down")
