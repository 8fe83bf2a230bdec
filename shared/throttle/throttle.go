// Package throttle adapts each company's download rate to what the portal
// tolerates, and stops hammering a portal that keeps failing.
//
// The knob is the company queue's maxDispatchesPerSecond: a 429 (or a
// firewall 403) halves it, each run of successes raises it by a step up to
// the ceiling (additive increase, multiplicative decrease). Consecutive
// failures past a threshold pause the queue for a cool-down (a circuit
// breaker); Heal resumes it once the cool-down has passed. The state lives
// in Firestore so every instance agrees; successes are counted in memory and
// written only when the rate changes, so the state document stays cold.
package throttle

import (
	"context"
	"sync"
	"time"

	"github.com/hoadon/hoadon/shared/store"
)

// Config bounds the adaptation.
type Config struct {
	MinRate, InitialRate, MaxRate float64 // dispatches per second
	Step                          float64 // additive increase
	RaiseEvery                    int     // successes per increase
	// Debounce keeps a burst of 429s from concurrent downloads from halving
	// the rate once per download.
	Debounce time.Duration
	// BreakerThreshold consecutive failures pause the queue for Cooldown.
	BreakerThreshold int
	Cooldown         time.Duration
}

// DefaultConfig suits the portal: start at 4/s, never below one dispatch
// every ten seconds, halve on throttling, raise by 0.5/s every 20 successes.
func DefaultConfig() Config {
	return Config{MinRate: 0.1, InitialRate: 4, MaxRate: 10, Step: 0.5, RaiseEvery: 20,
		Debounce: 2 * time.Second, BreakerThreshold: 10, Cooldown: 2 * time.Minute}
}

// Queue is what the controller changes.
type Queue interface {
	CompanyQueue(company string) string
	SetRate(ctx context.Context, queue string, rate float64) error
	Pause(ctx context.Context, queue string) error
	Resume(ctx context.Context, queue string) error
}

// States is where the shared state lives.
type States interface {
	UpdateRate(ctx context.Context, company string, change func(*store.RateState) bool) (store.RateState, bool, error)
}

// Controller adapts company queues.
type Controller struct {
	q   Queue
	st  States
	cfg Config
	now func() time.Time

	mu        sync.Mutex
	successes map[string]int
	failing   map[string]bool // this instance saw a failure not yet cleared
}

// New returns a Controller.
func New(q Queue, st States, cfg Config) *Controller {
	return &Controller{q: q, st: st, cfg: cfg, now: time.Now, successes: map[string]int{}, failing: map[string]bool{}}
}

// SetClock replaces time.Now, for tests.
func (c *Controller) SetClock(now func() time.Time) { c.now = now }

func (c *Controller) init(r *store.RateState) {
	if r.Rate == 0 {
		r.Rate = c.cfg.InitialRate
	}
}

// Throttled records a 429 or firewall block: the rate halves, at most once
// per Debounce.
func (c *Controller) Throttled(ctx context.Context, company string) error {
	c.mu.Lock()
	c.successes[company] = 0
	c.mu.Unlock()
	now := c.now()
	st, changed, err := c.st.UpdateRate(ctx, company, func(r *store.RateState) bool {
		c.init(r)
		if now.Sub(r.Decreased) < c.cfg.Debounce {
			return false // already halved for this burst
		}
		r.Rate, r.Decreased = max(c.cfg.MinRate, r.Rate/2), now
		return true
	})
	if err != nil || !changed {
		return err
	}
	return c.q.SetRate(ctx, c.q.CompanyQueue(company), st.Rate)
}

// Succeeded records a successful download; every RaiseEvery of them the
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
	return c.q.SetRate(ctx, c.q.CompanyQueue(company), st.Rate)
}

// Failed records a transient portal failure (5xx, timeout). Past the
// threshold of consecutive failures the company queue pauses for Cooldown.
func (c *Controller) Failed(ctx context.Context, company string) error {
	c.mu.Lock()
	c.failing[company] = true
	c.mu.Unlock()
	now := c.now()
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
	return c.q.Pause(ctx, c.q.CompanyQueue(company))
}

// Heal resumes a company queue whose cool-down has passed. Callers that run
// regularly (the status poll) call it.
func (c *Controller) Heal(ctx context.Context, company string) (resumed bool, err error) {
	now := c.now()
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
	return true, c.q.Resume(ctx, c.q.CompanyQueue(company))
}
