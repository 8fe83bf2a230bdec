package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Completeness of a tenant's company, month and flow (a "cell"), kept at
// write time:
//
//	tenants/{t}/companies/{mst}/months/{yyyy-mm}_{flow}              the last whole-month listing
//	tenants/{t}/companies/{mst}/months/{yyyy-mm}_{flow}/shards/s{n}  counters
//
// The counters move in the transactions that move catalogue entries
// (AddDiscovered, CompleteDownload), sharded like an import's progress so
// concurrent downloads of one month do not queue on one document;
// RecordListing sets the listing facts after a whole-month window was
// walked. Nothing scans invoices to draw the matrix: MonthCells reads the
// cells and their shards by key.
const (
	colMonths   = "months"
	monthShards = 4
)

// Counters of a cell.
const (
	cDiscovered    = "discovered"
	cStored        = "stored"
	cUnavailable   = "unavailable"
	cFailed        = "failed"
	cStatusChanges = "status_changes"
)

// monthDoc is a cell's listing facts.
type monthDoc struct {
	Month       string      `firestore:"month"`
	Flow        hoadon.Flow `firestore:"flow"`
	Listed      int         `firestore:"listed"`
	PortalTotal int         `firestore:"portal_total"` // -1: the portal reported none
	VerifiedAt  time.Time   `firestore:"verified_at"`
	VerifiedBy  string      `firestore:"verified_by"` // the import whose listing it was
}

type monthShardDoc struct {
	C map[string]int64 `firestore:"c"`
}

// MonthCell is the completeness of one company, month and flow.
type MonthCell struct {
	Month string // YYYY-MM, issue dates in Vietnam
	Flow  hoadon.Flow
	// Listed is how many invoices the last whole-month listing returned,
	// -1 when the month was never listed whole; PortalTotal is the portal's
	// own count for that listing (its "total"), -1 when it gave none.
	Listed, PortalTotal int
	VerifiedAt          time.Time // when that listing ended
	VerifiedBy          string    // the import (or recheck) that listed it
	// Discovered invoices of the month in the catalogue, and how many of
	// them are stored, unavailable (no original XML) or failed (last
	// download failed, not stored); StatusChanges is how many portal status
	// changes later listings saw.
	Discovered, Stored, Unavailable, Failed, StatusChanges int
}

// Verified reports whether a whole-month listing was recorded.
func (c MonthCell) Verified() bool { return c.Listed >= 0 }

// Gap is how many listed invoices are neither stored nor unavailable (0
// when the month was never listed whole).
func (c MonthCell) Gap() int {
	if !c.Verified() {
		return 0
	}
	return c.Listed - c.Stored - c.Unavailable
}

// MonthOf is the YYYY-MM of a YYYY-MM-DD issue date.
func MonthOf(date string) string {
	if len(date) < 7 {
		return ""
	}
	return date[:7]
}

func cellID(month string, f hoadon.Flow) string { return month + "_" + string(f) }

func (s *Store) monthRef(t hoadon.Tenant, company, month string, f hoadon.Flow) *firestore.DocumentRef {
	return s.tenantRef(t).Collection(colCompanies).Doc(company).Collection(colMonths).Doc(cellID(month, f))
}

func monthShardRef(cell *firestore.DocumentRef, n int) *firestore.DocumentRef {
	return cell.Collection(colShards).Doc(fmt.Sprintf("s%02d", n))
}

// cellDeltas collects counter changes of one transaction per shard
// document (a commit may write each document once).
type cellDeltas struct {
	refs map[string]*firestore.DocumentRef
	c    map[string]map[string]int64
}

func newCellDeltas() *cellDeltas {
	return &cellDeltas{refs: map[string]*firestore.DocumentRef{}, c: map[string]map[string]int64{}}
}

// add counts n on counter name of the cell of an invoice; the shard is
// picked by the invoice id.
func (d *cellDeltas) add(cell *firestore.DocumentRef, invoiceID, name string, n int64) {
	h := fnv.New32a()
	h.Write([]byte(invoiceID))
	ref := monthShardRef(cell, int(h.Sum32()%monthShards))
	if d.c[ref.Path] == nil {
		d.refs[ref.Path], d.c[ref.Path] = ref, map[string]int64{}
	}
	d.c[ref.Path][name] += n
}

func (d *cellDeltas) write(tx *firestore.Transaction) error {
	for path, counts := range d.c {
		m := map[string]any{}
		for name, n := range counts {
			if n != 0 {
				m[name] = firestore.Increment(n)
			}
		}
		if len(m) == 0 {
			continue
		}
		if err := tx.Set(d.refs[path], map[string]any{"c": m}, firestore.MergeAll); err != nil {
			return err
		}
	}
	return nil
}

// statusCounter is the cell counter of a catalogue status ("" for none).
func statusCounter(st hoadon.InvoiceStatus) string {
	switch st {
	case hoadon.StatusStored:
		return cStored
	case hoadon.StatusUnavailable:
		return cUnavailable
	case hoadon.StatusFailed:
		return cFailed
	}
	return ""
}

