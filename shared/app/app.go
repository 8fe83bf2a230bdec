// Package app wires the pipeline together from configuration: it builds the
// cloud clients once per process and hands the functions a ready
// importer.Service. Handlers stay thin because everything they need is built
// here, the same way on Cloud Run, on the VM and on a laptop.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"slices"
	"sync"

	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/config"
	"github.com/hoadon/hoadon/shared/egress"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/metrics"
	"github.com/hoadon/hoadon/shared/queue"
	"github.com/hoadon/hoadon/shared/secret"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/throttle"
	"github.com/hoadon/hoadon/shared/workflow"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// LogOutput is where Apps log: stdout, which Cloud Run and the VM's logging
// agent collect. End-to-end tests redirect it to read the lines.
var LogOutput io.Writer = os.Stdout

// App is one process's wiring.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	Service *importer.Service
	Auth    *auth.Policy
	closers []io.Closer
}

// New builds an App from a configuration. Missing settings that every
// pipeline function needs (project, bucket, encryption key, function URLs)
// are reported together.
func New(ctx context.Context, cfg config.Config) (*App, error) {
	if err := required(cfg); err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: logx.New(LogOutput, logx.ParseLevel(cfg.LogLevel))}
	deps, err := a.deps(ctx)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Service = importer.New(deps)
	if a.Auth, err = a.policy(deps.Store); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.AuthOff {
		a.Log.Warn("HOADON_AUTH=off: the task API and the internal functions accept every request")
	}
	return a, nil
}

func required(cfg config.Config) error {
	var missing []error
	for name, v := range map[string]string{
		"HOADON_PROJECT": cfg.Project, "HOADON_BUCKET": cfg.Bucket,
		"HOADON_DOWNLOAD_URL (or HOADON_FUNCTIONS_URL)": cfg.DownloadURL,
		"HOADON_DELIVER_URL (or HOADON_FUNCTIONS_URL)":  cfg.DeliverURL,
	} {
		if v == "" {
			missing = append(missing, fmt.Errorf("%s is not set", name))
		}
	}
	if !cfg.AuthOff && len(cfg.InternalPrincipals) == 0 {
		missing = append(missing, errors.New("HOADON_INTERNAL_PRINCIPALS is not set: internal functions would refuse every caller (or set HOADON_AUTH=off)"))
	}
	if len(cfg.EncryptionKey) == 0 {
		missing = append(missing, errors.New("HOADON_ENCRYPTION_KEY (or HOADON_ENCRYPTION_KEY_FILE) is not set"))
	}
	if len(missing) > 0 {
		return fmt.Errorf("app: configuration incomplete: %w", errors.Join(missing...))
	}
	return nil
}

func (a *App) deps(ctx context.Context) (importer.Deps, error) {
	cfg := a.Config
	fs, err := gcp.Firestore(ctx, cfg.Project)
	if err != nil {
		return importer.Deps{}, err
	}
	a.closers = append(a.closers, fs)
	gcs, err := gcp.Storage(ctx)
	if err != nil {
		return importer.Deps{}, err
	}
	a.closers = append(a.closers, gcs)
	tasks, err := gcp.Tasks(ctx, cfg.TasksEndpoint)
	if err != nil {
		return importer.Deps{}, err
	}
	a.closers = append(a.closers, tasks)
	execs, err := gcp.Executions(ctx, cfg.WorkflowsEndpoint)
	if err != nil {
		return importer.Deps{}, err
	}
	a.closers = append(a.closers, execs)
	box, err := secret.NewBox(cfg.EncryptionKey)
	if err != nil {
		return importer.Deps{}, err
	}
	portal, err := portalClient(cfg)
	if err != nil {
		return importer.Deps{}, err
	}
	solver, err := solver(ctx, cfg)
	if err != nil {
		return importer.Deps{}, err
	}
	signer, err := signer(cfg)
	if err != nil {
		return importer.Deps{}, err
	}
	sigs, err := xmlsig.NewVerifier(cfg.TrustedCAFile)
	if err != nil {
		return importer.Deps{}, fmt.Errorf("HOADON_TRUSTED_CA_FILE: %w", err)
	}
	st := store.New(fs)
	qs := queue.New(tasks, cfg.Queue)
	return importer.Deps{
		Store: st, Blobs: blob.New(gcs, cfg.Bucket), Queues: qs, Throttle: throttle.New(qs, st, cfg.Throttle),
		Box: box, Portal: portal, Solver: solver, Signatures: sigs,
		Workflows: workflow.New(execs, cfg.Project, cfg.Location, cfg.Workflow),
		Endpoints: importer.Endpoints{Download: cfg.DownloadURL, Deliver: cfg.DeliverURL,
			BurstDownload: cfg.BurstDownloadURL, BurstThreshold: cfg.BurstThreshold},
		Subscribers: cfg.Webhooks, Signer: signer, Instance: cfg.Instance, Log: a.Log,
		HTTP: egress.Guard{Local: cfg.Local}.Client(), URLs: egress.Guard{Local: cfg.Local},
		DiscoveryConcurrency: cfg.DiscoveryConcurrency,
	}, nil
}

