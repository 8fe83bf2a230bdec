package pull

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// gate paces request starts for the whole run: a minimum spacing between
// starts, and a shared cooldown after a 429 or firewall block so that every
// worker backs off together, not just the one that was told.
type gate struct {
	mu      sync.Mutex
	spacing time.Duration
	next    time.Time // earliest start of the next request
	until   time.Time // end of the current cooldown
}

// wait blocks until this caller may start a request.
func (g *gate) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		now := time.Now()
		start := now
		if g.next.After(start) {
			start = g.next
		}
		if g.until.After(start) {
			start = g.until
		}
		if !start.After(now) {
			g.next = now.Add(g.spacing)
			g.mu.Unlock()
			return nil
		}
		g.mu.Unlock()
		if err := sleep(ctx, start.Sub(now)); err != nil {
			return err
		}
	}
}

// cooldown holds every request back for d from now.
func (g *gate) cooldown(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t := time.Now().Add(d); t.After(g.until) {
		g.until = t
	}
}

// retrier runs one portal call with the run's policy: transient failures
// and corrupt downloads back off exponentially with jitter, 429 and firewall
// blocks wait at least what the portal asked (and hold everyone back), an
// expired session triggers one shared re-login. Everything else is final.
type retrier struct {
	cfg    *Config
	gate   *gate
	keeper *keeper
	stats  *counters
}

// do calls fn with a live session until it succeeds or the policy gives up.
func (r *retrier) do(ctx context.Context, retryBadData bool, fn func(context.Context, *gdt.Session) error) error {
	var tries, limited int
	for {
		if err := r.gate.wait(ctx); err != nil {
			return err
		}
		sess, err := r.keeper.get(ctx)
		if err != nil {
			return err
		}
		err = fn(ctx, sess)
		if err == nil {
			return nil
		}
		wait, again := r.plan(err, sess, retryBadData, &tries, &limited)
		if !again || ctx.Err() != nil {
			return err
		}
		r.stats.retries.Add(1)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// plan decides whether and when to try again after err.
func (r *retrier) plan(err error, sess *gdt.Session, retryBadData bool, tries, limited *int) (time.Duration, bool) {
	switch hoadon.ErrorCode(err) {
	case hoadon.CodeSessionExpired:
		r.keeper.invalidate(sess)
		*tries++
		return 0, *tries < r.cfg.Attempts
	case hoadon.CodeRateLimited, hoadon.CodeBlocked:
		*limited++
		r.stats.rateLimited.Add(1)
		wait := max(hoadon.ErrorRetryAfter(err), backoff(r.cfg.BaseDelay, r.cfg.MaxDelay, *limited))
		if hoadon.ErrorCode(err) == hoadon.CodeBlocked {
			wait = max(wait, r.cfg.BlockedWait)
		}
		r.gate.cooldown(wait)
		return wait, *limited < r.cfg.RateLimitAttempts
	case hoadon.CodeTransient:
		*tries++
		return jitter(backoff(r.cfg.BaseDelay, r.cfg.MaxDelay, *tries)), *tries < r.cfg.Attempts
	case hoadon.CodeBadData:
		*tries++
		return jitter(backoff(r.cfg.BaseDelay, r.cfg.MaxDelay, *tries)), retryBadData && *tries < min(3, r.cfg.Attempts)
	}
	return 0, false
}

// backoff is base·2^(n−1), capped.
func backoff(base, maxWait time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < maxWait; i++ {
		d *= 2
	}
	return min(d, maxWait)
}

// jitter spreads retries over [d/2, d] so workers do not retry in lockstep.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
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
