package store

import (
	"context"
	"slices"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Login is a portal login: the username, the password sealed by secret.Box
// for CredentialsLabel and a keyed digest of both (LoginDigest), so two
// logins compare without opening either.
type Login struct {
	Username       string `firestore:"username"`
	SealedPassword string `firestore:"password"`
	Digest         string `firestore:"digest"`
	// Own is set on the login ImportLogin read from the import itself
	// (not the tenant's stored one): it is fixed while the import runs.
	Own bool `firestore:"-"`
}

// Digester computes keyed digests (secret.Box).
type Digester interface {
	Digest(where string, parts ...[]byte) string
}

// LoginDigest is the digest of a company's portal login. It does not depend
// on the tenant: two tenants holding the same login of an account share its
// portal session.
func LoginDigest(d Digester, company, username string, password []byte) string {
	return d.Digest("logins/"+company, []byte(username), password)
}

// credentialDoc is a tenant's stored login of a company: the last one the
// portal accepted. Documents from before digests were kept have none.
type credentialDoc struct {
	Username       string `firestore:"username"`
	SealedPassword string `firestore:"password"`
	Digest         string `firestore:"digest"`
	// Invalid is set when the portal refused this very login, so nothing
	// tries it again (the portal locks accounts) until another is accepted.
	Invalid string `firestore:"invalid"`
	// Refused are the digests of the logins the portal refused for this
	// tenant's company (the newest last, at most maxRefused), stored or
	// not: a schedule holding one of them skips its runs instead of
	// spending a refused login on each (the portal locks accounts). An
	// accepted login leaves the list but its own digest.
	Refused []string `firestore:"refused"`
	// RefusedReason is why the newest of Refused was refused (the code).
	RefusedReason string `firestore:"refused_reason"`
}

// maxRefused bounds the refused digests kept per company.
const maxRefused = 8

func (d credentialDoc) login() Login {
	return Login{Username: d.Username, SealedPassword: d.SealedPassword, Digest: d.Digest}
}

// is reports whether the stored login is l: the same digest, or the very
// sealed value (a login taken from a document written before digests).
func (d credentialDoc) is(l Login) bool {
	return d.SealedPassword != "" && d.Username == l.Username &&
		(d.Digest != "" && d.Digest == l.Digest || d.SealedPassword == l.SealedPassword)
}

// importLoginRef holds the login an import was started with
// (imports/{id}/credentials/login): the import logs in with it, and it
// becomes the tenant's stored login only once the portal accepted it.
func (s *Store) importLoginRef(importID string) *firestore.DocumentRef {
	return s.importRef(importID).Collection(colCredentials).Doc("login")
}

// Credentials returns a tenant's stored login of a company. It fails with
// CodeNotFound when there is none and with CodeBadCredentials when the
// portal refused it, so nothing tries it again and locks the account.
func (s *Store) Credentials(ctx context.Context, tenant hoadon.Tenant, company string) (Login, error) {
	d, err := s.credentials(ctx, tenant, company)
	switch {
	case err != nil:
		return Login{}, err
	case d.SealedPassword == "":
		return Login{}, hoadon.Errorf(hoadon.CodeNotFound, "no stored portal login for %s", company)
	case d.Invalid != "":
		return Login{}, hoadon.Errorf(hoadon.CodeBadCredentials, "the portal refused this company's password earlier (%s); start an import with the right password", d.Invalid)
	}
	return d.login(), nil
}

func (s *Store) credentials(ctx context.Context, tenant hoadon.Tenant, company string) (credentialDoc, error) {
	snap, err := s.credentialsRef(tenant, company).Get(ctx)
	if err != nil {
		return credentialDoc{}, gcp.Classify("store.Credentials", err)
	}
	var d credentialDoc
	return d, gcp.Classify("store.Credentials", snap.DataTo(&d))
}

// ImportLogin returns the login an import was started with. Imports from
// before logins were kept per import have none: they use the tenant's
// stored login, as they did.
func (s *Store) ImportLogin(ctx context.Context, imp hoadon.Import) (Login, error) {
	snap, err := s.importLoginRef(imp.ID).Get(ctx)
	if notFound(err) {
		return s.Credentials(ctx, imp.Tenant, imp.Params.CompanyID)
	}
	if err != nil {
		return Login{}, gcp.Classify("store.ImportLogin", err)
	}
	l := Login{Own: true}
	return l, gcp.Classify("store.ImportLogin", snap.DataTo(&l))
}

// AcceptLogin makes a login the portal accepted the tenant's stored login
// of the company, clearing an earlier refusal. It writes nothing when that
// login is stored already.
func (s *Store) AcceptLogin(ctx context.Context, tenant hoadon.Tenant, company string, l Login) error {
	ref := s.credentialsRef(tenant, company)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		d, err := txCredentials(tx, ref)
		if err != nil || d.is(l) && d.Invalid == "" && d.Digest != "" && !slices.Contains(d.Refused, l.Digest) {
			return err
		}
		refused := slices.DeleteFunc(d.Refused, func(x string) bool { return x == l.Digest })
		reason := d.RefusedReason
		if len(refused) == 0 {
			reason = ""
		}
		return tx.Set(ref, credentialDoc{Username: l.Username, SealedPassword: l.SealedPassword, Digest: l.Digest,
			Refused: refused, RefusedReason: reason})
	})
	return gcp.Classify("store.AcceptLogin", err)
}

