package store

import (
	"context"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// CataloguePeriod calls fn for a tenant's catalogue entries of a company in
// one direction issued from..to (YYYY-MM-DD, inclusive), by issue date then
// id: the selection of an export. It streams; an error from fn stops it.
// The query needs the composite index (direction, date) of the catalogue
// (terraform/firestore.tf).
func (s *Store) CataloguePeriod(ctx context.Context, t hoadon.Tenant, company string, d hoadon.Direction, from, to string, fn func(CatalogueEntry) error) error {
	it := s.tenantRef(t).Collection(colCompanies).Doc(company).Collection(colInvoices).
		Where("direction", "==", string(d)).Where("date", ">=", from).Where("date", "<=", to).
		OrderBy("date", firestore.Asc).OrderBy(firestore.DocumentID, firestore.Asc).Documents(ctx)
	defer it.Stop()
	for {
		snap, err := it.Next()
		if err == iterator.Done {
			return nil
		}
		if err != nil {
			return classify("CataloguePeriod", err)
		}
		var e CatalogueEntry
		if err := snap.DataTo(&e); err != nil {
			return classify("CataloguePeriod", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
}
