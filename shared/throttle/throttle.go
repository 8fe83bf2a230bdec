// Package throttle owns the rate policy of every portal account: how fast
// its requests go, what a 429 or a firewall block does, how long to wait
// before asking again, and when to stop asking for a while. Downloads,
// discovery and `hoadon pull` all follow it; no other package has 429 rules.
//
// Rate: additive increase, multiplicative decrease. A 429 (or a firewall
// block) halves the account's rate, at most once per Debounce; each run of
// RaiseEvery successful requests raises it by Step, within [MinRate,
// MaxRate]. In the pipeline the rate is the company queue's
// maxDispatchesPerSecond, which paces downloads; a local run (Local) paces
// its own request starts with it. Discovery's list pages feed the same
// state, so a storm of 429s while listing lowers the rate the downloads
// then start at.
//
// Waiting: a call that failed is asked again after Config.Next — at least
// the portal's Retry-After (capped at hoadon.MaxRetryAfter, ten minutes:
// the portal is untrusted), at least BlockedWait after a firewall block,
// otherwise exponential backoff — for at most RateLimitAttempts throttled
// answers or Attempts other failures. A throttled answer also holds this
// process's other calls of the account until the wait is over (Wait).
// Downloads leave the waiting to Cloud Tasks (the queue's retry backoff at
// the halved rate): a handler does not sleep.
//
// Pauses: BreakerThreshold consecutive failures (5xx, timeouts, rejected
// tokens) pause the account for Cooldown (the breaker), a Retry-After of
// PauseAfter or more pauses it until then; Heal resumes it afterwards.
//
// The pipeline keeps the state in Firestore (rates/{mst}) so every instance
// agrees; successes are counted in memory and written only when the rate
// changes, so the document stays cold. A local run keeps it in memory.
package throttle

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/settings"
	"github.com/hoadon/hoadon/shared/store"
)

// Config bounds the adaptation. The tagged fields are the throttle's
// settings (shared/settings): shared/config reads them from the
// environment, DefaultConfig takes their defaults.
type Config struct {
	MinRate     float64 // requests (dispatches) per second, the floor
	InitialRate float64 `env:"HOADON_COMPANY_RATE" default:"4" help:"initial downloads per second per company"`
	MaxRate     float64 `env:"HOADON_COMPANY_MAX_RATE" default:"10" help:"ceiling of the adaptive rate per company"`
	Step        float64 // additive increase
	RaiseEvery  int     `env:"HOADON_RATE_RAISE_EVERY" default:"20" help:"successful downloads per step up of a company's adaptive rate"`
	// Debounce keeps a burst of 429s from concurrent requests from halving
	// the rate once per request.
	Debounce time.Duration
	// BreakerThreshold consecutive failures pause the account for Cooldown.
	BreakerThreshold int
	Cooldown         time.Duration `env:"HOADON_BREAKER_COOLDOWN" default:"2m" help:"how long a company queue stays paused after consecutive portal failures (Go duration)"`
	// PauseAfter: a Retry-After at least this long pauses the account
	// until it has passed, so queued downloads do not spend their attempts
	// on answers the portal announced. Shorter ones are left to the lowered
	// rate and the retry backoff.
	PauseAfter time.Duration
	// The retry schedule of one call (see Next).
	BaseDelay, MaxDelay time.Duration // backoff BaseDelay·2^(n−1), capped at MaxDelay
	BlockedWait         time.Duration // least wait after a firewall block
	Attempts            int           // tries of a call on other retryable failures
	RateLimitAttempts   int           // tries of a call answered 429 or blocked
}

// DefaultConfig suits the portal: never below one request every ten
// seconds, halve on throttling, raise by 0.5/s per run of successes; the
// settings take their declared defaults.
func DefaultConfig() Config {
	c := Config{MinRate: 0.1, Step: 0.5, Debounce: 2 * time.Second, BreakerThreshold: 10, PauseAfter: time.Minute,
		BaseDelay: time.Second, MaxDelay: 2 * time.Minute, BlockedWait: 30 * time.Second,
		Attempts: 5, RateLimitAttempts: 12}
	settings.Defaults(&c)
	return c
}

// Check reports settings out of range.
func (c Config) Check() error {
	if c.InitialRate <= 0 || c.MaxRate < c.InitialRate {
		return errors.New("HOADON_COMPANY_RATE must be > 0 and ≤ HOADON_COMPANY_MAX_RATE")
	}
	if c.RaiseEvery < 1 || c.Cooldown <= 0 {
		return errors.New("HOADON_RATE_RAISE_EVERY must be ≥ 1 and HOADON_BREAKER_COOLDOWN > 0")
	}
	return nil
}

