package importer

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"

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

// held names the session a caller uses (store.SessionID) and its
// generation, for dropSession.
type held struct {
	id  string
	gen int64
}

// Bounds of the process's caches of what every download of an import
// reads alike (sessionCache).
const (
	sessionCacheFor  = time.Minute      // a session's token, re-read from the store after this
	loginCacheFor    = 10 * time.Minute // an import's own login (it does not change while the import runs)
	sessionCacheSize = 4096
)

// sessionCache keeps, per process, what each download of a running import
// would otherwise read from the store again: the import's own login and
// the opened token of that login's shared session. A cached session is
// used only while it is valid, newer than the generation the caller saw
// rejected, and younger than sessionCacheFor; a token the portal rejects
// is dropped here and in the store (dropSession). Another instance's newer
// login therefore costs this one at most a rejected request or a minute of
// the older token, never a login of its own.
type sessionCache struct {
	logins   *expirable.LRU[string, store.Login] // import id → its own login
	sessions *expirable.LRU[string, openSession] // store.SessionID → session
}

// openSession is a stored session with its token opened.
type openSession struct {
	ss    store.Session
	token string
}

func newSessionCache() *sessionCache {
	return &sessionCache{
		logins:   expirable.NewLRU[string, store.Login](sessionCacheSize, nil, loginCacheFor),
		sessions: expirable.NewLRU[string, openSession](sessionCacheSize, nil, sessionCacheFor),
	}
}

// A nil *sessionCache caches nothing.

func (c *sessionCache) login(importID string) (store.Login, bool) {
	if c == nil {
		return store.Login{}, false
	}
	return c.logins.Get(importID)
}

func (c *sessionCache) keepLogin(importID string, l store.Login) {
	if c != nil {
		c.logins.Add(importID, l)
	}
}

func (c *sessionCache) session(id string) (openSession, bool) {
	if c == nil {
		return openSession{}, false
	}
	return c.sessions.Get(id)
}

// keep caches a session unless a newer one is cached already.
func (c *sessionCache) keep(id string, ss store.Session, token string) {
	if c == nil {
		return
	}
	if o, ok := c.sessions.Peek(id); ok && o.ss.Generation > ss.Generation {
		return
	}
	c.sessions.Add(id, openSession{ss: ss, token: token})
}

// drop forgets a session of generation gen or older.
func (c *sessionCache) drop(id string, gen int64) {
	if c == nil {
		return
	}
	if o, ok := c.sessions.Peek(id); ok && o.ss.Generation <= gen {
		c.sessions.Remove(id)
	}
}

// session returns a usable portal session for the login an import was
// started with: this process's copy of that login's shared session, the
// one from the store, or a new login when there is none, it expires soon or
// its generation is stale (the portal rejected it). A session opened with
// another password is never used. Logins are single-flight across
// instances: one captcha solve, one token, shared.
func (s *Service) session(ctx context.Context, imp hoadon.Import, stale int64) (*gdt.Session, held, error) {
	l, err := s.importLogin(ctx, imp)
	if err != nil {
		return nil, held{}, err
	}
	id := store.SessionID(imp.Params.CompanyID, l.Digest)
	if c, ok := s.cache.session(id); ok && c.ss.Valid(s.Now(), tokenReserve) && c.ss.Generation > stale {
		sess, err := gdt.NewSession(l.Username, c.token)
		return sess, held{id, c.ss.Generation}, err
	}
	return s.sessionOf(ctx, imp, l, stale)
}

