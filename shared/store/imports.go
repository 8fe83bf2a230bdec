package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// CreateRequest is everything needed to record a new import.
type CreateRequest struct {
	Import         hoadon.Import // ID, Params and CreatedAt set by the caller
	Login          Login         // the login the import was started with; stored once the portal accepts it
	IdempotencyKey string        // optional, from the client's Idempotency-Key header
	// Events are written only when a new import is created.
	Events func(hoadon.Import) ([]OutboxEvent, error)
}

type activeDoc struct {
	ImportID string `firestore:"import_id"`
}

type idemDoc struct {
	ImportID    string `firestore:"import_id"`
	Fingerprint string `firestore:"fingerprint"`
}

// CreateImport records a new import, or returns the live import with the
// same parameters (created false), or the import an Idempotency-Key already
// named. A key reused with different parameters is a conflict.
func (s *Store) CreateImport(ctx context.Context, req CreateRequest) (hoadon.Import, bool, error) {
	req.Import.Tenant = req.Import.Tenant.OrDefault()
	fp := req.Import.Fingerprint()
	activeRef := s.fs.Collection(colActive).Doc(fp)
	var idemRef *firestore.DocumentRef
	if req.IdempotencyKey != "" {
		scope := req.Import.Params.CompanyID
		if req.Import.Tenant != hoadon.DefaultTenant {
			scope = string(req.Import.Tenant) + "|" + scope
		}
		sum := sha256.Sum256([]byte(scope + "|" + req.IdempotencyKey))
		idemRef = s.fs.Collection(colIdempotency).Doc(hex.EncodeToString(sum[:16]))
	}
	var out hoadon.Import
	var created bool
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		created = false
		existing, err := s.existingImport(tx, activeRef, idemRef, fp)
		if err != nil || existing != nil {
			if existing != nil {
				out = *existing
				if idemRef != nil {
					return tx.Set(idemRef, idemDoc{ImportID: existing.ID, Fingerprint: fp})
				}
			}
			return err
		}
		out, created = req.Import, true
		return s.writeNewImport(tx, req, activeRef, idemRef, fp)
	})
	return out, created, gcp.Classify("store.CreateImport", err)
}

// existingImport returns the import that a request maps to, if any.
func (s *Store) existingImport(tx *firestore.Transaction, activeRef, idemRef *firestore.DocumentRef, fp string) (*hoadon.Import, error) {
	if idemRef != nil {
		snap, err := tx.Get(idemRef)
		if err == nil {
			var d idemDoc
			if err := snap.DataTo(&d); err != nil {
				return nil, err
			}
			if d.Fingerprint != fp {
				return nil, hoadon.Errorf(hoadon.CodeConflict, "Idempotency-Key was already used with different parameters (import %s)", d.ImportID)
			}
			return s.txImport(tx, d.ImportID)
		} else if !notFound(err) {
			return nil, err
		}
	}
	snap, err := tx.Get(activeRef)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var a activeDoc
	if err := snap.DataTo(&a); err != nil {
		return nil, err
	}
	imp, err := s.txImport(tx, a.ImportID)
	if err != nil || imp.State.Final() {
		return nil, err // a stale marker: create a new import
	}
	return imp, nil
}

func (s *Store) txImport(tx *firestore.Transaction, id string) (*hoadon.Import, error) {
	snap, err := tx.Get(s.importRef(id))
	if err != nil {
		return nil, err
	}
	var imp hoadon.Import
	if err := snap.DataTo(&imp); err != nil {
		return nil, err
	}
	imp.Tenant = imp.Tenant.OrDefault()
	return &imp, nil
}

func (s *Store) writeNewImport(tx *firestore.Transaction, req CreateRequest, activeRef, idemRef *firestore.DocumentRef, fp string) error {
	imp := req.Import
	if err := tx.Create(s.importRef(imp.ID), imp); err != nil {
		return err
	}
	if err := tx.Set(activeRef, activeDoc{ImportID: imp.ID}); err != nil {
		return err
	}
	if idemRef != nil {
		if err := tx.Set(idemRef, idemDoc{ImportID: imp.ID, Fingerprint: fp}); err != nil {
			return err
		}
	}
	if err := tx.Set(s.importLoginRef(imp.ID), req.Login); err != nil {
		return err
	}
	if req.Events == nil {
		return nil
	}
	evs, err := req.Events(imp)
	if err != nil {
		return err
	}
	return s.putEvents(tx, imp.Tenant, imp.ID, evs)
}