// Queue is what the controller changes: the company's Cloud Tasks queue in
// the pipeline, a Local's pacing in a local run.
type Queue interface {
	EnsureCompanyQueue(ctx context.Context, company string) (string, error)
	SetRate(ctx context.Context, queue string, rate float64) error
	Pause(ctx context.Context, queue string) error
	Resume(ctx context.Context, queue string) error
}

// States is where the shared state lives.
type States interface {
	UpdateRate(ctx context.Context, company string, change func(*store.RateState) bool) (store.RateState, bool, error)
}

// Controller applies the policy to portal accounts.
type Controller struct {
	q     Queue
	st    States
	cfg   Config
	clock Clock

	mu        sync.Mutex
	successes map[string]int
	failing   map[string]bool      // this instance saw a failure not yet cleared
	held      map[string]time.Time // no call of the account before then (Retry-After)
}

// New returns a Controller.
func New(q Queue, st States, cfg Config) *Controller {
	return &Controller{q: q, st: st, cfg: cfg, clock: realClock{},
		successes: map[string]int{}, failing: map[string]bool{}, held: map[string]time.Time{}}
}

// SetClock replaces the real clock, for tests.
func (c *Controller) SetClock(clk Clock) { c.clock = clk }

// Config returns the policy's bounds.
func (c *Controller) Config() Config { return c.cfg }

// apply sets the account queue's rate, creating the queue if discovery
// lowers the rate before any download was enqueued.
func (c *Controller) apply(ctx context.Context, company string, rate float64) error {
	q, err := c.q.EnsureCompanyQueue(ctx, company)
	if err != nil {
		return err
	}
	return c.q.SetRate(ctx, q, rate)
}

// Record feeds the outcome of one portal request of an account into its
// state: a success counts toward a raise and clears the breaker count, a
// 429 or firewall block lowers the rate, a transient failure (5xx,
// timeout, wrong captcha, rejected token) counts toward the breaker.
// Other errors say nothing about the portal's load and change nothing.
func (c *Controller) Record(ctx context.Context, account string, err error) error {
	switch {
	case err == nil:
		return c.Succeeded(ctx, account)
	case throttled(err):
		return c.Throttled(ctx, account, hoadon.ErrorRetryAfter(err))
	}
	switch hoadon.ErrorCode(err) {
	case hoadon.CodeTransient, hoadon.CodeWrongCaptcha, hoadon.CodeSessionExpired:
		return c.Failed(ctx, account)
	}
	return nil
}

// Retry records a failed call (Record) and plans the next try by the
// policy (Config.Next). A throttled answer holds this process's other
// calls of the account until the planned wait has passed. recErr is the
// state's write failure, which the caller logs: the plan stands without it.
func (c *Controller) Retry(ctx context.Context, account string, err error, t *Tries) (wait time.Duration, again bool, recErr error) {
	recErr = c.Record(ctx, account, err)
	wait, again = c.cfg.Next(err, t)
	if throttled(err) {
		c.hold(account, c.clock.Now().Add(wait))
	}
	return wait, again, recErr
}

// Observe feeds a call that is not asked again in place and answered 429
// or a firewall block (a login) into the account's state, like Record,
// and holds this process's other calls of the account (Wait) for its
// Retry-After, capped at hoadon.MaxRetryAfter. Other answers change
// nothing: a login's 5xx or captcha failure is the login's own retry's
// business, not the breaker's. recErr is the state's write failure.
func (c *Controller) Observe(ctx context.Context, account string, err error) (recErr error) {
	if !throttled(err) {
		return nil
	}
	recErr = c.Record(ctx, account, err)
	c.hold(account, c.clock.Now().Add(hoadon.CapRetryAfter(hoadon.ErrorRetryAfter(err))))
	return recErr
}

func (c *Controller) hold(account string, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until.After(c.held[account]) {
		c.held[account] = until
	}
}

