package store

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// batchSize bounds the invoices handled in one transaction (Firestore allows
// 500 writes per commit; each invoice may take three).
const batchSize = 100

// AddDiscovered records invoices found by discovery. An invoice already in the
// import is left as it is; a new one is skipped when the tenant's catalogue
// of the company already holds it — stored, or known to have no original XML — unless
// force, discovered otherwise. It returns every
// invoice of the batch that is still discovered, new or not, so the caller
// (re-)enqueues its download: task names are deterministic, so enqueueing
// twice is harmless, and an enqueue lost in a crash is made good.
//
// Each listed invoice is also recorded in the tenant's catalogue (see
// tracking.go): a new one is counted in its month's completeness, a known
// one whose portal status changed gets the change in its history, counted,
// and reported by the events changed builds, in the same transaction.
func (s *Store) AddDiscovered(ctx context.Context, imp hoadon.Import, invs []hoadon.Invoice, changed func([]StatusChange) ([]OutboxEvent, error)) ([]hoadon.Invoice, error) {
	var pending []hoadon.Invoice
	for start := 0; start < len(invs); start += batchSize {
		batch := invs[start:min(start+batchSize, len(invs))]
		var got []hoadon.Invoice
		err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			var err error
			got, err = s.addBatch(tx, imp, batch, changed)
			return err
		})
		if err != nil {
			return nil, gcp.Classify("store.AddDiscovered", err)
		}
		pending = append(pending, got...)
	}
	return pending, nil
}

func (s *Store) addBatch(tx *firestore.Transaction, imp hoadon.Import, batch []hoadon.Invoice, changed func([]StatusChange) ([]OutboxEvent, error)) ([]hoadon.Invoice, error) {
	importID, company, force := imp.ID, imp.Params.CompanyID, imp.Params.Force
	tenant := imp.Tenant.OrDefault()
	refs := make([]*firestore.DocumentRef, 0, 2*len(batch))
	for _, inv := range batch {
		refs = append(refs, s.invoiceRef(importID, inv.ID))
	}
	catIDs, catRefs := s.catalogueRefs(imp, batch)
	snaps, err := tx.GetAll(append(refs, catRefs...))
	if err != nil {
		return nil, err
	}
	l, err := s.newListing(imp, catIDs, snaps[len(batch):])
	if err != nil {
		return nil, err
	}
	l.observe(batch)
	d := deltas{}
	var pending []hoadon.Invoice
	for i, inv := range batch {
		cur, entry := snaps[i], l.entries[inv.ID]
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
		if entry.settled() && !force {
			inv.Status = hoadon.StatusSkipped
		} else {
			pending = append(pending, inv)
		}
		if err := tx.Create(refs[i], inv); err != nil {
			return nil, err
		}
		s.move(d, inv, "", inv.Status)
	}
	if err := d.write(tx); err != nil {
		return nil, err
	}
	if err := l.write(tx); err != nil {
		return nil, err
	}
	if changed == nil { // called even without changes: a retried transaction replaces what it built
		return pending, nil
	}
	evs, err := changed(l.changes)
	if err != nil {
		return nil, err
	}
	return pending, s.putEvents(tx, imp.Tenant, importID, evs)
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
	Status  hoadon.InvoiceStatus // stored, unavailable or failed
	Objects hoadon.Objects
	SHA256  string
	Error   string
	// Signatures is the verdict on each XML signature of a stored invoice
	// (the seller's first when missing); Signature the seller's status and
	// Warning what is wrong with it, empty when nothing is.
	Signatures []xmlsig.Result
	Signature  string
	Warning    string
}

