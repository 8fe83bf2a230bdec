package store

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// batchSize bounds the invoices handled in one transaction (Firestore allows
// 500 writes per commit; each invoice may take three).
const batchSize = 100

// CatalogueEntry records that a tenant's invoice of a company needs no more
// downloads: stored, or permanently without an original XML on the portal.
// Later imports of the tenant skip it unless forced.
type CatalogueEntry struct {
	ID        string               `firestore:"id"`
	Status    hoadon.InvoiceStatus `firestore:"status"`
	Key       hoadon.InvoiceKey    `firestore:"key"`
	Flow      hoadon.Flow          `firestore:"flow"`
	Direction hoadon.Direction     `firestore:"direction"`
	Date      string               `firestore:"date"` // issue date, YYYY-MM-DD
	ImportID  string               `firestore:"import_id"`
	Objects   hoadon.Objects       `firestore:"objects"`
	SHA256    string               `firestore:"sha256"`
	StoredAt  time.Time            `firestore:"stored_at"`
}

// AddDiscovered records invoices found by discovery. An invoice already in the
// import is left as it is; a new one is skipped when the tenant's catalogue
// of the company already holds it — stored, or known to have no original XML — unless
// force, discovered otherwise. It returns every
// invoice of the batch that is still discovered, new or not, so the caller
// (re-)enqueues its download: task names are deterministic, so enqueueing
// twice is harmless, and an enqueue lost in a crash is made good.
func (s *Store) AddDiscovered(ctx context.Context, imp hoadon.Import, invs []hoadon.Invoice) ([]hoadon.Invoice, error) {
	var pending []hoadon.Invoice
	for start := 0; start < len(invs); start += batchSize {
		batch := invs[start:min(start+batchSize, len(invs))]
		var got []hoadon.Invoice
		err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			var err error
			got, err = s.addBatch(tx, imp, batch)
			return err
		})
		if err != nil {
			return nil, classify("AddDiscovered", err)
		}
		pending = append(pending, got...)
	}
	return pending, nil
}

func (s *Store) addBatch(tx *firestore.Transaction, imp hoadon.Import, batch []hoadon.Invoice) ([]hoadon.Invoice, error) {
	tenant, company := imp.Tenant.OrDefault(), imp.Params.CompanyID
	refs := make([]*firestore.DocumentRef, 0, 2*len(batch))
	for _, inv := range batch {
		refs = append(refs, s.invoiceRef(imp.ID, inv.ID), s.catalogueRef(tenant, company, inv.ID))
	}
	snaps, err := tx.GetAll(refs)
	if err != nil {
		return nil, err
	}
	d := deltas{}
	var pending []hoadon.Invoice
	for i, inv := range batch {
		cur, reg := snaps[2*i], snaps[2*i+1]
		if cur.Exists() {
			var old hoadon.Invoice
			if err := cur.DataTo(&old); err != nil {
				return nil, err
			}
			if old.Status == hoadon.StatusDiscovered {
				pending = append(pending, old)
			}
			continue
		}
		inv.ImportID, inv.Tenant, inv.Company, inv.UpdatedAt = imp.ID, tenant, company, s.now()
		inv.Status = hoadon.StatusDiscovered
		if reg.Exists() && !imp.Params.Force {
			inv.Status = hoadon.StatusSkipped
		} else {
			pending = append(pending, inv)
		}
		if err := tx.Create(refs[2*i], inv); err != nil {
			return nil, err
		}
		s.move(d, inv, "", inv.Status)
	}
	return pending, d.write(tx)
}

// Invoice returns one invoice of an import.
func (s *Store) Invoice(ctx context.Context, importID, invoiceID string) (hoadon.Invoice, error) {
	snap, err := s.invoiceRef(importID, invoiceID).Get(ctx)
	if err != nil {
		return hoadon.Invoice{}, classify("Invoice", err)
	}
	var inv hoadon.Invoice
	if err := snap.DataTo(&inv); err != nil {
		return hoadon.Invoice{}, classify("Invoice", err)
	}
	return inv, nil
}

// BeginDownload moves an invoice to downloading and counts the attempt. It
// reports proceed false when the invoice is already final (a duplicate or
// late delivery of its task), in which case there is nothing to do.
func (s *Store) BeginDownload(ctx context.Context, importID, invoiceID string) (hoadon.Invoice, bool, error) {
	ref := s.invoiceRef(importID, invoiceID)
	var inv hoadon.Invoice
	var proceed bool
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err != nil {
			return err
		}
		if err := snap.DataTo(&inv); err != nil {
			return err
		}
		proceed = !inv.Status.Final()
		if !proceed {
			return nil
		}
		d := deltas{}
		if inv.Status != hoadon.StatusDownloading {
			s.move(d, inv, inv.Status, hoadon.StatusDownloading)
			inv.Status = hoadon.StatusDownloading
		}
		inv.Attempts++
		inv.UpdatedAt = s.now()
		if err := tx.Set(ref, inv); err != nil {
			return err
		}
		return d.write(tx)
	})
	return inv, proceed, classify("BeginDownload", err)
}