// Wait blocks until the account's hold (the wait after a 429 this process
// saw) has passed.
func (c *Controller) Wait(ctx context.Context, account string) error {
	for {
		c.mu.Lock()
		d := c.held[account].Sub(c.clock.Now())
		c.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		if err := c.clock.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// Sleep waits d on the controller's clock, or until ctx ends.
func (c *Controller) Sleep(ctx context.Context, d time.Duration) error { return c.clock.Sleep(ctx, d) }

func (c *Controller) init(r *store.RateState) {
	if r.Rate == 0 {
		r.Rate = c.cfg.InitialRate
	}
}

// Throttled records a 429 or firewall block that advised retryAfter: the
// rate halves, at most once per Debounce, and a Retry-After of PauseAfter
// or more (capped at hoadon.MaxRetryAfter) pauses the account until then.
func (c *Controller) Throttled(ctx context.Context, company string, retryAfter time.Duration) error {
	c.mu.Lock()
	c.successes[company] = 0
	c.mu.Unlock()
	now := c.clock.Now()
	var halved, paused bool
	st, _, err := c.st.UpdateRate(ctx, company, func(r *store.RateState) bool {
		c.init(r)
		halved, paused = false, false
		if now.Sub(r.Decreased) >= c.cfg.Debounce { // else already halved for this burst
			r.Rate, r.Decreased, halved = max(c.cfg.MinRate, r.Rate/2), now, true
		}
		if until := now.Add(hoadon.CapRetryAfter(retryAfter)); c.cfg.PauseAfter > 0 && retryAfter >= c.cfg.PauseAfter && until.After(r.PausedUntil) {
			paused = r.PausedUntil.IsZero() // else the queue is paused already
			r.PausedUntil = until
			return true
		}
		return halved
	})
	if err != nil {
		return err
	}
	if halved {
		if err := c.apply(ctx, company, st.Rate); err != nil {
			return err
		}
	}
	if !paused {
		return nil
	}
	return c.pause(ctx, company)
}

func (c *Controller) pause(ctx context.Context, company string) error {
	q, err := c.q.EnsureCompanyQueue(ctx, company)
	if err != nil {
		return err
	}
	return c.q.Pause(ctx, q)
}

// Succeeded records a successful request; every RaiseEvery of them the
// rate rises by Step up to MaxRate. A success also resets the breaker count.
func (c *Controller) Succeeded(ctx context.Context, company string) error {
	c.mu.Lock()
	c.successes[company]++
	raise := c.successes[company] >= c.cfg.RaiseEvery
	if raise {
		c.successes[company] = 0
	}
	reset := c.failing[company]
	delete(c.failing, company)
	c.mu.Unlock()
	if !raise && !reset {
		return nil
	}
	raised := false
	st, _, err := c.st.UpdateRate(ctx, company, func(r *store.RateState) bool {
		c.init(r)
		changed := r.Failures != 0
		r.Failures, raised = 0, false
		if raise && r.Rate < c.cfg.MaxRate {
			r.Rate, raised = min(c.cfg.MaxRate, r.Rate+c.cfg.Step), true
		}
		return changed || raised
	})
	if err != nil || !raised {
		return err
	}
	return c.apply(ctx, company, st.Rate)
}

// Failed records a transient portal failure (5xx, timeout). Past the
// threshold of consecutive failures the account pauses for Cooldown.
func (c *Controller) Failed(ctx context.Context, company string) error {
	c.mu.Lock()
	c.failing[company] = true
	c.mu.Unlock()
	now := c.clock.Now()
	tripped := false
	_, _, err := c.st.UpdateRate(ctx, company, func(r *store.RateState) bool {
		c.init(r)
		r.Failures++
		tripped = r.Failures >= c.cfg.BreakerThreshold && r.PausedUntil.IsZero()
		if tripped {
			r.PausedUntil, r.Failures = now.Add(c.cfg.Cooldown), 0
		}
		return true
	})
	if err != nil || !tripped {
		return err
	}
	return c.pause(ctx, company)
}

// Heal resumes an account whose cool-down has passed. Callers that run
// regularly (the status poll, a local run's next request) call it.
func (c *Controller) Heal(ctx context.Context, company string) (resumed bool, err error) {
	now := c.clock.Now()
	_, changed, err := c.st.UpdateRate(ctx, company, func(r *store.RateState) bool {
		if r.PausedUntil.IsZero() || now.Before(r.PausedUntil) {
			return false
		}
		r.PausedUntil, r.Failures = time.Time{}, 0
		return true
	})
	if err != nil || !changed {
		return false, err
	}
	q, err := c.q.EnsureCompanyQueue(ctx, company)
	if err != nil {
		return false, err
	}
	return true, c.q.Resume(ctx, q)
}