// MarkCredentialsInvalid records that the portal refused a login (reason:
// the error code): its digest joins the company's refused logins, and the
// stored login is marked invalid when it is that login; a refused new
// password leaves the stored login as it is.
func (s *Store) MarkCredentialsInvalid(ctx context.Context, tenant hoadon.Tenant, company string, l Login, reason string) error {
	ref := s.credentialsRef(tenant, company)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		d, err := txCredentials(tx, ref)
		if err != nil {
			return err
		}
		f := map[string]any{"refused_reason": reason}
		if l.Digest != "" {
			refused := append(slices.DeleteFunc(d.Refused, func(x string) bool { return x == l.Digest }), l.Digest)
			f["refused"] = refused[max(0, len(refused)-maxRefused):]
		}
		if d.is(l) {
			f["invalid"] = reason
		}
		return tx.Set(ref, f, firestore.MergeAll)
	})
	return gcp.Classify("store.MarkCredentialsInvalid", err)
}

// LoginState is what a tenant knows of its logins of a company: the
// stored login (empty when none was accepted), whether the portal refused
// it since, and the digests of every login it refused.
type LoginState struct {
	Stored  Login
	Invalid string   // why the portal refused the stored login; "" when it did not
	Refused []string // digests of refused logins, the newest last
	Reason  string   // why the newest of Refused was refused
}

// IsRefused reports whether the portal refused the login with this digest.
func (st LoginState) IsRefused(digest string) bool {
	return digest != "" && (slices.Contains(st.Refused, digest) || st.Invalid != "" && st.Stored.Digest == digest)
}

// Usable reports whether the stored login may be tried: the portal
// accepted it and has not refused it since.
func (st LoginState) Usable() bool {
	return st.Stored.SealedPassword != "" && st.Invalid == "" && !st.IsRefused(st.Stored.Digest)
}

// LoginState reads a tenant's logins of a company (all zero when none).
func (s *Store) LoginState(ctx context.Context, tenant hoadon.Tenant, company string) (LoginState, error) {
	d, err := s.credentials(ctx, tenant, company)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		return LoginState{}, nil
	}
	if err != nil {
		return LoginState{}, err
	}
	st := LoginState{Invalid: d.Invalid, Refused: d.Refused, Reason: d.RefusedReason}
	if d.SealedPassword != "" {
		st.Stored = d.login()
	}
	if st.Reason == "" {
		st.Reason = d.Invalid
	}
	return st, nil
}

func txCredentials(tx *firestore.Transaction, ref *firestore.DocumentRef) (credentialDoc, error) {
	var d credentialDoc
	snap, err := tx.Get(ref)
	if notFound(err) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	return d, snap.DataTo(&d)
}
