package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// TestMigrateTenants: data written in the layout before tenants (an import
// without a tenant, registry/{mst}/invoices, credentials/{mst}) still reads
// as the default tenant's once migrated; a dry run changes nothing and a
// second run finds nothing left.
func TestMigrateTenants(t *testing.T) {
	ctx := context.Background()
	fs := firestoretest.Client(t)
	s := store.New(fs)
	k := hoadon.InvoiceKey{NBMST: company, KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 7}
	invID := k.ID(company, hoadon.Sold)
	old := "invoices/" + company + "/sold/2026/01/" + k.String()
	legacy := map[string]map[string]any{
		"imports/old": {"id": "old", "state": "completed", "created_at": time.Now(),
			"params": map[string]any{"task_type": hoadon.TaskTypeInvoiceImport, "company_id": company, "username": company, "from": "2026-01-01", "to": "2026-01-31"}},
		"imports/old/invoices/" + invID: {"id": invID, "import_id": "old", "company": company, "status": "stored", "flow": "ban_ra_dien_tu",
			"key": map[string]any{"nbmst": k.NBMST, "khmshdon": 1, "khhdon": k.KHHDon, "shdon": 7}, "date": "2026-01-05",
			"objects": map[string]any{"xml": old + ".xml", "zip": old + ".zip", "json": old + ".json"}},
		"registry/" + company + "/invoices/" + invID: {"status": "stored", "flow": "ban_ra_dien_tu", "import_id": "old", "sha256": "abc",
			"key":     map[string]any{"nbmst": k.NBMST, "khmshdon": 1, "khhdon": k.KHHDon, "shdon": 7},
			"objects": map[string]any{"xml": old + ".xml", "zip": old + ".zip", "json": old + ".json"}},
		"credentials/" + company: {"username": company, "password": "v1:sealed-old", "invalid": ""},
	}
	for p, data := range legacy {
		if _, err := fs.Doc(p).Set(ctx, data); err != nil {
			t.Fatal(err)
		}
	}
	rename := func(s string) string {
		if strings.HasPrefix(s, "invoices/") {
			return "tenants/default/" + s
		}
		return s
	}
	want := store.MigrateReport{Imports: 1, Invoices: 1, Catalogue: 1, Credentials: 1}
	if rep, err := s.MigrateTenants(ctx, true, rename); err != nil || rep != want {
		t.Fatalf("dry run = %+v, %v; want %+v", rep, err, want)
	}
	if imps, _ := s.ListImports(ctx, hoadon.DefaultTenant, "", 10); len(imps) != 0 {
		t.Fatalf("the dry run changed imports: %v", imps)
	}
	if rep, err := s.MigrateTenants(ctx, false, rename); err != nil || rep != want {
		t.Fatalf("migration = %+v, %v; want %+v", rep, err, want)
	}
	imps, err := s.ListImports(ctx, hoadon.DefaultTenant, company, 10)
	if err != nil || len(imps) != 1 || imps[0].ID != "old" || imps[0].Tenant != hoadon.DefaultTenant {
		t.Fatalf("default tenant's imports = %+v, %v", imps, err)
	}
	if imps, _ := s.ListImports(ctx, "acme", "", 10); len(imps) != 0 {
		t.Errorf("another tenant sees %v", imps)
	}
	inv, err := s.Invoice(ctx, "old", invID)
	if err != nil || inv.Objects.XML != "tenants/default/"+old+".xml" || inv.Tenant != hoadon.DefaultTenant {
		t.Errorf("invoice after migration = %+v, %v", inv, err)
	}
	if l, err := s.Credentials(ctx, hoadon.DefaultTenant, company); err != nil || l.Username != company || l.SealedPassword != "v1:sealed-old" || l.Digest != "" {
		t.Errorf("credentials = %+v %v", l, err)
	}
	if ok, err := s.Registered(ctx, hoadon.DefaultTenant, company, invID); err != nil || !ok {
		t.Errorf("catalogue holds the registry entry: %v %v", ok, err)
	}
	var entries []store.CatalogueEntry
	s.Catalogue(ctx, hoadon.DefaultTenant, company, func(e store.CatalogueEntry) error { entries = append(entries, e); return nil })
	if len(entries) != 1 || entries[0].Objects.XML != "tenants/default/"+old+".xml" || entries[0].Date != "2026-01-01" || entries[0].Direction != hoadon.Sold {
		t.Errorf("catalogue = %+v", entries)
	}
	for _, p := range []string{"registry/" + company + "/invoices/" + invID, "credentials/" + company} {
		if snap, _ := fs.Doc(p).Get(ctx); snap != nil && snap.Exists() {
			t.Errorf("%s still there", p)
		}
	}
	if rep, err := s.MigrateTenants(ctx, false, rename); err != nil || rep != (store.MigrateReport{}) {
		t.Errorf("second run = %+v, %v; want nothing to move", rep, err)
	}
}