// Import returns one import; CodeNotFound if there is none.
func (s *Store) Import(ctx context.Context, id string) (hoadon.Import, error) {
	snap, err := s.importRef(id).Get(ctx)
	if err != nil {
		return hoadon.Import{}, gcp.Classify("store.Import", err)
	}
	var imp hoadon.Import
	if err := snap.DataTo(&imp); err != nil {
		return hoadon.Import{}, gcp.Classify("store.Import", err)
	}
	imp.Tenant = imp.Tenant.OrDefault()
	return imp, nil
}

// ListImports returns a tenant's imports of a company (all its companies
// when company is empty), newest first. Imports from before tenants existed
// carry no tenant field: hoadon migrate gives them the default tenant's.
func (s *Store) ListImports(ctx context.Context, tenant hoadon.Tenant, company string, limit int) ([]hoadon.Import, error) {
	q := QueryImportsOfTenant.On(s.fs, string(tenant.OrDefault()))
	if company != "" {
		q = QueryImportsOfTenantCompany.On(s.fs, string(tenant.OrDefault()), company)
	}
	it := q.Limit(limit).Documents(ctx)
	defer it.Stop()
	var out []hoadon.Import
	for {
		snap, err := it.Next()
		if err == iterator.Done {
			return out, nil
		}
		if err != nil {
			return nil, gcp.Classify("store.ListImports", err)
		}
		var imp hoadon.Import
		if err := snap.DataTo(&imp); err != nil {
			return nil, gcp.Classify("store.ListImports", err)
		}
		imp.Tenant = imp.Tenant.OrDefault()
		out = append(out, imp)
	}
}

// Update applies change to an import inside a transaction. change returns
// false to leave the import as it is; events are written only when it
// changed. It reports whether the import changed.
func (s *Store) Update(ctx context.Context, id string, change func(*hoadon.Import) bool, events func(hoadon.Import) ([]OutboxEvent, error)) (hoadon.Import, bool, error) {
	ref := s.importRef(id)
	var out hoadon.Import
	var changed bool
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		imp, err := s.txImport(tx, id)
		if err != nil {
			return err
		}
		out, changed = *imp, change(imp)
		if !changed {
			return nil
		}
		out = *imp
		if imp.State.Final() {
			if err := s.clearActive(tx, *imp); err != nil {
				return err
			}
		}
		if err := tx.Set(ref, *imp); err != nil {
			return err
		}
		if events == nil {
			return nil
		}
		evs, err := events(*imp)
		if err != nil {
			return err
		}
		return s.putEvents(tx, imp.Tenant, id, evs)
	})
	return out, changed, gcp.Classify("store.Update", err)
}

// clearActive removes the "running with these parameters" marker of an
// import that just became final, and the login it was started with:
// nothing logs in for it any more. The marker can only point at this
// import: while it was live, every start with the same parameters returned
// it.
func (s *Store) clearActive(tx *firestore.Transaction, imp hoadon.Import) error {
	if err := tx.Delete(s.importLoginRef(imp.ID)); err != nil {
		return err
	}
	return tx.Delete(s.fs.Collection(colActive).Doc(imp.Fingerprint()))
}

// Finish moves an import to a final state once; later calls change nothing
// and report false.
func (s *Store) Finish(ctx context.Context, id string, state hoadon.ImportState, reason string, events func(hoadon.Import) ([]OutboxEvent, error)) (hoadon.Import, bool, error) {
	return s.Update(ctx, id, func(imp *hoadon.Import) bool {
		if imp.State.Final() {
			return false
		}
		imp.State, imp.Reason, imp.FinishedAt = state, reason, s.now()
		return true
	}, events)
}

// Running returns the ids of the imports in state running.
func (s *Store) Running(ctx context.Context) ([]string, error) {
	docs, err := QueryImportsInState.On(s.fs, string(hoadon.ImportRunning)).Select().Documents(ctx).GetAll()
	if err != nil {
		return nil, gcp.Classify("store.Running", err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.Ref.ID
	}
	return ids, nil
}
