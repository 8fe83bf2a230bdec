package pull

import (
	"context"
	"time"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/throttle"
)

// retrier runs one portal call under the account's rate policy
// (shared/throttle, the same as the pipeline's): every start is paced at
// the account's rate and held after a 429 or during a breaker cool-down;
// every answer feeds the rate; throttled and transient failures are asked
// again when the policy says. What the policy does not cover is pull's
// own: an expired session triggers one shared re-login, a corrupt download
// is fetched again a few times. Everything else is final.
type retrier struct {
	acct   *throttle.Local
	keeper *keeper
	stats  *counters
}

// do calls fn with a live session until it succeeds or the policy gives up.
func (r *retrier) do(ctx context.Context, retryBadData bool, fn func(context.Context, *gdt.Session) error) error {
	var tries throttle.Tries
	other := 0 // expired sessions and corrupt downloads
	for {
		if err := r.acct.Start(ctx); err != nil {
			return err
		}
		sess, err := r.keeper.get(ctx)
		if err != nil {
			return err
		}
		err = fn(ctx, sess)
		if err == nil {
			_ = r.acct.Record(ctx, nil) // in memory: cannot fail
			return nil
		}
		wait, again := r.plan(ctx, err, sess, retryBadData, &tries, &other)
		if !again || ctx.Err() != nil {
			return err
		}
		r.stats.retries.Add(1)
		if err := r.acct.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// plan decides whether and when to try again after err.
func (r *retrier) plan(ctx context.Context, err error, sess *gdt.Session, retryBadData bool, tries *throttle.Tries, other *int) (time.Duration, bool) {
	cfg := r.acct.Config()
	switch hoadon.ErrorCode(err) {
	case hoadon.CodeSessionExpired:
		r.keeper.invalidate(sess)
		_ = r.acct.Record(ctx, err)
		*other++
		return 0, *other < cfg.Attempts
	case hoadon.CodeBadData:
		*other++
		return throttle.Jitter(cfg.Backoff(*other)), retryBadData && *other < min(3, cfg.Attempts)
	case hoadon.CodeRateLimited, hoadon.CodeBlocked:
		r.stats.rateLimited.Add(1)
	}
	wait, again, _ := r.acct.Retry(ctx, err, tries) // in memory: cannot fail
	return wait, again
}
