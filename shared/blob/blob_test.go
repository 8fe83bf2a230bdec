package blob_test

import (
	"context"
	"path"
	"strings"
	"testing"
	"time"

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
	o, err := blob.InvoiceObjects("acme", "0100109106", hoadon.Purchase, d, k)
	if err != nil || o.XML != "tenants/acme/invoices/0100109106/purchase/2026/03/0100520429_1_C26TAA_12.xml" ||
		o.ZIP[len(o.ZIP)-4:] != ".zip" || o.JSON[len(o.JSON)-5:] != ".json" {
		t.Errorf("objects = %+v, %v", o, err)
	}
	bad := func(f func(*hoadon.InvoiceKey)) hoadon.InvoiceKey {
		c := k
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name    string
		tenant  hoadon.Tenant
		company string
		dir     hoadon.Direction
		key     hoadon.InvoiceKey
		want    hoadon.Code
	}{
		{"seller escapes", "acme", "0100109106", hoadon.Sold, bad(func(k *hoadon.InvoiceKey) { k.NBMST = "../../0100109106" }), hoadon.CodeBadData},
		{"seller check digit", "acme", "0100109106", hoadon.Sold, bad(func(k *hoadon.InvoiceKey) { k.NBMST = "0100520428" }), hoadon.CodeBadData},
		{"symbol with slash", "acme", "0100109106", hoadon.Sold, bad(func(k *hoadon.InvoiceKey) { k.KHHDon = "C26/AA" }), hoadon.CodeBadData},
		{"symbol dots", "acme", "0100109106", hoadon.Sold, bad(func(k *hoadon.InvoiceKey) { k.KHHDon = ".." }), hoadon.CodeBadData},
		{"symbol lower case", "acme", "0100109106", hoadon.Sold, bad(func(k *hoadon.InvoiceKey) { k.KHHDon = "c26taa" }), hoadon.CodeBadData},
		{"symbol type letter", "acme", "0100109106", hoadon.Sold, bad(func(k *hoadon.InvoiceKey) { k.KHHDon = "C26XAA" }), hoadon.CodeBadData},
		{"template", "acme", "0100109106", hoadon.Sold, bad(func(k *hoadon.InvoiceKey) { k.KHMSHDon = 0 }), hoadon.CodeBadData},
		{"negative number", "acme", "0100109106", hoadon.Sold, bad(func(k *hoadon.InvoiceKey) { k.SHDon = -1 }), hoadon.CodeBadData},
		{"company", "acme", "../0100109106", hoadon.Sold, k, hoadon.CodeInvalid},
		{"tenant", "../acme", "0100109106", hoadon.Sold, k, hoadon.CodeInvalid},
		{"direction", "acme", "0100109106", "sold/..", k, hoadon.CodeInvalid},
	} {
		if _, err := blob.InvoiceObjects(tc.tenant, tc.company, tc.dir, d, tc.key); hoadon.ErrorCode(err) != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
}

// FuzzInvoiceObjects: whatever the portal sends as a key, a name either is
// refused or lies under the tenant's company prefix, in the expected depth,
// with no segment that a path resolver would move.
func FuzzInvoiceObjects(f *testing.F) {
	f.Add("acme", "0100109106", "0100520429", 1, "C26TAA", int64(12), 2026, 3)
	f.Add("default", "0100109106", "../0100520429", 1, "C26TAA", int64(12), 2026, 3)
	f.Add("acme", "0100109106", "0100520429", 1, "C26/../../x", int64(-5), 2026, 13)
	f.Add("a", "0100109106-001", "010052042912", 9, "K25MZZ", int64(0), 1999, 1)
	f.Fuzz(func(t *testing.T, tenant, company, nbmst string, tpl int, khhdon string, shdon int64, year, month int) {
		d := hoadon.Date{Time: time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)}
		k := hoadon.InvoiceKey{NBMST: nbmst, KHMSHDon: tpl, KHHDon: khhdon, SHDon: shdon}
		for _, dir := range []hoadon.Direction{hoadon.Sold, hoadon.Purchase} {
			o, err := blob.InvoiceObjects(hoadon.Tenant(tenant), company, dir, d, k)
			if err != nil {
				continue
			}
			prefix, perr := blob.CompanyPrefix(hoadon.Tenant(tenant), company)
			if perr != nil {
				t.Fatalf("objects built for an invalid prefix: %v", perr)
			}
			for _, name := range []string{o.ZIP, o.XML, o.JSON} {
				rest, ok := strings.CutPrefix(name, prefix)
				if !ok || path.Clean(name) != name || strings.Count(rest, "/") != 3 {
					t.Fatalf("%q escapes or reshapes %q", name, prefix)
				}
				for _, seg := range strings.Split(name, "/") {
					if seg == "" || seg == "." || seg == ".." {
						t.Fatalf("%q has segment %q", name, seg)
					}
				}
			}
		}
	})
}

// TestMigrateLegacy: objects named before tenants move under the default
// tenant with their content; a dry run moves nothing; a second run finds
// nothing; other names stay.
func TestMigrateLegacy(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	old := map[string]string{
		"invoices/0100109106/sold/2026/01/0100109106_1_C26TAA_1.xml": "<HDon>1</HDon>",
		"imports/abc/manifest.ndjson":                                "{}\n",
		"tenants/acme/invoices/0100109106/x.xml":                     "acme",
	}
	for name, data := range old {
		if _, _, err := s.Put(ctx, name, []byte(data), "text/plain"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.MigrateLegacy(ctx, true); err != nil || n != 2 {
		t.Fatalf("dry run = %d, %v", n, err)
	}
	if names, _ := s.List(ctx, "tenants/default/"); len(names) != 0 {
		t.Fatalf("dry run moved %v", names)
	}
	if n, err := s.MigrateLegacy(ctx, false); err != nil || n != 2 {
		t.Fatalf("migration = %d, %v", n, err)
	}
	for name, data := range old {
		got, err := s.Get(ctx, blob.MigratedName(name))
		if err != nil || string(got) != data {
			t.Errorf("%s → %s: %q, %v", name, blob.MigratedName(name), got, err)
		}
	}
	for _, p := range []string{"invoices/", "imports/"} {
		if names, _ := s.List(ctx, p); len(names) != 0 {
			t.Errorf("left under %s: %v", p, names)
		}
	}
	if n, err := s.MigrateLegacy(ctx, false); err != nil || n != 0 {
		t.Errorf("second run = %d, %v", n, err)
	}
}
