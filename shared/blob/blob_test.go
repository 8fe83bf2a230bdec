package blob_test

import (
	"context"
	"testing"

	"github.com/hoadon/hoadon/emulators/gcs"
	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func newStore(t *testing.T) *blob.Store {
	t.Helper()
	srv, err := gcs.Start(gcs.Options{Buckets: []string{"invoices"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := srv.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return blob.New(c, "invoices")
}

func TestPutIsWriteIfAbsent(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	sum, existed, err := s.Put(ctx, "a/b.xml", []byte("<HDon/>"), "application/xml")
	if err != nil || existed || sum != blob.SHA256([]byte("<HDon/>")) {
		t.Fatalf("first Put = %s %v %v", sum, existed, err)
	}
	// The same content again (a retried download): fine, reported as existing.
	if _, existed, err := s.Put(ctx, "a/b.xml", []byte("<HDon/>"), "application/xml"); err != nil || !existed {
		t.Fatalf("same content again = %v %v", existed, err)
	}
	// Other content under the same name: refused, the first stays.
	if _, _, err := s.Put(ctx, "a/b.xml", []byte("<HDon>x</HDon>"), "application/xml"); hoadon.ErrorCode(err) != hoadon.CodeConflict {
		t.Fatalf("other content: err = %v, want conflict", err)
	}
	got, err := s.Get(ctx, "a/b.xml")
	if err != nil || string(got) != "<HDon/>" {
		t.Errorf("Get = %q, %v", got, err)
	}
	if _, err := s.Get(ctx, "missing"); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Errorf("missing object: %v", err)
	}
	names, err := s.List(ctx, "a/")
	if err != nil || len(names) != 1 || names[0] != "a/b.xml" {
		t.Errorf("List = %v, %v", names, err)
	}
}

func TestInvoiceObjects(t *testing.T) {
	d, _ := hoadon.ParseDate("2026-03-05")
	k := hoadon.InvoiceKey{NBMST: "0100520429", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 12}
	o := blob.InvoiceObjects("0100109106", hoadon.Purchase, d, k)
	if o.XML != "invoices/0100109106/purchase/2026/03/0100520429_1_C26TAA_12.xml" || o.ZIP[len(o.ZIP)-4:] != ".zip" || o.JSON[len(o.JSON)-5:] != ".json" {
		t.Errorf("objects = %+v", o)
	}
}
