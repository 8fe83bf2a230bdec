package store

import (
	"context"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Login is a portal login: the username, the password sealed by secret.Box
// and a keyed digest of the password (secret.Box.Digest), so two logins can
// be compared without opening either.
type Login struct {
	Username       string `firestore:"username"`
	SealedPassword string `firestore:"password"`
	Digest         string `firestore:"digest"`
}

// credentialDoc is a tenant's stored login of a company: the last one the
// portal accepted.
type credentialDoc struct {
	Login
	// Invalid is set when the portal refused this very password, so nothing
	// tries it again (the portal locks accounts) until another arrives.
	Invalid string `firestore:"invalid"`
}

// importLoginRef holds the login an import was started with
// (imports/{id}/credentials/login): it is tried first and becomes the
// tenant's stored login only once the portal accepted it.
func (s *Store) importLoginRef(importID string) *firestore.DocumentRef {
	return s.importRef(importID).Collection(colCredentials).Doc("login")
}

// ImportLogin returns the login an import was started with. Imports from
// before logins were kept per import have none: they use the tenant's
// stored login.
func (s *Store) ImportLogin(ctx context.Context, imp hoadon.Import) (Login, error) {
	snap, err := s.importLoginRef(imp.ID).Get(ctx)
	if notFound(err) {
		l, _, err := s.StoredLogin(ctx, imp.Tenant, imp.Params.CompanyID)
		return l, err
	}
	if err != nil {
		return Login{}, classify("ImportLogin", err)
	}
	var l Login
	return l, classify("ImportLogin", snap.DataTo(&l))
}

// StoredLogin returns a tenant's stored login of a company and, when the
// portal refused it, why; CodeNotFound when there is none.
func (s *Store) StoredLogin(ctx context.Context, tenant hoadon.Tenant, company string) (Login, string, error) {
	snap, err := s.credentialsRef(tenant, company).Get(ctx)
	if err != nil {
		return Login{}, "", classify("StoredLogin", err)
	}
	var d credentialDoc
	if err := snap.DataTo(&d); err != nil {
		return Login{}, "", classify("StoredLogin", err)
	}
	return d.Login, d.Invalid, nil
}

// AcceptLogin makes a login the portal just accepted the tenant's stored
// login of the company, clearing an earlier refusal. It writes nothing when
// that login is stored already.
func (s *Store) AcceptLogin(ctx context.Context, tenant hoadon.Tenant, company string, l Login) error {
	ref := s.credentialsRef(tenant, company)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err != nil && !notFound(err) {
			return err
		}
		var d credentialDoc
		if snap.Exists() {
			if err := snap.DataTo(&d); err != nil {
				return err
			}
		}
		if d.Digest == l.Digest && d.Username == l.Username && d.Invalid == "" {
			return nil
		}
		return tx.Set(ref, credentialDoc{Login: l})
	})
	return classify("AcceptLogin", err)
}

// MarkCredentialsInvalid records that the portal refused a login, when that
// login is the tenant's stored one; a refused new password leaves the
// stored login as it is.
func (s *Store) MarkCredentialsInvalid(ctx context.Context, tenant hoadon.Tenant, company, digest, reason string) error {
	ref := s.credentialsRef(tenant, company)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if notFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		var d credentialDoc
		if err := snap.DataTo(&d); err != nil || d.Digest != digest {
			return err
		}
		return tx.Update(ref, []firestore.Update{{Path: "invalid", Value: reason}})
	})
	return classify("MarkCredentialsInvalid", err)
}
