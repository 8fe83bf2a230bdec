package throttle

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Tries counts one call's failed tries so far, by kind.
type Tries struct {
	Failed  int // transient failures
	Limited int // 429s and firewall blocks
}

// throttled reports whether err is the portal asking for less: a 429 or a
// firewall block.
func throttled(err error) bool {
	c := hoadon.ErrorCode(err)
	return err != nil && (c == hoadon.CodeRateLimited || c == hoadon.CodeBlocked)
}

// Next plans the next try of a call after err: whether to try again and
// after how long. A 429 or firewall block waits the longer of the portal's
// Retry-After and the backoff (a block at least BlockedWait), never more
// than hoadon.MaxRetryAfter, for up to RateLimitAttempts such answers; a
// transient failure waits the backoff spread by jitter, for up to Attempts.
// Anything else is not this policy's to retry.
func (c Config) Next(err error, t *Tries) (time.Duration, bool) {
	switch {
	case throttled(err):
		t.Limited++
		wait := max(hoadon.ErrorRetryAfter(err), c.Backoff(t.Limited))
		if hoadon.ErrorCode(err) == hoadon.CodeBlocked {
			wait = max(wait, c.BlockedWait)
		}
		return hoadon.CapRetryAfter(wait), t.Limited < c.RateLimitAttempts
	case hoadon.ErrorCode(err) == hoadon.CodeTransient:
		t.Failed++
		return Jitter(c.Backoff(t.Failed)), t.Failed < c.Attempts
	}
	return 0, false
}

// Backoff is BaseDelay·2^(n−1), capped at MaxDelay.
func (c Config) Backoff(n int) time.Duration {
	d := c.BaseDelay
	for i := 1; i < n && d < c.MaxDelay; i++ {
		d *= 2
	}
	return min(d, c.MaxDelay)
}

// Jitter spreads a wait over [d/2, d] so callers do not retry in lockstep.
func Jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// Clock is the time the policy reads and waits on.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ManualClock is a Clock for tests: Sleep moves it forward at once, so a
// test runs the policy's waits without waiting and reads what they were.
type ManualClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

// NewManualClock returns a ManualClock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now returns the clock's time.
func (m *ManualClock) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Sleep advances the clock by d.
func (m *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	m.Advance(max(d, 0))
	return ctx.Err()
}

// Advance moves the clock forward by d and counts it as slept.
func (m *ManualClock) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now, m.slept = m.now.Add(d), m.slept+d
}

// Slept is the sum of every Sleep and Advance so far.
func (m *ManualClock) Slept() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.slept
}