// sessionOf is session for a login already read.
func (s *Service) sessionOf(ctx context.Context, imp hoadon.Import, l store.Login, stale int64) (*gdt.Session, held, error) {
	company := imp.Params.CompanyID
	id := store.SessionID(company, l.Digest)
	deadline := s.Now().Add(loginWait)
	wait := 200 * time.Millisecond
	// The lease holder is this call, not only this instance: two downloads
	// of one instance that meet an expired token must not both log in.
	holder := s.Instance + "/" + uuid.NewString()
	for {
		ss, acquired, err := s.Store.AcquireLogin(ctx, id, holder, stale, loginLease)
		if err != nil {
			return nil, held{}, err
		}
		if acquired {
			return s.login(ctx, imp, l, id, holder)
		}
		if ss.Valid(s.Now(), tokenReserve) && ss.Generation > stale {
			return s.openSession(l, id, ss)
		}
		if ss.FailCode != "" {
			return nil, held{}, hoadon.Errorf(hoadon.Code(ss.FailCode), "portal login for %s failed: %s", company, ss.FailMessage)
		}
		if s.Now().After(deadline) {
			return nil, held{}, hoadon.Errorf(hoadon.CodeTransient, "waited %s for another instance's portal login of %s", loginWait, company)
		}
		select {
		case <-ctx.Done():
			return nil, held{}, hoadon.Wrap(hoadon.CodeTransient, ctx.Err(), "waiting for the portal login")
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// importLogin returns the login an import logs in with. An import from
// before logins were kept per import uses the stored login; a stored login
// from before digests gets its digest here. The import's own login is
// fixed while it runs (written at its start, deleted when it is final), so
// it is read once per process; the tenant's stored login is read each time.
func (s *Service) importLogin(ctx context.Context, imp hoadon.Import) (store.Login, error) {
	if l, ok := s.cache.login(imp.ID); ok {
		return l, nil
	}
	l, err := s.Store.ImportLogin(ctx, imp)
	if err == nil && l.Own && l.Digest != "" {
		s.cache.keepLogin(imp.ID, l)
	}
	if err != nil || l.Digest != "" {
		return l, err
	}
	pw, err := s.Box.Open(l.SealedPassword, store.CredentialsLabel(imp.Tenant, imp.Params.CompanyID))
	if err != nil {
		return store.Login{}, err
	}
	l.Digest = store.LoginDigest(s.Box, imp.Params.CompanyID, l.Username, pw)
	return l, nil
}

// dropSession drops a token the portal rejected, so the next caller logs
// in again.
func (s *Service) dropSession(ctx context.Context, h held) error {
	s.cache.drop(h.id, h.gen)
	return s.Store.InvalidateSession(ctx, h.id, h.gen)
}

// openSession opens a stored session's token and keeps it for the next
// callers of this process (session).
func (s *Service) openSession(l store.Login, id string, ss store.Session) (*gdt.Session, held, error) {
	tok, err := s.Box.Open(ss.SealedToken, "sessions/"+id)
	if err != nil {
		return nil, held{}, err
	}
	sess, err := gdt.NewSession(l.Username, string(tok))
	if err == nil {
		s.cache.keep(id, ss, string(tok))
	}
	return sess, held{id, ss.Generation}, err
}

// login runs the portal login while holding the session's lease. A refused
// password marks the stored login invalid only when it is that login.
func (s *Service) login(ctx context.Context, imp hoadon.Import, l store.Login, id, holder string) (*gdt.Session, held, error) {
	company := imp.Params.CompanyID
	release := func(code hoadon.Code, msg string) {
		if err := s.Store.ReleaseLogin(context.WithoutCancel(ctx), id, holder, code, msg); err != nil {
			s.Log.WarnContext(ctx, "releasing the login lease", "company", company, "err", err)
		}
	}
	pw, err := s.Box.Open(l.SealedPassword, store.CredentialsLabel(imp.Tenant, company))
	if err != nil {
		release("", "")
		return nil, held{}, err
	}
	sess, err := s.portalLogin(ctx, company, l.Username, pw)
	if err != nil {
		code := hoadon.ErrorCode(err)
		if code == hoadon.CodeBadCredentials || code == hoadon.CodeLocked {
			if merr := s.Store.MarkCredentialsInvalid(ctx, imp.Tenant, company, l, string(code)); merr != nil {
				s.Log.WarnContext(ctx, "recording refused credentials", "company", company, "err", merr)
			}
			release(code, hoadon.ErrorMessage(err))
		} else {
			release("", "")
		}
		return nil, held{}, err
	}
	exp := sess.ExpiresAt
	if exp.IsZero() {
		exp = s.Now().Add(time.Hour) // no exp claim: only a 401 ends it; re-check hourly
	}
	ss, err := s.Store.SaveSession(ctx, id, holder, s.Box.Seal([]byte(sess.Token), "sessions/"+id), exp)
	if err != nil {
		return nil, held{}, err
	}
	s.cache.keep(id, ss, sess.Token)
	s.Log.InfoContext(ctx, "portal login", "company", company, "expires", exp)
	return sess, held{id, ss.Generation}, nil
}

// portalLogin logs in to the portal under the company's rate policy: it
// waits out a Retry-After this process saw, and a 429 or firewall block
// with its Retry-After feeds the account's state (shared/throttle), like a
// list page's or a download's. Other failures leave the breaker alone.
func (s *Service) portalLogin(ctx context.Context, company, username string, pw []byte) (*gdt.Session, error) {
	if err := s.Throttle.Wait(ctx, company); err != nil {
		return nil, hoadon.Wrap(hoadon.CodeTransient, err, "waiting for the portal's Retry-After")
	}
	sess, err := s.Portal.Login(ctx, username, string(pw), s.Solver)
	if rerr := s.Throttle.Observe(ctx, company, err); rerr != nil {
		s.Log.WarnContext(ctx, "recording the portal's answer to a login in the company rate", "company", company, "err", rerr)
	}
	return sess, err
}