// move counts an entry leaving status from for status to in its cell.
func (d *cellDeltas) move(cell *firestore.DocumentRef, invoiceID string, from, to hoadon.InvoiceStatus) {
	if from == to {
		return
	}
	if c := statusCounter(from); c != "" {
		d.add(cell, invoiceID, c, -1)
	}
	if c := statusCounter(to); c != "" {
		d.add(cell, invoiceID, c, 1)
	}
}

// RecordListing records that a listing of a whole month of one flow ended:
// how many invoices it returned and the portal's own total (-1 if none).
// Repeating it (a retried window) just records the later listing.
func (s *Store) RecordListing(ctx context.Context, t hoadon.Tenant, company, month string, f hoadon.Flow, listed, portalTotal int, importID string) error {
	d := monthDoc{Month: month, Flow: f, Listed: listed, PortalTotal: portalTotal, VerifiedAt: s.now().UTC(), VerifiedBy: importID}
	_, err := s.monthRef(t, company, month, f).Set(ctx, d)
	return gcp.Classify("store.RecordListing", err)
}

// MonthCells reads the cells of a company for every month and flow given:
// one batched read by key of the cells and their shards.
func (s *Store) MonthCells(ctx context.Context, t hoadon.Tenant, company string, months []string, flows []hoadon.Flow) ([]MonthCell, error) {
	per := 1 + monthShards
	refs := make([]*firestore.DocumentRef, 0, len(months)*len(flows)*per)
	for _, m := range months {
		for _, f := range flows {
			cell := s.monthRef(t, company, m, f)
			refs = append(refs, cell)
			for n := 0; n < monthShards; n++ {
				refs = append(refs, monthShardRef(cell, n))
			}
		}
	}
	snaps, err := s.fs.GetAll(ctx, refs)
	if err != nil {
		return nil, gcp.Classify("store.MonthCells", err)
	}
	out := make([]MonthCell, 0, len(months)*len(flows))
	for i := 0; i < len(snaps); i += per {
		c, err := readCell(snaps[i : i+per])
		if err != nil {
			return nil, gcp.Classify("store.MonthCells", err)
		}
		m, f := months[i/per/len(flows)], flows[i/per%len(flows)]
		c.Month, c.Flow = m, f
		out = append(out, c)
	}
	return out, nil
}

func readCell(snaps []*firestore.DocumentSnapshot) (MonthCell, error) {
	c := MonthCell{Listed: -1, PortalTotal: -1}
	if snaps[0].Exists() {
		var d monthDoc
		if err := snaps[0].DataTo(&d); err != nil {
			return c, err
		}
		c.Listed, c.PortalTotal, c.VerifiedAt, c.VerifiedBy = d.Listed, d.PortalTotal, d.VerifiedAt, d.VerifiedBy
	}
	sum := map[string]int64{}
	for _, snap := range snaps[1:] {
		if !snap.Exists() {
			continue
		}
		var d monthShardDoc
		if err := snap.DataTo(&d); err != nil {
			return c, err
		}
		for k, n := range d.C {
			sum[k] += n
		}
	}
	c.Discovered, c.Stored, c.Unavailable = int(sum[cDiscovered]), int(sum[cStored]), int(sum[cUnavailable])
	c.Failed, c.StatusChanges = int(sum[cFailed]), int(sum[cStatusChanges])
	return c, nil
}

// Catalogued returns a tenant's catalogue entry of one invoice of a
// company: its registry status, portal status, history and links.
func (s *Store) Catalogued(ctx context.Context, t hoadon.Tenant, company, invoiceID string) (CatalogueEntry, error) {
	snap, err := s.catalogueRef(t, company, invoiceID).Get(ctx)
	if err != nil {
		return CatalogueEntry{}, gcp.Classify("store.Catalogued", err)
	}
	var e CatalogueEntry
	if err := snap.DataTo(&e); err != nil {
		return CatalogueEntry{}, gcp.Classify("store.Catalogued", err)
	}
	return e, nil
}

// Unsettled lists up to limit catalogue entries of a company's month and
// flow that are neither stored nor unavailable: what a completeness gap
// consists of.
func (s *Store) Unsettled(ctx context.Context, t hoadon.Tenant, company, month string, f hoadon.Flow, limit int) ([]CatalogueEntry, error) {
	q := QueryCatalogueUnsettled.On(s.catalogueCol(t, company).Parent, month, string(f),
		[]string{string(hoadon.StatusDiscovered), string(hoadon.StatusFailed)}).Limit(limit)
	it := q.Documents(ctx)
	defer it.Stop()
	var out []CatalogueEntry
	for {
		snap, err := it.Next()
		if err == iterator.Done {
			return out, nil
		}
		if err != nil {
			return nil, gcp.Classify("store.Unsettled", err)
		}
		var e CatalogueEntry
		if err := snap.DataTo(&e); err != nil {
			return nil, gcp.Classify("store.Unsettled", err)
		}
		out = append(out, e)
	}
}
