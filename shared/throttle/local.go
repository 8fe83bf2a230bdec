package throttle

import (
	"context"
	"sync"
	"time"

	"github.com/hoadon/hoadon/shared/store"
)

// Local applies the policy inside one process that talks to the portal
// itself (hoadon pull): the account's state lives in memory, and request
// starts are paced here at the account's rate and held during a breaker
// cool-down, where the pipeline has the company's Cloud Tasks queue do it.
type Local struct {
	ctl     *Controller
	account string
	states  *memStates
	pace    *pacer
}

// NewLocal returns the policy of one account for a local run; clk nil is
// the real clock.
func NewLocal(account string, cfg Config, clk Clock) *Local {
	l := &Local{account: account, states: &memStates{m: map[string]store.RateState{}}, pace: &pacer{}}
	l.ctl = New(l.pace, l.states, cfg)
	if clk != nil {
		l.ctl.SetClock(clk)
	}
	l.pace.setRate(cfg.InitialRate)
	return l
}

// Config returns the policy's bounds.
func (l *Local) Config() Config { return l.ctl.cfg }

// Record feeds one request's outcome into the account's state (see
// Controller.Record).
func (l *Local) Record(ctx context.Context, err error) error {
	return l.ctl.Record(ctx, l.account, err)
}

// Retry records a failed request and plans the next try (see
// Controller.Retry); a 429 holds every start of the run for the wait.
func (l *Local) Retry(ctx context.Context, err error, t *Tries) (time.Duration, bool, error) {
	return l.ctl.Retry(ctx, l.account, err, t)
}

// Sleep waits d on the policy's clock, or until ctx ends.
func (l *Local) Sleep(ctx context.Context, d time.Duration) error { return l.ctl.Sleep(ctx, d) }

// Rates returns the account's current rate and the lowest it reached.
func (l *Local) Rates() (current, lowest float64) { return l.pace.rates() }

// Start blocks until the account may start a request: after any hold of a
// Retry-After, after a breaker cool-down, and at least 1/rate after the
// previous start.
func (l *Local) Start(ctx context.Context) error {
	for {
		if err := l.ctl.Wait(ctx, l.account); err != nil {
			return err
		}
		d, err := l.pausedFor(ctx)
		if err != nil {
			return err
		}
		if d <= 0 {
			if d = l.pace.take(l.ctl.clock.Now()); d <= 0 {
				return nil
			}
		}
		if err := l.ctl.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// pausedFor heals a cool-down that has passed and returns what is left of
// one still running.
func (l *Local) pausedFor(ctx context.Context) (time.Duration, error) {
	if !l.pace.isPaused() {
		return 0, nil
	}
	if _, err := l.ctl.Heal(ctx, l.account); err != nil {
		return 0, err
	}
	if !l.pace.isPaused() {
		return 0, nil
	}
	return max(l.states.get(l.account).PausedUntil.Sub(l.ctl.clock.Now()), time.Millisecond), nil
}

// pacer is a Local's stand-in for the company queue: the Controller sets
// its rate and pauses and resumes it.
type pacer struct {
	mu      sync.Mutex
	spacing time.Duration // 1/rate: the least gap between request starts
	next    time.Time     // earliest start of the next request
	paused  bool
	lowest  float64
}

// take claims a start at now, or returns how long until one is free.
func (p *pacer) take(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d := p.next.Sub(now); d > 0 {
		return d
	}
	p.next = now.Add(p.spacing)
	return 0
}

func (p *pacer) setRate(rate float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.spacing = time.Duration(float64(time.Second) / rate)
	if p.lowest == 0 || rate < p.lowest {
		p.lowest = rate
	}
}

func (p *pacer) rates() (current, lowest float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return float64(time.Second) / float64(p.spacing), p.lowest
}

func (p *pacer) isPaused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

func (p *pacer) EnsureCompanyQueue(_ context.Context, account string) (string, error) {
	return account, nil
}

func (p *pacer) SetRate(_ context.Context, _ string, rate float64) error {
	p.setRate(rate)
	return nil
}

func (p *pacer) Pause(context.Context, string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = true
	return nil
}

func (p *pacer) Resume(context.Context, string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = false
	return nil
}

// memStates keeps rate states in memory, for a single process.
type memStates struct {
	mu sync.Mutex
	m  map[string]store.RateState
}

func (s *memStates) get(account string) store.RateState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[account]
}

func (s *memStates) UpdateRate(_ context.Context, account string, change func(*store.RateState) bool) (store.RateState, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.m[account]
	if !change(&st) {
		return st, false, nil
	}
	s.m[account] = st
	return st, true, nil
}
