package store

import (
	"context"
	"errors"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// CataloguePeriod calls fn for a tenant's catalogue entries of a company in
// one direction issued from..to (YYYY-MM-DD, inclusive), by issue date then
// id: the selection of an export. It streams, and stops reading at the
// first entry after to; an error from fn stops it.
func (s *Store) CataloguePeriod(ctx context.Context, t hoadon.Tenant, company string, d hoadon.Direction, from, to string, fn func(CatalogueEntry) error) error {
	it := QueryCataloguePeriod.On(s.catalogueCol(t, company).Parent, string(d), from).Documents(ctx)
	err := eachDoc(it, "store.CataloguePeriod", func(e CatalogueEntry) error {
		if e.Date > to {
			return errPastEnd
		}
		return fn(e)
	})
	if errors.Is(err, errPastEnd) {
		return nil
	}
	return err
}

// errPastEnd ends a walk that went past its range.
var errPastEnd = errors.New("past the end of the range")

// HasCatalogue reports whether a tenant's catalogue holds any invoice of a
// company: a company the tenant never imported is unknown to it.
func (s *Store) HasCatalogue(ctx context.Context, t hoadon.Tenant, company string) (bool, error) {
	it := s.catalogueCol(t, company).Limit(1).Documents(ctx)
	defer it.Stop()
	_, err := it.Next()
	if err == iterator.Done {
		return false, nil
	}
	return err == nil, gcp.Classify("store.HasCatalogue", err)
}

// eachDoc decodes every document of it into a T and calls fn with it, in
// order; a read error is classified under op, an error from fn stops the
// walk and is returned as it is. It stops the iterator.
func eachDoc[T any](it *firestore.DocumentIterator, op string, fn func(T) error) error {
	defer it.Stop()
	for {
		snap, err := it.Next()
		if err == iterator.Done {
			return nil
		}
		if err != nil {
			return gcp.Classify(op, err)
		}
		var v T
		if err := snap.DataTo(&v); err != nil {
			return gcp.Classify(op, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
}
