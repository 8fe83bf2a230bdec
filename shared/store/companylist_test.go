package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

func msts(cs []store.CompanySummary) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.MST
	}
	return out
}

// TestCompanyList: the companies page reads the tenant's list and the
// summaries by key. A summary from before the list (no list at all) still
// reads, by the query, which seeds the list with the summaries already
// there; a first import and a schedule list their company; hoadon migrate
// (ListAllCompanies) repairs a list that misses a summary, again and again without change; a
// hostile list entry is never read as a path.
func TestCompanyList(t *testing.T) {
	fsc := firestoretest.Client(t)
	s, ctx := store.New(fsc, store.WithShards(4)), context.Background()
	const old, scheduled = "0100000003", "0100000010"
	other := hoadon.Tenant("other")
	list := fsc.Collection("tenants").Doc("default").Collection("index").Doc("companies")
	companies := func(want ...string) {
		t.Helper()
		got, err := s.Companies(ctx, hoadon.DefaultTenant)
		if err != nil || !slices.Equal(msts(got), want) {
			t.Fatalf("companies = %v, %v; want %v", msts(got), err, want)
		}
	}

	// Data from before the list: a summary written by a login, no list.
	// A first import of another tenant lists it, unseeded: its page still
	// asks the query.
	imp0 := hoadon.Import{ID: "o1", Tenant: other, Params: params("2026-01-01", "2026-01-31"), State: hoadon.ImportPending, CreatedAt: time.Now()}
	if err := s.NoteImport(ctx, imp0, hoadon.Counts{}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Companies(ctx, other); err != nil || !slices.Equal(msts(got), []string{company}) {
		t.Fatalf("the other tenant's companies = %v, %v", msts(got), err)
	}
	if err := s.NoteLogin(ctx, hoadon.DefaultTenant, old, nil); err != nil {
		t.Fatal(err)
	}
	companies(old)
	ids := func() []any {
		t.Helper()
		snap, err := list.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := snap.Data()["company_ids"].([]any)
		return v
	}
	// That first page, answered by the query, seeded the list.
	if got := ids(); len(got) != 1 || got[0] != old {
		t.Fatalf("the list after the first page = %v; want [%s]", got, old)
	}
	// A first import lists its company, in the summary's transaction.
	imp := hoadon.Import{ID: "i1", Params: params("2026-01-01", "2026-01-31"), State: hoadon.ImportPending, CreatedAt: time.Now()}
	if err := s.NoteImport(ctx, imp, hoadon.Counts{}); err != nil {
		t.Fatal(err)
	}
	if got := ids(); len(got) != 2 {
		t.Fatalf("the list after the first import = %v; want both", got)
	}
	companies(old, company)
	if err := s.NoteSchedule(ctx, hoadon.DefaultTenant, scheduled, "s1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	companies(old, scheduled, company)
	if got, err := s.Companies(ctx, other); err != nil || !slices.Equal(msts(got), []string{company}) {
		t.Fatalf("the other tenant's companies = %v, %v; want its own only", msts(got), err)
	}

	// A seeded list that misses a summary: migrate puts it back.
	if _, err := list.Set(ctx, map[string]any{"company_ids": []any{company}, "seeded": true}); err != nil {
		t.Fatal(err)
	}
	companies(company)
	if n, err := s.ListAllCompanies(ctx, true); err != nil || n != 3 {
		t.Fatalf("dry run = %d, %v; want 3", n, err)
	}
	companies(company)
	for run := range 2 {
		if n, err := s.ListAllCompanies(ctx, false); err != nil || n != 3 {
			t.Fatalf("migrate %d = %d, %v; want 3", run, n, err)
		}
		companies(old, scheduled, company)
	}

	// A list entry is data: one that is no tax code is skipped, not read.
	if _, err := list.Update(ctx, []firestore.Update{{Path: "company_ids", Value: []any{old, "../x", "__x__", company}}}); err != nil {
		t.Fatal(err)
	}
	companies(old, company)
}

// TestRecentImportsMove: a summary written before the recent imports had a
// document of their own holds them inline; it still reads with them, and
// the company's next import moves them (the inline field is gone, the
// list keeps the older entries).
func TestRecentImportsMove(t *testing.T) {
	fsc := firestoretest.Client(t)
	s, ctx := store.New(fsc, store.WithShards(4)), context.Background()
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	old := store.RecentImport{ID: "old", State: hoadon.ImportCompleted, From: "2025-12-01", To: "2025-12-31", CreatedAt: created, Total: 3, Stored: 3}
	sumRef := fsc.Collection("tenants").Doc("default").Collection("companies").Doc(company)
	if _, err := sumRef.Set(ctx, map[string]any{"mst": company, "recent": []store.RecentImport{old},
		"last_import_id": "old", "last_import_state": "completed", "updated_at": created}); err != nil {
		t.Fatal(err)
	}
	sum, err := s.CompanySummary(ctx, hoadon.DefaultTenant, company)
	if err != nil || len(sum.Recent) != 1 || sum.Recent[0].ID != "old" || sum.Recent[0].Stored != 3 {
		t.Fatalf("older summary = %+v, %v", sum.Recent, err)
	}
	imp := hoadon.Import{ID: "new", Params: params("2026-01-01", "2026-01-31"), State: hoadon.ImportPending, CreatedAt: created.Add(time.Hour)}
	if err := s.NoteImport(ctx, imp, hoadon.Counts{}); err != nil {
		t.Fatal(err)
	}
	sum, err = s.CompanySummary(ctx, hoadon.DefaultTenant, company)
	if err != nil || len(sum.Recent) != 2 || sum.Recent[0].ID != "new" || sum.Recent[1].ID != "old" || sum.LastImportID != "new" {
		t.Fatalf("after an import: recent %+v, last %s, %v", sum.Recent, sum.LastImportID, err)
	}
	snap, err := sumRef.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, inline := snap.Data()["recent"]; inline {
		t.Error("the summary still holds its recent imports inline")
	}
	all, err := s.Companies(ctx, hoadon.DefaultTenant)
	if err != nil || len(all) != 1 || all[0].LastImportID != "new" || all[0].Recent != nil {
		t.Errorf("companies = %+v, %v: want the summary without its import history", all, err)
	}
}

// TestEmptyTenantList: a tenant with no company reads an empty page, and
// migrate seeds its (empty) list without error; the page stays empty.
func TestEmptyTenantList(t *testing.T) {
	s, ctx := store.New(firestoretest.Client(t)), context.Background()
	for _, step := range []string{"before migrate", "after migrate"} {
		if got, err := s.Companies(ctx, hoadon.DefaultTenant); err != nil || len(got) != 0 {
			t.Fatalf("companies %s = %v, %v; want none", step, msts(got), err)
		}
		if n, err := s.ListAllCompanies(ctx, false); err != nil || n != 0 {
			t.Fatalf("migrate = %d, %v; want 0", n, err)
		}
	}
}
