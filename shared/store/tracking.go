package store

import (
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Portal status tracking: each catalogue entry keeps the invoice's portal
// status (tthai) as the last listing showed it, the history of its changes
// and its links to related invoices (a replacement or adjustment and its
// original, recorded on both). Every listing that covers the invoice's
// month compares; a change is recorded, counted in the month's cell and
// reported by an event, all in the transaction that records the listing.

// StatusEntry is one change of an invoice's portal status.
type StatusEntry struct {
	From     int                `firestore:"from"`
	To       int                `firestore:"to"`
	At       time.Time          `firestore:"at"`
	ImportID string             `firestore:"import_id"` // the import whose listing saw it
	Related  *hoadon.InvoiceKey `firestore:"related"`
}

// Relations of a Link.
const (
	RelOriginal    = "original"    // the invoice this replacement or adjustment names
	RelReplacement = "replacement" // an invoice that replaced this one
	RelAdjustment  = "adjustment"  // an invoice that adjusted this one
)

// Link relates two invoices of a company.
type Link struct {
	Rel string            `firestore:"rel"`
	Key hoadon.InvoiceKey `firestore:"key"`
	ID  string            `firestore:"id"` // the other invoice's catalogue id
}

// StatusChange is a change one listing saw, for the event that reports it.
type StatusChange struct {
	Invoice hoadon.Invoice // as listed: its TThai is the new status
	Old     int
	Related *hoadon.InvoiceKey
}

// listing applies one batch of listed invoices to the tenant's catalogue
// inside a transaction: it holds the entries read, the ones to write, the
// cell counter deltas and the changes seen.
type listing struct {
	s       *Store
	imp     hoadon.Import
	now     time.Time
	entries map[string]*CatalogueEntry // by invoice id; absent = not in the catalogue
	dirty   map[string]bool
	cells   *cellDeltas
	changes []StatusChange
}

// catalogueRefs lists the catalogue entries a batch needs: each invoice's
// and each original a replacement or adjustment names.
func (s *Store) catalogueRefs(imp hoadon.Import, batch []hoadon.Invoice) ([]string, []*firestore.DocumentRef) {
	var ids []string
	var refs []*firestore.DocumentRef
	seen := map[string]bool{}
	addID := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
			refs = append(refs, s.catalogueRef(imp.Tenant.OrDefault(), imp.Params.CompanyID, id))
		}
	}
	for _, inv := range batch {
		addID(inv.ID)
	}
	for _, inv := range batch {
		if inv.Original != nil {
			addID(inv.Original.ID(imp.Params.CompanyID, inv.Flow.Direction()))
		}
	}
	return ids, refs
}

func (s *Store) newListing(imp hoadon.Import, ids []string, snaps []*firestore.DocumentSnapshot) (*listing, error) {
	l := &listing{s: s, imp: imp, now: s.now().UTC(), entries: map[string]*CatalogueEntry{}, dirty: map[string]bool{}, cells: newCellDeltas()}
	for i, snap := range snaps {
		if !snap.Exists() {
			continue
		}
		var e CatalogueEntry
		if err := snap.DataTo(&e); err != nil {
			return nil, err
		}
		l.entries[ids[i]] = &e
	}
	return l, nil
}

func (l *listing) cell(e *CatalogueEntry) *firestore.DocumentRef {
	return l.s.monthRef(l.imp.Tenant.OrDefault(), l.imp.Params.CompanyID, e.Month, e.Flow)
}

// observe records a batch of listed invoices: first every entry and link,
// so that a change to 4 or 5 names the replacement or adjustment listed in
// the same batch wherever the portal's order puts it; then the status
// changes.
func (l *listing) observe(batch []hoadon.Invoice) {
	for _, inv := range batch {
		l.record(inv)
	}
	for _, inv := range batch {
		l.compare(inv)
	}
}

// record makes sure a listed invoice has its entry (a new one is counted
// in its month) and its link to the original it names.
func (l *listing) record(inv hoadon.Invoice) {
	e := l.entries[inv.ID]
	switch {
	case e == nil:
		e = &CatalogueEntry{ID: inv.ID, Status: hoadon.StatusDiscovered, Key: inv.Key, Flow: inv.Flow,
			Direction: inv.Flow.Direction(), Date: inv.Date, ImportID: l.imp.ID, TThai: inv.TThai}
		l.entries[inv.ID] = e
		l.count(e)
	case e.Month == "": // written before completeness was kept: count it once now
		l.count(e)
	}
	if inv.Original != nil {
		l.link(e, inv)
	}
}

