package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// ImportMonths are the months (YYYY-MM) an import's period touches.
func ImportMonths(p hoadon.ImportParams) []string {
	from, ferr := time.Parse(time.DateOnly, p.From)
	to, terr := time.Parse(time.DateOnly, p.To)
	if ferr != nil || terr != nil || to.Before(from) {
		return nil
	}
	var out []string
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// companyImports is what BackfillSummaries gathers of one company: its
// newest imports and every month its imports covered.
type companyImports struct {
	t       hoadon.Tenant
	company string
	newest  []hoadon.Import // newest created first, at most RecentImports
	months  map[string]bool
}

func (c *companyImports) add(imp hoadon.Import) {
	c.newest = append(c.newest, imp)
	slices.SortStableFunc(c.newest, func(a, b hoadon.Import) int { return b.CreatedAt.Compare(a.CreatedAt) })
	c.newest = c.newest[:min(len(c.newest), RecentImports)]
	for _, m := range ImportMonths(imp.Params) {
		c.months[m] = true
	}
}

// BackfillSummaries builds the summary of every company that has imports
// from those imports and its month cells, as the importer keeps it at
// write time: its recent imports with their counts, its last import and
// name, the completeness of every month its imports covered. Companies
// imported before summaries existed have none until then. It rewrites
// what it derives and nothing else (login health and schedule stay), so
// running it again changes nothing. It returns how many companies it
// built (with dryRun: would build).
func (s *Store) BackfillSummaries(ctx context.Context, dryRun bool) (int, error) {
	byCompany, err := s.importsByCompany(ctx)
	if err != nil || dryRun {
		return len(byCompany), err
	}
	for _, c := range byCompany {
		if err := s.backfillCompany(ctx, c); err != nil {
			return 0, err
		}
	}
	return len(byCompany), nil
}

// importsByCompany reads every import once, by tenant and company.
func (s *Store) importsByCompany(ctx context.Context) ([]*companyImports, error) {
	byKey := map[[2]string]*companyImports{}
	it := s.fs.Collection(colImports).Documents(ctx)
	defer it.Stop()
	for {
		snap, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, gcp.Classify("store.BackfillSummaries", err)
		}
		var imp hoadon.Import
		if err := snap.DataTo(&imp); err != nil {
			return nil, gcp.Classify("store.BackfillSummaries", err)
		}
		if hoadon.ValidateMST(imp.Params.CompanyID) != nil || !imp.Tenant.OrDefault().Valid() {
			continue // not a company's import: nothing to summarise
		}
		k := [2]string{string(imp.Tenant.OrDefault()), imp.Params.CompanyID}
		if byKey[k] == nil {
			byKey[k] = &companyImports{t: imp.Tenant.OrDefault(), company: imp.Params.CompanyID, months: map[string]bool{}}
		}
		byKey[k].add(imp)
	}
	out := make([]*companyImports, 0, len(byKey))
	for _, c := range byKey {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *companyImports) int {
		return cmp.Or(cmp.Compare(a.t, b.t), cmp.Compare(a.company, b.company))
	})
	return out, nil
}

func (s *Store) backfillCompany(ctx context.Context, c *companyImports) error {
	rs := make([]RecentImport, 0, len(c.newest))
	name := ""
	for _, imp := range c.newest {
		counts, err := s.Counts(ctx, imp.ID)
		if err != nil {
			return err
		}
		rs = append(rs, RecentOf(imp, counts))
		if name == "" {
			name = imp.Params.CompanyName
		}
	}
	if err := s.noteRecent(ctx, "store.BackfillSummaries", c.t, c.company, name, rs); err != nil {
		return err
	}
	months := make([]string, 0, len(c.months))
	for m := range c.months {
		months = append(months, m)
	}
	slices.Sort(months)
	return s.NoteMonths(ctx, c.t, c.company, months)
}
