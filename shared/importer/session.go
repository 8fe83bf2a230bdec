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

// sessionID names one generation of a shared portal session.
type sessionID struct {
	key string // the portal account and the digest of the password it was opened with
	gen int64
}

// sessionKey is the key of the session of a login: the company's portal
// account and the password's digest. A start with another password never
// finds a session opened with this one, whichever tenant holds either.
func sessionKey(company string, l store.Login) string {
	return company + "_" + l.Digest
}

// session returns a usable portal session for an import: the shared one
// opened with the import's own login, or a new login when there is none, it
// expires soon or it is the stale generation (the portal rejected it).
// Logins are single-flight across instances: one captcha solve, one token,
// shared.
func (s *Service) session(ctx context.Context, imp hoadon.Import, stale sessionID) (*gdt.Session, sessionID, error) {
	l, err := s.Store.ImportLogin(ctx, imp)
	if err != nil {
		return nil, sessionID{}, err
	}
	key := sessionKey(imp.Params.CompanyID, l)
	if stale.key != key {
		stale = sessionID{key: key}
	}
	deadline := s.Now().Add(loginWait)
	wait := 200 * time.Millisecond
	for {
		ss, acquired, err := s.Store.AcquireLogin(ctx, key, s.Instance, stale.gen, loginLease)
		if err != nil {
			return nil, sessionID{}, err
		}
		if acquired {
			return s.login(ctx, imp, key, l)
		}
		if ss.Valid(s.Now(), tokenReserve) && ss.Generation > stale.gen {
			tok, err := s.Box.Open(ss.SealedToken, "sessions/"+key)
			if err != nil {
				return nil, sessionID{}, err
			}
			sess, err := gdt.NewSession(l.Username, string(tok))
			return sess, sessionID{key, ss.Generation}, err
		}
		if ss.FailCode != "" {
			return nil, sessionID{}, hoadon.Errorf(hoadon.Code(ss.FailCode), "portal login for %s failed: %s", imp.Params.CompanyID, ss.FailMessage)
		}
		if s.Now().After(deadline) {
			return nil, sessionID{}, hoadon.Errorf(hoadon.CodeTransient, "waited %s for another instance's portal login of %s", loginWait, imp.Params.CompanyID)
		}
		select {
		case <-ctx.Done():
			return nil, sessionID{}, hoadon.Wrap(hoadon.CodeTransient, ctx.Err(), "waiting for the portal login")
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// invalidate drops a session generation the portal rejected.
func (s *Service) invalidate(ctx context.Context, id sessionID) error {
	return s.Store.InvalidateSession(ctx, id.key, id.gen)
}

// login runs the portal login with an import's own login while holding the
// lease of its session. A password the portal refused before (the tenant's
// stored login, marked) is not tried again: the portal locks accounts. Only
// a login the portal accepted becomes the tenant's stored login; a refused
// new password leaves the stored login, and every session opened with it,
// as they are.
func (s *Service) login(ctx context.Context, imp hoadon.Import, key string, l store.Login) (*gdt.Session, sessionID, error) {
	company, tenant := imp.Params.CompanyID, imp.Tenant
	release := func(code hoadon.Code, msg string) {
		if err := s.Store.ReleaseLogin(context.WithoutCancel(ctx), key, s.Instance, code, msg); err != nil {
			s.Log.WarnContext(ctx, "releasing the login lease", "company", company, "err", err)
		}
	}
	if err := s.refusedBefore(ctx, tenant, company, l); err != nil {
		release("", "")
		return nil, sessionID{}, err
	}
	pw, err := s.Box.Open(l.SealedPassword, store.CredentialsLabel(tenant, company))
	if err != nil {
		release("", "")
		return nil, sessionID{}, err
	}
	sess, err := s.Portal.Login(ctx, l.Username, string(pw), s.Solver)
	if err != nil {
		code := hoadon.ErrorCode(err)
		if code == hoadon.CodeBadCredentials || code == hoadon.CodeLocked {
			if merr := s.Store.MarkCredentialsInvalid(ctx, tenant, company, l.Digest, string(code)); merr != nil {
				s.Log.WarnContext(ctx, "recording refused credentials", "company", company, "err", merr)
			}
			release(code, hoadon.ErrorMessage(err))
		} else {
			release("", "")
		}
		return nil, sessionID{}, err
	}
	exp := sess.ExpiresAt
	if exp.IsZero() {
		exp = s.Now().Add(time.Hour) // no exp claim: only a 401 ends it; re-check hourly
	}
	ss, err := s.Store.SaveSession(ctx, key, s.Instance, s.Box.Seal([]byte(sess.Token), "sessions/"+key), exp)
	if err != nil {
		return nil, sessionID{}, err
	}
	if err := s.Store.AcceptLogin(ctx, tenant, company, l); err != nil {
		s.Log.WarnContext(ctx, "storing the accepted login", "company", company, "err", err) // the next login stores it
	}
	s.Log.InfoContext(ctx, "portal login", "company", company, "expires", exp)
	return sess, sessionID{key, ss.Generation}, nil
}

// refusedBefore fails with CodeBadCredentials when the tenant's stored
// login is this very password and the portal refused it.
func (s *Service) refusedBefore(ctx context.Context, tenant hoadon.Tenant, company string, l store.Login) error {
	stored, invalid, err := s.Store.StoredLogin(ctx, tenant, company)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if invalid != "" && stored.Digest == l.Digest && stored.Username == l.Username {
		return hoadon.Errorf(hoadon.CodeBadCredentials, "the portal refused this password for %s earlier (%s); start an import with the right password", company, invalid)
	}
	return nil
}
