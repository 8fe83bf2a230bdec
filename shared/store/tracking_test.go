package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// listed is an invoice as a listing shows it: January, sold e-invoice.
func listed(n int, tthai int, original *hoadon.Invoice) hoadon.Invoice {
	inv := invoice(n, hoadon.FlowSoldEInvoice)
	inv.TThai = tthai
	if original != nil {
		inv.Original = &original.Key
	}
	return inv
}

// cellOf reads the January sold e-invoice cell.
func cellOf(t *testing.T, s *store.Store) store.MonthCell {
	t.Helper()
	cells, err := s.MonthCells(context.Background(), hoadon.DefaultTenant, company, []string{"2026-01"}, []hoadon.Flow{hoadon.FlowSoldEInvoice})
	if err != nil || len(cells) != 1 {
		t.Fatalf("MonthCells: %v %v", cells, err)
	}
	return cells[0]
}

func complete(t *testing.T, s *store.Store, importID string, inv hoadon.Invoice, st hoadon.InvoiceStatus) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := s.BeginDownload(ctx, importID, inv.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CompleteDownload(ctx, hoadon.Invoice{ImportID: importID, ID: inv.ID}, store.Outcome{Status: st, SHA256: "x"}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestStatusChangesAndCompleteness(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	create(t, s, "one", params("2026-01-01", "2026-01-31"), "")
	a, b, c := listed(1, 1, nil), listed(2, 1, nil), listed(3, 1, nil)
	if _, err := addDiscovered(t, s, "one", []hoadon.Invoice{a, b, c}); err != nil {
		t.Fatal(err)
	}
	complete(t, s, "one", a, hoadon.StatusStored)
	complete(t, s, "one", b, hoadon.StatusUnavailable)
	complete(t, s, "one", c, hoadon.StatusFailed)
	want := store.MonthCell{Month: "2026-01", Flow: hoadon.FlowSoldEInvoice, Listed: -1, PortalTotal: -1,
		Discovered: 3, Stored: 1, Unavailable: 1, Failed: 1}
	if diff := cmp.Diff(want, cellOf(t, s)); diff != "" {
		t.Fatalf("cell after the first import (-want +got):\n%s", diff)
	}
	if err := s.RecordListing(ctx, hoadon.DefaultTenant, company, "2026-01", hoadon.FlowSoldEInvoice, 3, 3, "one"); err != nil {
		t.Fatal(err)
	}
	if got := cellOf(t, s); !got.Verified() || got.Gap() != 1 || got.VerifiedBy != "one" || got.VerifiedAt.IsZero() {
		t.Fatalf("verified cell %+v gap %d", got, got.Gap())
	}
	missing, err := s.Unsettled(ctx, hoadon.DefaultTenant, company, "2026-01", hoadon.FlowSoldEInvoice, 10)
	if err != nil || len(missing) != 1 || missing[0].ID != c.ID || missing[0].Status != hoadon.StatusFailed {
		t.Fatalf("unsettled %+v %v", missing, err)
	}
	if _, _, err := s.Finish(ctx, "one", hoadon.ImportCompleted, "", nil); err != nil {
		t.Fatal(err)
	}

	// A later listing: a replaced by r (listed after it, as the portal
	// orders an equal date by key), b cancelled, c unchanged.
	create(t, s, "two", params("2026-01-01", "2026-01-31"), "")
	r := listed(4, 2, &a)
	var seen []store.StatusChange
	imp, _ := s.Import(ctx, "two")
	pending, err := s.AddDiscovered(ctx, imp, []hoadon.Invoice{listed(1, 4, nil), r, listed(2, 6, nil), c},
		func(ch []store.StatusChange) ([]store.OutboxEvent, error) {
			seen = ch
			var evs []store.OutboxEvent
			for _, x := range ch {
				evs = append(evs, store.OutboxEvent{ID: "chg-" + x.Invoice.ID, Type: "vn.hoadon.invoice.status_changed", Data: []byte(`{}`)})
			}
			return evs, nil
		})
	if err != nil || len(pending) != 2 {
		t.Fatalf("second listing: %d pending (want r and the failed c), %v", len(pending), err)
	}
	if len(seen) != 2 || seen[0].Invoice.ID != a.ID || seen[0].Old != 1 || seen[0].Invoice.TThai != 4 ||
		seen[0].Related == nil || *seen[0].Related != r.Key || seen[1].Invoice.ID != b.ID || seen[1].Old != 1 || seen[1].Related != nil {
		t.Fatalf("changes %+v", seen)
	}
	evs, _ := s.ImportEvents(ctx, "two")
	ids := map[string]bool{}
	for _, ev := range evs {
		ids[ev.ID] = true
	}
	if n := len(evs); n != 3 || !ids["chg-"+a.ID] || !ids["chg-"+b.ID] {
		t.Errorf("%d events in the outbox (%+v), want started and 2 changes", n, evs)
	}
	ea, err := s.Catalogued(ctx, hoadon.DefaultTenant, company, a.ID)
	if err != nil || ea.TThai != 4 || len(ea.History) != 1 || ea.History[0].From != 1 || ea.History[0].To != 4 ||
		ea.History[0].ImportID != "two" || len(ea.Related) != 1 || ea.Related[0].Rel != store.RelReplacement || ea.Related[0].ID != r.ID {
		t.Fatalf("entry of the replaced invoice %+v %v", ea, err)
	}
	er, _ := s.Catalogued(ctx, hoadon.DefaultTenant, company, r.ID)
	if er.TThai != 2 || len(er.Related) != 1 || er.Related[0].Rel != store.RelOriginal || er.Related[0].ID != a.ID || len(er.History) != 0 {
		t.Fatalf("entry of the replacement %+v", er)
	}

	// Listing the same again changes nothing; c is stored at last.
	if _, err := addDiscovered(t, s, "two", []hoadon.Invoice{r, listed(1, 4, nil), listed(2, 6, nil), c}); err != nil {
		t.Fatal(err)
	}
	complete(t, s, "two", c, hoadon.StatusStored)
	complete(t, s, "two", r, hoadon.StatusStored)
	want = store.MonthCell{Month: "2026-01", Flow: hoadon.FlowSoldEInvoice, Listed: 3, PortalTotal: 3,
		Discovered: 4, Stored: 3, Unavailable: 1, Failed: 0, StatusChanges: 2}
	got := cellOf(t, s)
	got.VerifiedAt, got.VerifiedBy = want.VerifiedAt, want.VerifiedBy
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("cell after the second listing (-want +got):\n%s", diff)
	}
}

func TestFailedForcedDownloadKeepsTheStoredEntry(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	create(t, s, "one", params("2026-01-01", "2026-01-31"), "")
	a := listed(1, 1, nil)
	addDiscovered(t, s, "one", []hoadon.Invoice{a})
	complete(t, s, "one", a, hoadon.StatusStored)
	s.Finish(ctx, "one", hoadon.ImportCompleted, "", nil)
	p := params("2026-01-01", "2026-01-31")
	p.Force = true
	create(t, s, "forced", p, "")
	if pending, _ := addDiscovered(t, s, "forced", []hoadon.Invoice{a}); len(pending) != 1 {
		t.Fatalf("forced: %d pending", len(pending))
	}
	complete(t, s, "forced", a, hoadon.StatusFailed)
	if e, _ := s.Catalogued(ctx, hoadon.DefaultTenant, company, a.ID); e.Status != hoadon.StatusStored || e.SHA256 != "x" {
		t.Errorf("entry after a failed forced download: %+v", e)
	}
	if c := cellOf(t, s); c.Stored != 1 || c.Failed != 0 || c.Discovered != 1 {
		t.Errorf("cell %+v", c)
	}
}

// TestCatalogueKeepsSignatures: a stored download's signature results and
// warning reach the catalogue entry whole and read back; the import's
// invoice keeps the seller's status and the warning.
func TestCatalogueKeepsSignatures(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	create(t, s, "one", params("2026-01-01", "2026-01-31"), "")
	a := listed(1, 1, nil)
	addDiscovered(t, s, "one", []hoadon.Invoice{a})
	if _, _, err := s.BeginDownload(ctx, "one", a.ID); err != nil {
		t.Fatal(err)
	}
	sigs := []xmlsig.Result{
		{Role: xmlsig.RoleSeller, Status: xmlsig.StatusInvalid, Reason: `reference "#data": digest does not match`, Subject: "UID=MST:0101234565,CN=A",
			MST: "0101234565", NotBefore: "2020-01-01T00:00:00Z", NotAfter: "2040-01-01T00:00:00Z", SigningTime: "2026-01-05T09:00:00+07:00",
			Covers: []string{"DLHDon#data"}, Algorithm: "rsa-sha256 c14n", Chain: xmlsig.ChainNotChecked},
		{Role: xmlsig.RoleTaxAuthority, Status: xmlsig.StatusValid, Valid: true, Chain: xmlsig.ChainTrusted},
	}
	out := store.Outcome{Status: hoadon.StatusStored, SHA256: "x", Signatures: sigs, Signature: "invalid", Warning: "the seller's signature is invalid"}
	if _, _, err := s.CompleteDownload(ctx, hoadon.Invoice{ImportID: "one", ID: a.ID}, out, nil); err != nil {
		t.Fatal(err)
	}
	e, err := s.Catalogued(ctx, hoadon.DefaultTenant, company, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(sigs, e.Signatures); d != "" || e.SignatureWarning != out.Warning {
		t.Errorf("catalogue signatures (-want +got):\n%s warning %q", d, e.SignatureWarning)
	}
	inv, err := s.Invoice(ctx, "one", a.ID)
	if err != nil || inv.Signature != "invalid" || inv.Warning != out.Warning {
		t.Errorf("import invoice %+v %v", inv, err)
	}
}
