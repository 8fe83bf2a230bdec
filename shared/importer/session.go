package importer

import (
	"context"
	"time"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// Login lease and wait bounds.
const (
	loginLease   = 90 * time.Second // longer than three captcha rounds
	loginWait    = 2 * time.Minute  // how long a caller waits for another's login
	tokenReserve = 2 * time.Minute  // re-login before the token expires
)

// session returns a usable portal session for a company: the shared one
// from the store, or a new login when there is none, it expires soon or
// its generation is stale (the portal rejected it). Logins are
// single-flight across instances: one captcha solve, one token, shared.
// It returns the session's generation for InvalidateSession.
func (s *Service) session(ctx context.Context, imp hoadon.Import, stale int64) (*gdt.Session, int64, error) {
	company := imp.Params.CompanyID
	deadline := s.Now().Add(loginWait)
	wait := 200 * time.Millisecond
	for {
		ss, acquired, err := s.Store.AcquireLogin(ctx, company, s.Instance, stale, loginLease)
		if err != nil {
			return nil, 0, err
		}
		if acquired {
			return s.login(ctx, imp)
		}
		if ss.Valid(s.Now(), tokenReserve) && ss.Generation > stale {
			return s.openSession(ctx, imp, ss.SealedToken, ss.Generation)
		}
		if ss.FailCode != "" {
			return nil, 0, hoadon.Errorf(hoadon.Code(ss.FailCode), "portal login for %s failed: %s", company, ss.FailMessage)
		}
		if s.Now().After(deadline) {
			return nil, 0, hoadon.Errorf(hoadon.CodeTransient, "waited %s for another instance's portal login of %s", loginWait, company)
		}
		select {
		case <-ctx.Done():
			return nil, 0, hoadon.Wrap(hoadon.CodeTransient, ctx.Err(), "waiting for the portal login")
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

func (s *Service) openSession(ctx context.Context, imp hoadon.Import, sealed string, gen int64) (*gdt.Session, int64, error) {
	company := imp.Params.CompanyID
	username, _, err := s.Store.Credentials(ctx, imp.Tenant, company)
	if err != nil {
		return nil, 0, err
	}
	tok, err := s.Box.Open(sealed, "sessions/"+company)
	if err != nil {
		return nil, 0, err
	}
	sess, err := gdt.NewSession(username, string(tok))
	return sess, gen, err
}

// login runs the portal login while holding the company's lease.
func (s *Service) login(ctx context.Context, imp hoadon.Import) (*gdt.Session, int64, error) {
	company := imp.Params.CompanyID
	release := func(code hoadon.Code, msg string) {
		if err := s.Store.ReleaseLogin(context.WithoutCancel(ctx), company, s.Instance, code, msg); err != nil {
			s.Log.WarnContext(ctx, "releasing the login lease", "company", company, "err", err)
		}
	}
	username, sealed, err := s.Store.Credentials(ctx, imp.Tenant, company)
	if err != nil {
		release(hoadon.ErrorCode(err), hoadon.ErrorMessage(err))
		return nil, 0, err
	}
	pw, err := s.Box.Open(sealed, store.CredentialsLabel(imp.Tenant, company))
	if err != nil {
		release("", "")
		return nil, 0, err
	}
	sess, err := s.Portal.Login(ctx, username, string(pw), s.Solver)
	if err != nil {
		code := hoadon.ErrorCode(err)
		if code == hoadon.CodeBadCredentials || code == hoadon.CodeLocked {
			if merr := s.Store.MarkCredentialsInvalid(ctx, imp.Tenant, company, string(code)); merr != nil {
				s.Log.WarnContext(ctx, "recording refused credentials", "company", company, "err", merr)
			}
			release(code, hoadon.ErrorMessage(err))
		} else {
			release("", "")
		}
		return nil, 0, err
	}
	exp := sess.ExpiresAt
	if exp.IsZero() {
		exp = s.Now().Add(time.Hour) // no exp claim: only a 401 ends it; re-check hourly
	}
	ss, err := s.Store.SaveSession(ctx, company, s.Instance, s.Box.Seal([]byte(sess.Token), "sessions/"+company), exp)
	if err != nil {
		return nil, 0, err
	}
	s.Log.InfoContext(ctx, "portal login", "company", company, "expires", exp)
	return sess, ss.Generation, nil
}
