package pull

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/throttle"
)

// keeper holds the run's one portal session. Logging in is single-flight:
// the mutex is held during a login, so when many workers see the session
// expire at once, one solves a captcha and the rest reuse its token. It logs
// in again before the token's exp (proactively) and after a 401
// (invalidate). A credentials or lock-out failure is remembered and returned
// to every later caller — retrying would lock the account.
type keeper struct {
	mu     sync.Mutex
	sess   *gdt.Session
	fatal  error
	login  func(context.Context) (*gdt.Session, error)
	margin time.Duration
	logins int
}

// get returns a session that is not about to expire, logging in if needed.
func (k *keeper) get(ctx context.Context) (*gdt.Session, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fatal != nil {
		return nil, k.fatal
	}
	if k.sess != nil && !k.sess.Expired(k.marginFor(k.sess)) {
		return k.sess, nil
	}
	s, err := k.login(ctx)
	if err != nil {
		if c := hoadon.ErrorCode(err); c == hoadon.CodeBadCredentials || c == hoadon.CodeLocked || c == hoadon.CodeWrongCaptcha || c == hoadon.CodeInvalid {
			k.fatal = err
		}
		return nil, fmt.Errorf("login: %w", err)
	}
	k.sess = s
	k.logins++
	return s, nil
}

// invalidate drops s after the portal rejected it, unless another worker
// already replaced it.
func (k *keeper) invalidate(s *gdt.Session) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sess == s {
		k.sess = nil
	}
}

// fatalErr is the remembered login failure that ends the run, or nil.
func (k *keeper) fatalErr() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fatal
}

// count reports how many logins happened.
func (k *keeper) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.logins
}

// marginFor is the re-login margin for s: the configured margin, but never
// more than a fifth of the token's lifetime (short test TTLs would otherwise
// force a login before every call).
func (k *keeper) marginFor(s *gdt.Session) time.Duration {
	if s.IssuedAt.IsZero() || s.ExpiresAt.IsZero() {
		return k.margin
	}
	return min(k.margin, s.ExpiresAt.Sub(s.IssuedAt)/5)
}

// loginWithRetry is the keeper's login: gdt's captcha loop, started and
// retried on outages and rate limits under the account's rate policy
// (never on credential errors).
func loginWithRetry(cfg *Config, acct *throttle.Local) func(context.Context) (*gdt.Session, error) {
	return func(ctx context.Context) (*gdt.Session, error) {
		var tries throttle.Tries
		for {
			if err := acct.Start(ctx); err != nil {
				return nil, err
			}
			s, err := cfg.Client.Login(ctx, cfg.Username, cfg.Password, cfg.Solver)
			if err == nil {
				_ = acct.Record(ctx, nil) // in memory: cannot fail
				return s, nil
			}
			wait, again, _ := acct.Retry(ctx, err, &tries) // in memory: cannot fail
			if !again {
				return nil, err
			}
			if err := acct.Sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
	}
}
