package importer

import (
	"context"
	"io"
	"strings"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/export"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// ExportSourceFor is the selection of an export within the caller's
// tenant: its catalogue of the company, direction and period, and the files
// the entries name (nothing outside the tenant's company prefix opens).
func (s *Service) ExportSourceFor(ctx context.Context, acc hoadon.Access, sel export.Selection) (export.Source, error) {
	if err := sel.Validate(); err != nil {
		return nil, err
	}
	if err := acc.AllowCompany(hoadon.PermRead, sel.Company); err != nil {
		return nil, err
	}
	return s.exportSource(acc.Tenant, sel)
}

func (s *Service) exportSource(t hoadon.Tenant, sel export.Selection) (*exportSource, error) {
	prefix, err := blob.CompanyPrefix(t, sel.Company)
	if err != nil {
		return nil, err
	}
	return &exportSource{store: s.Store, blobs: s.Blobs, tenant: t, sel: sel, prefix: prefix}, nil
}

// exportSource implements export.Source over the catalogue and the bucket.
type exportSource struct {
	store  *store.Store
	blobs  *blob.Store
	tenant hoadon.Tenant
	sel    export.Selection
	prefix string
}

func (e *exportSource) Records(ctx context.Context, fn func(export.Record) error) error {
	return e.store.CataloguePeriod(ctx, e.tenant, e.sel.Company, e.sel.Direction, e.sel.From.String(), e.sel.To.String(),
		func(c store.CatalogueEntry) error { return fn(recordOf(c)) })
}

func (e *exportSource) Open(ctx context.Context, object string) (io.ReadCloser, error) {
	if !strings.HasPrefix(object, e.prefix) || strings.Contains(object, "..") {
		return nil, hoadon.Errorf(hoadon.CodeNotFound, "export: %s is not a file of this company", object)
	}
	return e.blobs.Open(ctx, object)
}

// recordOf is a catalogue entry as the export reads it.
func recordOf(c store.CatalogueEntry) export.Record {
	return export.Record{ID: c.ID, Key: c.Key, Flow: c.Flow, Date: c.Date, Status: c.Status, Objects: c.Objects, VerifiedAt: c.StoredAt}
}