// Outcome is how a download ended.
type Outcome struct {
	Status  hoadon.InvoiceStatus // stored, unavailable or failed
	Objects hoadon.Objects
	SHA256  string
	Error   string
}

// CompleteDownload moves an invoice to its final status once, records it in
// the tenant's catalogue when stored, and writes the events that report it. It
// reports false when the invoice was already final (nothing written).
func (s *Store) CompleteDownload(ctx context.Context, importID, invoiceID string, out Outcome, events func(hoadon.Invoice) ([]OutboxEvent, error)) (hoadon.Invoice, bool, error) {
	if !out.Status.Final() || out.Status == hoadon.StatusSkipped {
		return hoadon.Invoice{}, false, hoadon.Errorf(hoadon.CodeInvalid, "store.CompleteDownload: %q is not a download outcome", out.Status)
	}
	ref := s.invoiceRef(importID, invoiceID)
	var inv hoadon.Invoice
	var changed bool
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err != nil {
			return err
		}
		if err := snap.DataTo(&inv); err != nil {
			return err
		}
		if changed = !inv.Status.Final(); !changed {
			return nil
		}
		return s.complete(tx, ref, &inv, out, events)
	})
	return inv, changed, classify("CompleteDownload", err)
}

func (s *Store) complete(tx *firestore.Transaction, ref *firestore.DocumentRef, inv *hoadon.Invoice, out Outcome, events func(hoadon.Invoice) ([]OutboxEvent, error)) error {
	d := deltas{}
	s.move(d, *inv, inv.Status, out.Status)
	inv.Status, inv.Objects, inv.SHA256, inv.Error, inv.UpdatedAt = out.Status, out.Objects, out.SHA256, out.Error, s.now()
	if err := tx.Set(ref, *inv); err != nil {
		return err
	}
	if out.Status == hoadon.StatusStored || out.Status == hoadon.StatusUnavailable {
		reg := CatalogueEntry{ID: inv.ID, Status: out.Status, Key: inv.Key, Flow: inv.Flow, Direction: inv.Flow.Direction(), Date: inv.Date, ImportID: inv.ImportID, Objects: out.Objects, SHA256: out.SHA256, StoredAt: s.now()}
		if err := tx.Set(s.catalogueRef(inv.Tenant, inv.Company, inv.ID), reg); err != nil {
			return err
		}
	}
	if err := d.write(tx); err != nil {
		return err
	}
	if events == nil {
		return nil
	}
	evs, err := events(*inv)
	if err != nil {
		return err
	}
	return s.putEvents(tx, inv.ImportID, evs)
}

// Invoices calls fn for every invoice of an import in id order, optionally
// only those in one status.
func (s *Store) Invoices(ctx context.Context, importID string, only hoadon.InvoiceStatus, fn func(hoadon.Invoice) error) error {
	q := s.importRef(importID).Collection(colInvoices).Query
	if only != "" {
		q = q.Where("status", "==", string(only))
	}
	it := q.Documents(ctx)
	defer it.Stop()
	for {
		snap, err := it.Next()
		if err == iterator.Done {
			return nil
		}
		if err != nil {
			return classify("Invoices", err)
		}
		var inv hoadon.Invoice
		if err := snap.DataTo(&inv); err != nil {
			return classify("Invoices", err)
		}
		if err := fn(inv); err != nil {
			return err
		}
	}
}

// Stale returns up to limit invoices of an import that are still discovered
// or downloading and were last touched before olderThan: candidates for
// enqueueing again after a lost task.
func (s *Store) Stale(ctx context.Context, importID string, olderThan time.Time, limit int) ([]hoadon.Invoice, error) {
	var out []hoadon.Invoice
	for _, st := range []hoadon.InvoiceStatus{hoadon.StatusDiscovered, hoadon.StatusDownloading} {
		it := s.importRef(importID).Collection(colInvoices).Where("status", "==", string(st)).
			Where("updated_at", "<", olderThan).Limit(limit - len(out)).Documents(ctx)
		for len(out) < limit {
			snap, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				it.Stop()
				return nil, classify("Stale", err)
			}
			var inv hoadon.Invoice
			if err := snap.DataTo(&inv); err != nil {
				it.Stop()
				return nil, classify("Stale", err)
			}
			out = append(out, inv)
		}
		it.Stop()
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// Registered reports whether a tenant's catalogue of a company holds an
// invoice.
func (s *Store) Registered(ctx context.Context, tenant hoadon.Tenant, company, invoiceID string) (bool, error) {
	_, err := s.catalogueRef(tenant, company, invoiceID).Get(ctx)
	if notFound(err) {
		return false, nil
	}
	return err == nil, classify("Registered", err)
}