// compare records a change of the listed portal status.
func (l *listing) compare(inv hoadon.Invoice) {
	e := l.entries[inv.ID]
	if inv.TThai != 0 && inv.TThai != e.TThai {
		if e.TThai != 0 {
			rel := e.changedBy(inv.TThai)
			e.History = append(e.History, StatusEntry{From: e.TThai, To: inv.TThai, At: l.now, ImportID: l.imp.ID, Related: rel})
			l.changes = append(l.changes, StatusChange{Invoice: inv, Old: e.TThai, Related: rel})
			l.cells.add(l.cell(e), e.ID, cStatusChanges, 1)
		}
		e.TThai = inv.TThai
		l.dirty[e.ID] = true
	}
}

// count adds an entry to its month's cell: discovered, and its status.
func (l *listing) count(e *CatalogueEntry) {
	e.Month = MonthOf(e.Date)
	cell := l.cell(e)
	l.cells.add(cell, e.ID, cDiscovered, 1)
	l.cells.move(cell, e.ID, "", e.Status)
	l.dirty[e.ID] = true
}

// link records a replacement or adjustment and its original on both
// entries (on the original only when it is in the catalogue).
func (l *listing) link(e *CatalogueEntry, inv hoadon.Invoice) {
	origID := inv.Original.ID(l.imp.Params.CompanyID, inv.Flow.Direction())
	if e.addLink(Link{Rel: RelOriginal, Key: *inv.Original, ID: origID}) {
		l.dirty[e.ID] = true
	}
	rel := RelReplacement
	if inv.TThai == 3 || inv.TThai == 5 {
		rel = RelAdjustment
	}
	if o := l.entries[origID]; o != nil && o.addLink(Link{Rel: rel, Key: inv.Key, ID: inv.ID}) {
		l.dirty[origID] = true
	}
}

// write stores the changed entries and the counters.
func (l *listing) write(tx *firestore.Transaction) error {
	for id := range l.dirty {
		if err := tx.Set(l.s.catalogueRef(l.imp.Tenant.OrDefault(), l.imp.Params.CompanyID, id), *l.entries[id]); err != nil {
			return err
		}
	}
	return l.cells.write(tx)
}

// addLink adds a link unless the entry has it; it reports whether it did.
func (e *CatalogueEntry) addLink(k Link) bool {
	for _, have := range e.Related {
		if have.ID == k.ID && have.Rel == k.Rel {
			return false
		}
	}
	e.Related = append(e.Related, k)
	return true
}

// changedBy is the invoice behind a change to status to: the latest
// replacement (4) or adjustment (5) linked, or the original a replacement
// or adjustment names.
func (e *CatalogueEntry) changedBy(to int) *hoadon.InvoiceKey {
	want := map[int]string{4: RelReplacement, 5: RelAdjustment, 2: RelOriginal, 3: RelOriginal}[to]
	for i := len(e.Related) - 1; i >= 0; i-- {
		if e.Related[i].Rel == want {
			k := e.Related[i].Key
			return &k
		}
	}
	return nil
}

// settled reports whether the entry needs no more downloads.
func (e *CatalogueEntry) settled() bool {
	return e != nil && (e.Status == hoadon.StatusStored || e.Status == hoadon.StatusUnavailable)
}

// settleEntry takes an invoice's catalogue entry as the transaction read it
// (nil or missing: none yet) and returns the function
// that records a download's outcome on it and moves its month's counters:
// stored and unavailable settle it, failed marks it failed unless an
// earlier download had settled it (a failed forced re-download keeps the
// stored files).
func (s *Store) settleEntry(tx *firestore.Transaction, inv hoadon.Invoice, snap *firestore.DocumentSnapshot, out Outcome) (func() error, error) {
	tenant := inv.Tenant.OrDefault()
	ref := s.catalogueRef(tenant, inv.Company, inv.ID)
	e := &CatalogueEntry{ID: inv.ID, Status: hoadon.StatusDiscovered, Key: inv.Key, Flow: inv.Flow,
		Direction: inv.Flow.Direction(), Date: inv.Date, TThai: inv.TThai}
	if snap != nil && snap.Exists() {
		if err := snap.DataTo(e); err != nil {
			return nil, err
		}
	}
	return func() error {
		cells := newCellDeltas()
		if e.Month == "" { // new, or written before completeness was kept
			e.Month = MonthOf(e.Date)
			cell := s.monthRef(tenant, inv.Company, e.Month, e.Flow)
			cells.add(cell, e.ID, cDiscovered, 1)
			cells.move(cell, e.ID, "", e.Status)
		}
		if out.Status == hoadon.StatusFailed && e.settled() {
			return cells.write(tx)
		}
		cells.move(s.monthRef(tenant, inv.Company, e.Month, e.Flow), e.ID, e.Status, out.Status)
		e.Status, e.ImportID, e.Error = out.Status, inv.ImportID, out.Error
		if out.Status != hoadon.StatusFailed {
			e.Objects, e.SHA256, e.StoredAt = out.Objects, out.SHA256, s.now()
			e.Signatures, e.SignatureWarning = out.Signatures, out.Warning
		}
		if err := tx.Set(ref, *e); err != nil {
			return err
		}
		return cells.write(tx)
	}, nil
}
