package store

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Session is the shared portal session of one login of a company's
// account (SessionID): one login serves every download with that login,
// whichever instance and tenant runs it.
type Session struct {
	SealedToken string    `firestore:"token"` // sealed by secret.Box for "sessions/{id}"
	ExpiresAt   time.Time `firestore:"expires_at"`
	Generation  int64     `firestore:"generation"` // bumped by every login
	LeaseHolder string    `firestore:"lease_holder"`
	LeaseUntil  time.Time `firestore:"lease_until"`
	// FailCode and FailMessage record the last login that failed for good,
	// so callers waiting on the lease stop instead of trying themselves.
	FailCode    string `firestore:"fail_code"`
	FailMessage string `firestore:"fail_message"`
}

// Valid reports whether the session holds a token usable for at least margin.
func (ss Session) Valid(now time.Time, margin time.Duration) bool {
	return ss.SealedToken != "" && now.Add(margin).Before(ss.ExpiresAt)
}

// SessionID names the session of a login of a company's portal account:
// one per account and login digest (LoginDigest), so a session opened with
// one password is never used by an import started with another, and a
// refused password leaves the session of the accepted one alone.
// Documents named by the company alone (before logins had digests) are
// no longer read: their tokens expire, and the next import logs in.
func SessionID(company, digest string) string {
	return company + "_" + digest[:min(len(digest), 32)]
}

func (s *Store) sessionRef(id string) *firestore.DocumentRef {
	return s.fs.Collection(colSessions).Doc(id)
}

// Session returns a session (zero when none).
func (s *Store) Session(ctx context.Context, id string) (Session, error) {
	snap, err := s.sessionRef(id).Get(ctx)
	if notFound(err) {
		return Session{}, nil
	}
	if err != nil {
		return Session{}, gcp.Classify("store.Session", err)
	}
	var ss Session
	return ss, gcp.Classify("store.Session", snap.DataTo(&ss))
}

// AcquireLogin makes logins single-flight per session. It returns acquired
// true when the caller holds the login lease and must log in, then call
// SaveSession or ReleaseLogin. It returns false with the current session when
// a usable session newer than staleGeneration exists (use it), or when
// another holder's lease is live (wait and ask again).
func (s *Store) AcquireLogin(ctx context.Context, id, holder string, staleGeneration int64, lease time.Duration) (Session, bool, error) {
	ref := s.sessionRef(id)
	var ss Session
	var acquired bool
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		ss, acquired = Session{}, false
		snap, err := tx.Get(ref)
		if err != nil && !notFound(err) {
			return err
		}
		if snap.Exists() {
			if err := snap.DataTo(&ss); err != nil {
				return err
			}
		}
		now := s.now()
		if ss.Valid(now, time.Minute) && ss.Generation > staleGeneration {
			return nil
		}
		if ss.LeaseHolder != "" && ss.LeaseHolder != holder && now.Before(ss.LeaseUntil) {
			return nil
		}
		ss.LeaseHolder, ss.LeaseUntil, acquired = holder, now.Add(lease), true
		ss.FailCode, ss.FailMessage = "", ""
		return tx.Set(ref, ss)
	})
	return ss, acquired, gcp.Classify("store.AcquireLogin", err)
}

// SaveSession stores the token of a successful login by the lease holder and
// releases the lease.
func (s *Store) SaveSession(ctx context.Context, id, holder, sealedToken string, expires time.Time) (Session, error) {
	ref := s.sessionRef(id)
	var ss Session
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err != nil {
			return err
		}
		if err := snap.DataTo(&ss); err != nil {
			return err
		}
		if ss.LeaseHolder != holder {
			return hoadon.Errorf(hoadon.CodeConflict, "store.SaveSession: login lease of session %s is held by another instance", id)
		}
		ss.SealedToken, ss.ExpiresAt, ss.Generation = sealedToken, expires, ss.Generation+1
		ss.LeaseHolder, ss.LeaseUntil = "", time.Time{}
		return tx.Set(ref, ss)
	})
	return ss, gcp.Classify("store.SaveSession", err)
}

// ReleaseLogin gives the lease back after a failed login. A non-empty
// failCode records a failure that waiters must not retry (wrong password,
// locked account).
func (s *Store) ReleaseLogin(ctx context.Context, id, holder string, failCode hoadon.Code, failMessage string) error {
	ref := s.sessionRef(id)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err != nil {
			return err
		}
		var ss Session
		if err := snap.DataTo(&ss); err != nil {
			return err
		}
		if ss.LeaseHolder != holder {
			return nil
		}
		ss.LeaseHolder, ss.LeaseUntil = "", time.Time{}
		ss.FailCode, ss.FailMessage = string(failCode), failMessage
		return tx.Set(ref, ss)
	})
	return gcp.Classify("store.ReleaseLogin", err)
}

// InvalidateSession drops a token the portal rejected, unless a newer login
// already replaced it.
func (s *Store) InvalidateSession(ctx context.Context, id string, generation int64) error {
	ref := s.sessionRef(id)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if notFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		var ss Session
		if err := snap.DataTo(&ss); err != nil {
			return err
		}
		if ss.Generation != generation || ss.SealedToken == "" {
			return nil
		}
		ss.SealedToken, ss.ExpiresAt = "", time.Time{}
		return tx.Set(ref, ss)
	})
	return gcp.Classify("store.InvalidateSession", err)
}

// CredentialsLabel is what a tenant's sealed password of a company is bound
// to (secret.Box): another tenant's or company's sealed value does not open
// under it. The default tenant keeps the label of credentials from before
// tenants existed, so migrated values still open.
func CredentialsLabel(t hoadon.Tenant, company string) string {
	if t = t.OrDefault(); t == hoadon.DefaultTenant {
		return "credentials/" + company
	}
	return "tenants/" + string(t) + "/credentials/" + company
}