// CompleteDownload moves an invoice to its final status once, records it in
// the tenant's catalogue when stored, and writes the events that report it. It
// reports false when the invoice was already final (nothing written). begun
// is the invoice as BeginDownload returned it: its ImportID and ID name the
// invoice, its Tenant and Company the catalogue entry, and both are read in
// one round trip (the entry again when the stored invoice names another).
func (s *Store) CompleteDownload(ctx context.Context, begun hoadon.Invoice, out Outcome, events func(hoadon.Invoice) ([]OutboxEvent, error)) (hoadon.Invoice, bool, error) {
	if !out.Status.Final() || out.Status == hoadon.StatusSkipped {
		return hoadon.Invoice{}, false, hoadon.Errorf(hoadon.CodeInvalid, "store.CompleteDownload: %q is not a download outcome", out.Status)
	}
	refs := []*firestore.DocumentRef{s.invoiceRef(begun.ImportID, begun.ID)}
	if begun.Company != "" {
		refs = append(refs, s.catalogueRef(begun.Tenant.OrDefault(), begun.Company, begun.ID))
	}
	var inv hoadon.Invoice
	var changed bool
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		inv, changed = hoadon.Invoice{}, false
		snaps, err := tx.GetAll(refs)
		if err != nil {
			return err
		}
		if !snaps[0].Exists() {
			return hoadon.Errorf(hoadon.CodeNotFound, "store.CompleteDownload: no invoice %s in import %s", begun.ID, begun.ImportID)
		}
		if err := snaps[0].DataTo(&inv); err != nil {
			return err
		}
		if changed = !inv.Status.Final(); !changed {
			return nil
		}
		own := s.catalogueRef(inv.Tenant.OrDefault(), inv.Company, inv.ID)
		var cat *firestore.DocumentSnapshot
		if len(snaps) > 1 && refs[1].Path == own.Path {
			cat = snaps[1]
		} else if cat, err = tx.Get(own); err != nil && !notFound(err) {
			return err
		}
		return s.complete(tx, refs[0], &inv, cat, out, events)
	})
	return inv, changed, gcp.Classify("store.CompleteDownload", err)
}

// complete writes a download's outcome; cat is the invoice's catalogue
// entry as read in the same transaction (it may not exist).
func (s *Store) complete(tx *firestore.Transaction, ref *firestore.DocumentRef, inv *hoadon.Invoice, cat *firestore.DocumentSnapshot, out Outcome, events func(hoadon.Invoice) ([]OutboxEvent, error)) error {
	settle, err := s.settleEntry(tx, *inv, cat, out)
	if err != nil {
		return err
	}
	d := deltas{}
	s.move(d, *inv, inv.Status, out.Status)
	inv.Status, inv.Objects, inv.SHA256, inv.Error, inv.UpdatedAt = out.Status, out.Objects, out.SHA256, out.Error, s.now()
	inv.Signature, inv.Warning = out.Signature, out.Warning
	if err := tx.Set(ref, *inv); err != nil {
		return err
	}
	if err := settle(); err != nil {
		return err
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
	return s.putEvents(tx, inv.Tenant, inv.ImportID, evs)
}

// Invoices calls fn for every invoice of an import in id order, optionally
// only those in one status.
func (s *Store) Invoices(ctx context.Context, importID string, only hoadon.InvoiceStatus, fn func(hoadon.Invoice) error) error {
	q := QueryInvoicesOfImport.On(s.importRef(importID))
	if only != "" {
		q = QueryInvoicesInStatus.On(s.importRef(importID), string(only))
	}
	return eachDoc(q.Documents(ctx), "store.Invoices", fn)
}

// Stale returns up to limit invoices of an import that are still discovered
// or downloading and were last touched before olderThan: candidates for
// enqueueing again after a lost task.
func (s *Store) Stale(ctx context.Context, importID string, olderThan time.Time, limit int) ([]hoadon.Invoice, error) {
	var out []hoadon.Invoice
	for _, st := range []hoadon.InvoiceStatus{hoadon.StatusDiscovered, hoadon.StatusDownloading} {
		it := QueryInvoicesStale.On(s.importRef(importID), string(st), olderThan).Limit(limit - len(out)).Documents(ctx)
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

// Registered reports whether a tenant's catalogue of a company holds an
// invoice that needs no more downloads (stored, or known unavailable).
func (s *Store) Registered(ctx context.Context, tenant hoadon.Tenant, company, invoiceID string) (bool, error) {
	snap, err := s.catalogueRef(tenant, company, invoiceID).Get(ctx)
	if notFound(err) {
		return false, nil
	}
	if err != nil {
		return false, gcp.Classify("store.Registered", err)
	}
	var e CatalogueEntry
	if err := snap.DataTo(&e); err != nil {
		return false, gcp.Classify("store.Registered", err)
	}
	return e.settled(), nil
}
