package importer

import (
	"context"
	"testing"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/emulators/gcs/gcstest"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/opcount"
	"github.com/hoadon/hoadon/shared/store"
)

// downloadBudget is the most Firestore operations one stored invoice's
// download may cost once its import's session is open (docs/benchmarks.md,
// "Firestore operations per stored invoice"): reads — the import (is it
// cancelled?), the invoice in BeginDownload, the invoice and its catalogue
// entry in CompleteDownload; writes — the invoice and its counter shard when
// it begins; the invoice, its catalogue entry, its month's cell, the counter
// shard and the outbox event when it completes; plus the company's rate,
// read and written every 20 successes (HOADON_RATE_RAISE_EVERY). A change
// that needs more raises these and says why there.
var downloadBudget = map[opcount.Kind]float64{
	opcount.FirestoreRead:   4.1,
	opcount.FirestoreWrite:  7.1,
	opcount.FirestoreDelete: 0,
}

// TestDownloadOperations downloads a month of one company's invoices through
// Service.Download against the real emulators and the GDT simulator, with a
// Firestore client that counts its billable operations as in production,
// and holds the download path to downloadBudget per stored invoice.
func TestDownloadOperations(t *testing.T) {
	t.Setenv("FIRESTORE_EMULATOR_HOST", firestoretest.Host(t))
	ctx := context.Background()
	fs, err := gcp.Firestore(ctx, firestoretest.NewProjectID())
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	st := store.New(fs)
	opts := gdtsim.DefaultOptions()
	opts.Companies, opts.InvoicesPerMonth, opts.DossierlessShare = 1, 41, 0
	s, srv, imp := importOfSimulated(t, st, opts)
	co := srv.Companies()[0]
	s.Blobs = blob.New(gcstest.Client(t, "invoices"), "invoices")
	sess, _, err := s.session(ctx, imp, 0)
	if err != nil {
		t.Fatal(err)
	}
	from, _ := hoadon.ParseDate("2026-09-01")
	to, _ := hoadon.ParseDate("2026-09-30")
	var invs []hoadon.Invoice
	for inv, err := range gdt.Walk(ctx, s.pageFetcher(co.MST, sess), hoadon.FlowSoldEInvoice, from, to, s.Portal.WalkOptions()) {
		if err != nil {
			t.Fatal(err)
		}
		invs = append(invs, record(co.MST, inv))
	}
	if len(invs) < 40 {
		t.Fatalf("listed %d invoices, want at least 40", len(invs))
	}
	if _, err := st.AddDiscovered(ctx, imp, invs, nil); err != nil {
		t.Fatal(err)
	}

	before := opcount.Take()
	for _, inv := range invs {
		if err := s.Download(ctx, DownloadRequest{ImportID: imp.ID, InvoiceID: inv.ID}); err != nil {
			t.Fatalf("download %s: %v", inv.Key, err)
		}
	}
	got := opcount.Take().Sub(before)
	counts, err := st.Counts(ctx, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := counts.Status[hoadon.StatusStored]
	if stored != len(invs) {
		t.Fatalf("stored %d of %d: %v", stored, len(invs), counts)
	}
	for k, budget := range downloadBudget {
		per := float64(got[k.String()]) / float64(stored)
		t.Logf("%s: %d (%.2f per stored invoice)", k, got[k.String()], per)
		if per > budget {
			t.Errorf("%s: %.2f per stored invoice, budget %.2f", k, per, budget)
		}
	}
}
