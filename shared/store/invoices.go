package store

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// batchSize bounds the invoices handled in one transaction (Firestore allows
// 500 writes per commit; each invoice may take three).
const batchSize = 100

// registryDoc records that a company's invoice needs no more downloads:
// stored, or permanently without an original XML on the portal. Later
// imports skip it unless forced.
type registryDoc struct {
	Status   hoadon.InvoiceStatus `firestore:"status"`
	Key      hoadon.InvoiceKey    `firestore:"key"`
	Flow     hoadon.Flow          `firestore:"flow"`
	ImportID string               `firestore:"import_id"`
	Objects  hoadon.Objects       `firestore:"objects"`
	SHA256   string               `firestore:"sha256"`
	StoredAt time.Time            `firestore:"stored_at"`
}

// AddDiscovered records invoices found by discovery. An invoice already in the
// import is left as it is; a new one is skipped when the company's registry
// already holds it — stored, or known to have no original XML — unless
// force, discovered otherwise. It returns every
// invoice of the batch that is still discovered, new or not, so the caller
// (re-)enqueues its download: task names are deterministic, so enqueueing
// twice is harmless, and an enqueue lost in a crash is made good.
func (s *Store) AddDiscovered(ctx context.Context, importID, company string, force bool, invs []hoadon.Invoice) ([]hoadon.Invoice, error) {
	var pending []hoadon.Invoice
	for start := 0; start < len(invs); start += batchSize {
		batch := invs[start:min(start+batchSize, len(invs))]
		var got []hoadon.Invoice
		err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			var err error
			got, err = s.addBatch(tx, importID, company, force, batch)
			return err
		})
		if err != nil {
			return nil, gcp.Classify("store.AddDiscovered", err)
		}
		pending = append(pending, got...)
	}
	return pending, nil
}

func (s *Store) addBatch(tx *firestore.Transaction, importID, company string, force bool, batch []hoadon.Invoice) ([]hoadon.Invoice, error) {
	refs := make([]*firestore.DocumentRef, 0, 2*len(batch))
	for _, inv := range batch {
		refs = append(refs, s.invoiceRef(importID, inv.ID), s.registryRef(company, inv.ID))
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
		inv.ImportID, inv.Company, inv.UpdatedAt = importID, company, s.now()
		inv.Status = hoadon.StatusDiscovered
		if reg.Exists() && !force {
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
		return hoadon.Invoice{}, gcp.Classify("store.Invoice", err)
	}
	var inv hoadon.Invoice
	if err := snap.DataTo(&inv); err != nil {
		return hoadon.Invoice{}, gcp.Classify("store.Invoice", err)
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
	return inv, proceed, gcp.Classify("store.BeginDownload", err)
}

// Outcome is how a download ended.
type Outcome struct {
	Status    hoadon.InvoiceStatus // stored, unavailable or failed
	Objects   hoadon.Objects
	SHA256    string
	Error     string
	Signature string // seller signature status of a stored invoice
	Warning   string // what is wrong with it
}

// CompleteDownload moves an invoice to its final status once, records it in
// the company registry when stored, and writes the events that report it. It
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
	return inv, changed, gcp.Classify("store.CompleteDownload", err)
}

func (s *Store) complete(tx *firestore.Transaction, ref *firestore.DocumentRef, inv *hoadon.Invoice, out Outcome, events func(hoadon.Invoice) ([]OutboxEvent, error)) error {
	d := deltas{}
	s.move(d, *inv, inv.Status, out.Status)
	inv.Status, inv.Objects, inv.SHA256, inv.Error, inv.UpdatedAt = out.Status, out.Objects, out.SHA256, out.Error, s.now()
	inv.Signature, inv.Warning = out.Signature, out.Warning
	if err := tx.Set(ref, *inv); err != nil {
		return err
	}
	if out.Status == hoadon.StatusStored || out.Status == hoadon.StatusUnavailable {
		reg := registryDoc{Status: out.Status, Key: inv.Key, Flow: inv.Flow, ImportID: inv.ImportID, Objects: out.Objects, SHA256: out.SHA256, StoredAt: s.now()}
		if err := tx.Set(s.registryRef(inv.Company, inv.ID), reg); err != nil {
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
			return gcp.Classify("store.Invoices", err)
		}
		var inv hoadon.Invoice
		if err := snap.DataTo(&inv); err != nil {
			return gcp.Classify("store.Invoices", err)
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
				return nil, gcp.Classify("store.Stale", err)
			}
			var inv hoadon.Invoice
			if err := snap.DataTo(&inv); err != nil {
				it.Stop()
				return nil, gcp.Classify("store.Stale", err)
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

// Registered reports whether a company's registry holds an invoice.
func (s *Store) Registered(ctx context.Context, company, invoiceID string) (bool, error) {
	_, err := s.registryRef(company, invoiceID).Get(ctx)
	if notFound(err) {
		return false, nil
	}
	return err == nil, gcp.Classify("store.Registered", err)
}
