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
// reads, by the query; a tenant that has a list shows what is on it; hoadon
// migrate (ListAllCompanies) lists the older summaries, again and again
// without change; a hostile list entry is never read as a path.
func TestCompanyList(t *testing.T) {
	fsc := firestoretest.Client(t)
	s, ctx := store.New(fsc, store.WithShards(4)), context.Background()
	const old, scheduled = "0100000003", "0100000010"
	other := hoadon.Tenant("other")

	// Data from before the list: a summary written by a login, no list.
	if err := s.NoteLogin(ctx, hoadon.DefaultTenant, old, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Companies(ctx, hoadon.DefaultTenant)
	if err != nil || !slices.Equal(msts(got), []string{old}) {
		t.Fatalf("companies before any list = %v, %v; want [%s] by the query", msts(got), err, old)
	}

	// A first import lists its company, in the summary's transaction.
	imp := hoadon.Import{ID: "i1", Params: params("2026-01-01", "2026-01-31"), State: hoadon.ImportPending, CreatedAt: time.Now()}
	if err := s.NoteImport(ctx, imp, hoadon.Counts{}); err != nil {
		t.Fatal(err)
	}
	if err := s.NoteSchedule(ctx, hoadon.DefaultTenant, scheduled, "s1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err = s.Companies(ctx, hoadon.DefaultTenant)
	if err != nil || !slices.Equal(msts(got), []string{scheduled, company}) {
		t.Fatalf("companies once listed = %v, %v; want [%s %s] (the older one waits for migrate)", msts(got), err, scheduled, company)
	}
	if got, err := s.Companies(ctx, other); err != nil || len(got) != 0 {
		t.Fatalf("another tenant's companies = %v, %v; want none", msts(got), err)
	}

	if n, err := s.ListAllCompanies(ctx, true); err != nil || n != 3 {
		t.Fatalf("dry run = %d, %v; want 3", n, err)
	}
	if got, _ := s.Companies(ctx, hoadon.DefaultTenant); len(got) != 2 {
		t.Fatalf("the dry run listed: %v", msts(got))
	}
	for run := range 2 {
		if n, err := s.ListAllCompanies(ctx, false); err != nil || n != 3 {
			t.Fatalf("migrate %d = %d, %v; want 3", run, n, err)
		}
		got, err = s.Companies(ctx, hoadon.DefaultTenant)
		if err != nil || !slices.Equal(msts(got), []string{old, scheduled, company}) {
			t.Fatalf("companies after migrate %d = %v, %v", run, msts(got), err)
		}
	}

	// A list entry is data: one that is no tax code is skipped, not read.
	list := fsc.Collection("tenants").Doc("default").Collection("index").Doc("companies")
	if _, err := list.Update(ctx, []firestore.Update{{Path: "company_ids", Value: []any{old, "../x", "__x__", company}}}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Companies(ctx, hoadon.DefaultTenant)
	if err != nil || !slices.Equal(msts(got), []string{old, company}) {
		t.Fatalf("companies with hostile entries = %v, %v", msts(got), err)
	}
}
