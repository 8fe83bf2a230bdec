package importer_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/emulators/gcs/gcstest"
	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

const seller = "0101234565" // the seller of the einvoice fixtures

// storedBefore records invoices as downloads stored them before signatures
// were verified: catalogue entries with objects and digests, no results.
func storedBefore(t *testing.T, st *store.Store, blobs *blob.Store, xmls map[int64][]byte) map[int64]string {
	t.Helper()
	ctx := context.Background()
	p := hoadon.ImportParams{TaskType: hoadon.TaskTypeInvoiceImport, CompanyID: seller, Username: seller,
		From: "2026-03-01", To: "2026-03-31", Flows: hoadon.AllFlows}
	imp, _, err := st.CreateImport(ctx, store.CreateRequest{Import: hoadon.Import{ID: "old", Params: p, State: hoadon.ImportRunning, CreatedAt: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]string{}
	date, _ := hoadon.ParseDate("2026-03-14")
	for n, data := range xmls {
		k := hoadon.InvoiceKey{NBMST: seller, KHMSHDon: 1, KHHDon: "C26TAA", SHDon: n}
		inv := hoadon.Invoice{ID: k.ID(seller, hoadon.Sold), Key: k, Flow: hoadon.FlowSoldEInvoice, Date: "2026-03-14", TThai: 1}
		if _, err := st.AddDiscovered(ctx, imp, []hoadon.Invoice{inv}, nil); err != nil {
			t.Fatal(err)
		}
		objs, err := blob.InvoiceObjects(hoadon.DefaultTenant, seller, hoadon.Sold, date, k)
		if err != nil {
			t.Fatal(err)
		}
		out := store.Outcome{Status: hoadon.StatusStored, Objects: objs}
		if data != nil {
			if out.SHA256, _, err = blobs.Put(ctx, out.Objects.XML, data, "application/xml"); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := st.BeginDownload(ctx, imp.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.CompleteDownload(ctx, hoadon.Invoice{ImportID: imp.ID, ID: inv.ID}, out, nil); err != nil {
			t.Fatal(err)
		}
		ids[n] = inv.ID
	}
	return ids
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "einvoice", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReverifyFillsOldEntries: invoices stored without signature results
// get them from their stored XML — valid, tampered (invalid), unsigned
// (missing) — a dry run changes nothing, a missing XML object is reported
// and left alone, and an entry stored again since keeps the newer results.
func TestReverifyFillsOldEntries(t *testing.T) {
	ctx := context.Background()
	st := store.New(firestoretest.Client(t), store.WithShards(2))
	blobs := blob.New(gcstest.Client(t, "invoices"), "invoices")
	signed := fixture(t, "signed.xml")
	tampered := bytes.Replace(signed, []byte("Khách Hàng Hai"), []byte("Khách Hàng Ba"), 1)
	ids := storedBefore(t, st, blobs, map[int64][]byte{1: signed, 2: tampered, 3: fixture(t, "note_only.xml"), 4: nil})

	dry, err := importer.Reverify(ctx, st, blobs, &xmlsig.Verifier{}, hoadon.DefaultTenant, seller, true)
	if err != nil || dry.Checked != 3 || dry.Valid != 1 || dry.Warnings != 2 || dry.Updated != 0 || len(dry.Unreadable) != 1 {
		t.Fatalf("dry run %+v %v", dry, err)
	}
	if e, _ := st.Catalogued(ctx, hoadon.DefaultTenant, seller, ids[1]); len(e.Signatures) != 0 {
		t.Fatalf("the dry run wrote %+v", e.Signatures)
	}

	rep, err := importer.Reverify(ctx, st, blobs, nil, hoadon.DefaultTenant, seller, false)
	if err != nil || rep.Checked != 3 || rep.Updated != 3 || rep.Valid != 1 || rep.Warnings != 2 {
		t.Fatalf("reverify %+v %v", rep, err)
	}
	for n, want := range map[int64]xmlsig.Status{1: xmlsig.StatusValid, 2: xmlsig.StatusInvalid, 3: xmlsig.StatusMissing} {
		e, err := st.Catalogued(ctx, hoadon.DefaultTenant, seller, ids[n])
		s, _ := xmlsig.Seller(e.Signatures)
		if err != nil || s.Status != want || (want == xmlsig.StatusValid) != (e.SignatureWarning == "") {
			t.Errorf("invoice %d: seller %+v warning %q (%v), want %s", n, s, e.SignatureWarning, err, want)
		}
		if want == xmlsig.StatusValid && (s.MST != seller || s.Chain != xmlsig.ChainNotChecked || s.SigningTime == "") {
			t.Errorf("invoice %d: seller %+v", n, s)
		}
	}

	// Stored again meanwhile (another XML): the entry keeps what that
	// download recorded.
	if ok, err := st.RecordSignatures(ctx, hoadon.DefaultTenant, seller, ids[1], "other-digest", nil, "stale"); ok || err != nil {
		t.Errorf("RecordSignatures over newer XML: %v %v", ok, err)
	}
	if e, _ := st.Catalogued(ctx, hoadon.DefaultTenant, seller, ids[1]); len(e.Signatures) == 0 || e.SignatureWarning != "" {
		t.Errorf("entry after a stale write: %+v %q", e.Signatures, e.SignatureWarning)
	}
}