// TestBackfillSummaries: a company imported before summaries existed has
// none; the backfill builds it from its imports and month cells (recent
// imports newest first with their counts, the last import, the months'
// completeness), a dry run writes nothing, and running it again changes
// nothing.
func TestBackfillSummaries(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	p := params("2026-01-01", "2026-01-31")
	p.CompanyName = "Công ty Cũ"
	create(t, s, "jan", p, "")
	invs := []hoadon.Invoice{invoice(1, hoadon.FlowSoldEInvoice), invoice(2, hoadon.FlowSoldEInvoice)}
	if _, err := addDiscovered(t, s, "jan", invs); err != nil {
		t.Fatal(err)
	}
	for i, st := range []hoadon.InvoiceStatus{hoadon.StatusStored, hoadon.StatusUnavailable} {
		if _, _, err := s.BeginDownload(ctx, "jan", invs[i].ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CompleteDownload(ctx, hoadon.Invoice{ImportID: "jan", ID: invs[i].ID}, store.Outcome{Status: st, SHA256: "x"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordListing(ctx, hoadon.DefaultTenant, company, "2026-01", hoadon.FlowSoldEInvoice, 2, 2, "jan"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Finish(ctx, "jan", hoadon.ImportCompleted, "", nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Millisecond) // created_at orders the two imports
	create(t, s, "feb", params("2026-02-01", "2026-02-28"), "")
	if _, err := s.CompanySummary(ctx, hoadon.DefaultTenant, company); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Fatalf("a summary before the backfill: %v", err)
	}

	if n, err := s.BackfillSummaries(ctx, true); err != nil || n != 1 {
		t.Fatalf("dry run = %d, %v; want 1", n, err)
	}
	if _, err := s.CompanySummary(ctx, hoadon.DefaultTenant, company); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Fatalf("the dry run wrote a summary: %v", err)
	}
	var first store.CompanySummary
	for run := range 2 {
		if n, err := s.BackfillSummaries(ctx, false); err != nil || n != 1 {
			t.Fatalf("backfill %d = %d, %v; want 1", run, n, err)
		}
		sum, err := s.CompanySummary(ctx, hoadon.DefaultTenant, company)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Recent) != 2 || sum.Recent[0].ID != "feb" || sum.Recent[1].ID != "jan" {
			t.Fatalf("recent = %+v", sum.Recent)
		}
		jan := sum.Recent[1]
		if jan.State != hoadon.ImportCompleted || jan.Total != 2 || jan.Stored != 1 || jan.Unavailable != 1 || jan.From != "2026-01-01" || jan.FinishedAt.IsZero() {
			t.Errorf("january's import = %+v", jan)
		}
		if sum.LastImportID != "feb" || sum.LastImportState != hoadon.ImportPending || sum.Name != "Công ty Cũ" {
			t.Errorf("last import %s %s, name %q", sum.LastImportID, sum.LastImportState, sum.Name)
		}
		if m := sum.Months["2026-01"]; m != (store.MonthSummary{Listed: 2, Stored: 1, Unavailable: 1, Verified: true}) {
			t.Errorf("January = %+v (months %v)", m, sum.Months)
		}
		if m, ok := sum.Months["2026-02"]; !ok || m.Verified {
			t.Errorf("February = %+v, %v: want present, not listed whole", m, ok)
		}
		if run == 0 {
			first = sum
		} else if len(sum.Recent) != len(first.Recent) || sum.Recent[0] != first.Recent[0] || sum.Recent[1] != first.Recent[1] {
			t.Errorf("a second backfill changed the recent imports: %+v then %+v", first.Recent, sum.Recent)
		}
	}
	all, err := s.Companies(ctx, hoadon.DefaultTenant)
	if err != nil || len(all) != 1 || all[0].LastImportID != "feb" {
		t.Errorf("companies = %+v, %v", all, err)
	}
}
