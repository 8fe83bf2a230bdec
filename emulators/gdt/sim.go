package gdt

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// Simulator is the portal: data, accounts, captchas and the HTTP handler.
// It is safe for concurrent use; hot paths take only per-account or
// per-month locks.
type Simulator struct {
	opts      Options
	companies []Company
	parties   []party
	accounts  map[string]*account // by MST; fixed after New
	jwtKey    []byte
	captchas  *captchaStore
	months    sync.Map // monthKey → *monthData
	added     sync.Map // addedKey → monthKey of invoices added by /_sim calls
	edit      sync.Mutex
	addedSeq  int64 // guarded by edit
	fault     atomic.Pointer[FaultOptions]
	stats     stats
	corrupted corruptLog
	handler   http.Handler
}

// New builds a simulator from opts (zero knobs take defaults where a zero
// makes no sense: captcha TTL, token TTL, address, clock).
func New(opts Options) (*Simulator, error) {
	opts.fillDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if _, err := glyphs(); err != nil {
		return nil, fmt.Errorf("gdt.New: %w", err)
	}
	s := &Simulator{opts: opts, captchas: newCaptchaStore(), accounts: map[string]*account{}}
	s.companies, s.parties = buildCompanies(opts.Seed, opts.Companies)
	for i, c := range s.companies {
		s.accounts[c.MST] = &account{idx: i}
	}
	key := sha256.Sum256([]byte("gdtsim-jwt-" + strconv.FormatInt(opts.Seed, 10)))
	s.jwtKey = key[:]
	f := opts.Faults
	s.fault.Store(&f)
	s.handler = s.routes()
	return s, nil
}

// Handler serves both URL layouts: /api/<path> and the legacy /<path>.
func (s *Simulator) Handler() http.Handler { return s.handler }

// Companies lists the accounts with their passwords (ground truth).
func (s *Simulator) Companies() []Company { return append([]Company(nil), s.companies...) }

// CaptchaAnswer is a test hook: the answer of a live captcha key, without
// consuming it.
func (s *Simulator) CaptchaAnswer(key string) (string, bool) {
	return s.captchas.peek(key, s.opts.Now())
}

// SetFaults replaces the injected faults at run time.
func (s *Simulator) SetFaults(f FaultOptions) { s.fault.Store(&f) }

// SetDown switches "portal down" (every portal request answers 503).
func (s *Simulator) SetDown(down bool) {
	f := *s.fault.Load()
	f.Down = down
	s.fault.Store(&f)
}

// Faults returns the faults currently injected.
func (s *Simulator) Faults() FaultOptions { return *s.fault.Load() }

func (s *Simulator) faults() *FaultOptions { return s.fault.Load() }

// Options returns the effective options (defaults filled in).
func (s *Simulator) Options() Options { return s.opts }
