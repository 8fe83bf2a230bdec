package importer

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/emulators/gcs/gcstest"
	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// TestStoreFilesRefusesAnotherInvoicesXML: an export whose XML is another
// invoice than the listing named fails bad_data naming both keys and
// stores nothing; the listed key's own XML is stored.
func TestStoreFilesRefusesAnotherInvoicesXML(t *testing.T) {
	ctx := context.Background()
	xml, err := os.ReadFile("../einvoice/testdata/signed.xml")
	if err != nil {
		t.Fatal(err)
	}
	blobs := blob.New(gcstest.Client(t, "invoices"), "invoices")
	s := New(Deps{Blobs: blobs})
	imp := hoadon.Import{ID: "imp", Tenant: "acme", Params: hoadon.ImportParams{CompanyID: "0312345673"}}
	parsed := hoadon.InvoiceKey{NBMST: "0101234565", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 128}
	listed := parsed
	listed.SHDon = 129
	files := map[string][]byte{"invoice.xml": xml}
	inv := hoadon.Invoice{ID: "x", Key: listed, Flow: hoadon.FlowPurchaseEInvoice, Date: "2026-03-14"}

	_, err = s.storeFiles(ctx, imp, inv, []byte("zip"), files)
	if hoadon.ErrorCode(err) != hoadon.CodeBadData || !strings.Contains(err.Error(), parsed.String()) || !strings.Contains(err.Error(), listed.String()) {
		t.Fatalf("mismatched key: %v; want bad_data naming %s and %s", err, parsed, listed)
	}
	if objs, err := blobs.List(ctx, ""); err != nil || len(objs) != 0 {
		t.Fatalf("objects after the refusal: %v %v; want none", objs, err)
	}

	inv.Key = parsed
	out, err := s.storeFiles(ctx, imp, inv, []byte("zip"), files)
	if err != nil || !strings.HasSuffix(out.Objects.XML, parsed.String()+".xml") {
		t.Fatalf("matching key: %+v %v", out.Objects, err)
	}
	if got, err := blobs.Get(ctx, out.Objects.XML); err != nil || string(got) != string(xml) {
		t.Errorf("stored XML: %d bytes, %v", len(got), err)
	}
}
