package localstack

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hoadon/hoadon/emulators/cloudtasks"
	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/emulators/gcs"
	"github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/emulators/gemini"
	"github.com/hoadon/hoadon/emulators/workflows"
)

// Stack is a running set of emulators. Close stops all of them.
type Stack struct {
	cfg Config

	firestore *fsemu.Emulator
	gcs       *gcs.Server
	gdt       *gdt.Server // nil when an external portal is used
	workflows *workflows.Server
	tasks     *cloudtasks.Server
	gemini    *gemini.Server

	closeOnce sync.Once
	closeErr  error
}

// Start starts every emulator and returns when all of them accept requests. ctx bounds the
// start-up (the Firestore JVM is the slow part). On error everything already started is
// stopped again.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	cfg.fillDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("localstack.Start: %w", err)
	}
	s := &Stack{cfg: cfg}

	// The JVM takes about a second to come up: start it first, in parallel with the rest.
	type fsResult struct {
		e   *fsemu.Emulator
		err error
	}
	fsDone := make(chan fsResult, 1)
	fsCtx, cancelFS := context.WithCancel(ctx)
	defer cancelFS()
	imported, err := s.lastExport()
	if err != nil {
		return nil, fmt.Errorf("localstack.Start: %w", err)
	}
	go func() {
		e, err := fsemu.Start(fsCtx, fsemu.Options{Addr: cfg.FirestoreAddr, Java: cfg.Java,
			Jar: cfg.FirestoreJar, Stdout: cfg.FirestoreOutput, ImportData: imported})
		fsDone <- fsResult{e, err}
	}()

	err = s.startInProcess()
	if err != nil {
		cancelFS() // no point waiting for the JVM
	}
	r := <-fsDone
	s.firestore = r.e
	if err == nil && r.err != nil {
		err = fmt.Errorf("firestore: %w", r.err)
	}
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("localstack.Start: %w", err)
	}
	return s, nil
}

// startInProcess starts the emulators that run as goroutines of this process.
func (s *Stack) startInProcess() error {
	cfg := s.cfg
	var err error
	if s.gcs, err = gcs.Start(gcs.Options{Addr: cfg.GCSAddr, Buckets: []string{cfg.Bucket}, Dir: s.dataDir("gcs")}); err != nil {
		return fmt.Errorf("gcs: %w", err)
	}
	gopts := gemini.DefaultOptions()
	if cfg.Gemini != nil {
		gopts = *cfg.Gemini
	}
	if cfg.GeminiAddr != "" {
		gopts.Addr = cfg.GeminiAddr
	}
	if s.gemini, err = gemini.Start(gopts); err != nil {
		return fmt.Errorf("gemini: %w", err)
	}
	if cfg.GDTURL == "" {
		opts := gdt.DefaultOptions()
		if cfg.GDT != nil {
			opts = *cfg.GDT
		}
		if s.gdt, err = gdt.Start(opts); err != nil {
			return fmt.Errorf("gdt: %w", err)
		}
	}
	// The Workflows emulator owns the OIDC issuer and serves it on OIDCAddr; Cloud Tasks signs
	// with the same issuer, so a receiver trusts one issuer URL (HOADON_OIDC_ISSUER).
	if s.workflows, err = workflows.Start(workflows.Options{
		Addr: cfg.WorkflowsAddr, OIDCAddr: cfg.OIDCAddr, Dir: cfg.WorkflowsDir,
		Project: cfg.Project, Location: cfg.Location, Env: cfg.WorkflowEnv,
		TimeScale: cfg.WorkflowTimeScale, Logger: cfg.Logger,
	}); err != nil {
		return fmt.Errorf("workflows: %w", err)
	}
	if s.tasks, err = cloudtasks.Start(cloudtasks.Options{
		Addr: cfg.TasksAddr, Issuer: s.workflows.Issuer(), Logger: cfg.Logger,
	}); err != nil {
		return fmt.Errorf("cloudtasks: %w", err)
	}
	return nil
}

// Close stops every emulator (dispatchers first, the Firestore JVM last) and returns once all
// ports are released. It is idempotent.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		closeIf := func(name string, started bool, close func() error) {
			if started {
				if err := close(); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", name, err))
				}
			}
		}
		closeIf("cloudtasks", s.tasks != nil, func() error { return s.tasks.Close() })
		closeIf("workflows", s.workflows != nil, func() error { return s.workflows.Close() })
		closeIf("gdt", s.gdt != nil, func() error { return s.gdt.Close() })
		closeIf("gemini", s.gemini != nil, func() error { return s.gemini.Close() })
		closeIf("gcs", s.gcs != nil, func() error { return s.gcs.Close() })
		closeIf("firestore export", s.firestore != nil && s.cfg.DataDir != "", s.export)
		closeIf("firestore", s.firestore != nil, func() error { return s.firestore.Close() })
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("localstack.Close: %w", err)
		}
	})
	return s.closeErr
}

// GDT returns the portal simulator, or nil when an external portal URL is configured; tests use
// it for ground truth and fault injection.
func (s *Stack) GDT() *gdt.Server { return s.gdt }

// Gemini returns the fake Gemini endpoint, for tests that count or fail its requests.
func (s *Stack) Gemini() *gemini.Server { return s.gemini }

// Firestore returns the Firestore emulator, for Reset between tests.
func (s *Stack) Firestore() *fsemu.Emulator { return s.firestore }

// GCS returns the fake GCS server.
func (s *Stack) GCS() *gcs.Server { return s.gcs }

// Workflows returns the Workflows emulator (its Issuer verifies tokens in tests).
func (s *Stack) Workflows() *workflows.Server { return s.workflows }

// Tasks returns the Cloud Tasks emulator.
func (s *Stack) Tasks() *cloudtasks.Server { return s.tasks }
