package store

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Credentials returns a tenant's portal username and sealed password of a
// company. It
// fails with CodeBadCredentials when the portal refused that password before,
// so nothing tries it again and locks the account.
func (s *Store) Credentials(ctx context.Context, tenant hoadon.Tenant, company string) (username, sealedPassword string, err error) {
	snap, err := s.credentialsRef(tenant, company).Get(ctx)
	if err != nil {
		return "", "", gcp.Classify("store.Credentials", err)
	}
	var d credentialDoc
	if err := snap.DataTo(&d); err != nil {
		return "", "", gcp.Classify("store.Credentials", err)
	}
	if d.Invalid != "" {
		return "", "", hoadon.Errorf(hoadon.CodeBadCredentials, "the portal refused this company's password earlier (%s); start an import with the right password", d.Invalid)
	}
	return d.Username, d.SealedPassword, nil
}

// MarkCredentialsInvalid records that the portal refused the stored password.
func (s *Store) MarkCredentialsInvalid(ctx context.Context, tenant hoadon.Tenant, company, reason string) error {
	_, err := s.credentialsRef(tenant, company).Update(ctx, []firestore.Update{{Path: "invalid", Value: reason}})
	return gcp.Classify("store.MarkCredentialsInvalid", err)
}

// Session is a company's shared portal session: one login serves every
// download of the company, whichever instance runs it.
type Session struct {
	SealedToken string    `firestore:"token"` // sealed by secret.Box for "sessions/{company}"
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

func (s *Store) sessionRef(company string) *firestore.DocumentRef {
	return s.fs.Collection(colSessions).Doc(company)
}

// Session returns a company's session (zero when none).
func (s *Store) Session(ctx context.Context, company string) (Session, error) {
	snap, err := s.sessionRef(company).Get(ctx)
	if notFound(err) {
		return Session{}, nil
	}
	if err != nil {
		return Session{}, gcp.Classify("store.Session", err)
	}
	var ss Session
	return ss, gcp.Classify("store.Session", snap.DataTo(&ss))
}

// AcquireLogin makes logins single-flight per company. It returns acquired
// true when the caller holds the login lease and must log in, then call
// SaveSession or ReleaseLogin. It returns false with the current session when
// a usable session newer than staleGeneration exists (use it), or when
// another holder's lease is live (wait and ask again).
func (s *Store) AcquireLogin(ctx context.Context, company, holder string, staleGeneration int64, lease time.Duration) (Session, bool, error) {
	ref := s.sessionRef(company)
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
func (s *Store) SaveSession(ctx context.Context, company, holder, sealedToken string, expires time.Time) (Session, error) {
	ref := s.sessionRef(company)
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
			return hoadon.Errorf(hoadon.CodeConflict, "store.SaveSession: login lease of %s is held by another instance", company)
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
func (s *Store) ReleaseLogin(ctx context.Context, company, holder string, failCode hoadon.Code, failMessage string) error {
	ref := s.sessionRef(company)
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
func (s *Store) InvalidateSession(ctx context.Context, company string, generation int64) error {
	ref := s.sessionRef(company)
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