func (a *App) policy(st *store.Store) (*auth.Policy, error) {
	cfg := a.Config
	principals, err := auth.ParsePrincipals(cfg.APIPrincipals)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	p := &auth.Policy{Off: cfg.AuthOff, Keys: auth.NewKeys(st.Client()), Log: a.Log, Principals: principals,
		Internal: auth.NewTokenVerifier(cfg.OIDCIssuer, cfg.InternalAudiences, cfg.InternalPrincipals)}
	if len(principals) > 0 {
		emails := slices.Collect(maps.Keys(principals))
		p.API = auth.NewTokenVerifier(cfg.OIDCIssuer, []string{cfg.APIAudience}, emails)
	}
	return p, nil
}

func portalClient(cfg config.Config) (*gdt.Client, error) {
	gc := gdt.Config{BaseURL: cfg.GDTBaseURL, RequireTTXLY: cfg.GDTRequireTTXLY}
	if cfg.GDTProxy != "" {
		u, err := url.Parse(cfg.GDTProxy)
		if err != nil {
			return nil, fmt.Errorf("app: HOADON_GDT_PROXY: %w", err)
		}
		gc.Proxy = u
	}
	return gdt.New(gc)
}

// solver is the captcha table, with Gemini behind it when configured.
func solver(ctx context.Context, cfg config.Config) (gdt.CaptchaSolver, error) {
	table := captcha.NewTable()
	if cfg.GeminiProject == "" && cfg.GeminiURL == "" {
		return table, nil
	}
	project := cfg.GeminiProject
	if project == "" {
		project = cfg.Project // a fake endpoint (HOADON_GEMINI_URL) needs some project in its path
	}
	g, err := captcha.NewGemini(ctx, captcha.GeminiConfig{
		Project: project, Location: cfg.GeminiLocation, Model: cfg.GeminiModel, BaseURL: cfg.GeminiURL,
	})
	if err != nil {
		return nil, fmt.Errorf("app: captcha fallback: %w", err)
	}
	return captcha.Chain{table, g}, nil
}

func signer(cfg config.Config) (*httpsig.Signer, error) {
	if cfg.SigningKey == "" {
		return nil, nil
	}
	key, err := httpsig.ParseKey(httpsig.Algorithm(cfg.SigningAlg), cfg.SigningKey)
	if err != nil {
		return nil, fmt.Errorf("app: HOADON_SIGNING_KEY: %w", err)
	}
	return &httpsig.Signer{KeyID: cfg.SigningKeyID, Key: key}, nil
}

// setupMetrics installs the process's metrics (shared/metrics): a failure to reach Cloud
// Monitoring loses metrics, never an import, so it is logged and the App goes on.
func (a *App) setupMetrics(ctx context.Context) {
	cfg := a.Config
	if err := metrics.Setup(ctx, metrics.Config{Cloud: cfg.MetricsCloud, Project: cfg.Project,
		Interval: cfg.MetricsInterval, Instance: cfg.Instance}); err != nil {
		a.Log.Warn("metrics are not exported", "err", err)
	}
}

// Close releases the clients.
func (a *App) Close() error {
	var errs []error
	for _, c := range a.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

var (
	defaultOnce sync.Once
	defaultApp  *App
	defaultErr  error
)

// Default returns the process-wide App built from the environment on first
// use; functions call it on each request so a bad configuration answers 500
// with a clear log line instead of crashing the instance at start-up.
func Default(ctx context.Context) (*App, error) {
	defaultOnce.Do(func() {
		cfg, err := config.FromEnv()
		if err != nil {
			defaultErr = err
			return
		}
		defaultApp, defaultErr = New(context.WithoutCancel(ctx), cfg)
		if defaultErr == nil {
			defaultApp.setupMetrics(context.WithoutCancel(ctx))
		}
	})
	return defaultApp, defaultErr
}
