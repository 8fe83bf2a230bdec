package importer

import (
	"context"
	"slices"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// The methods in this file are what the task API, pages and exports read
// and change through: each takes the caller's access and answers only
// within its tenant. An import of another tenant is "not found", never
// "forbidden", so ids reveal nothing; a role without the permission or a
// company outside the caller's allow-list is CodeForbidden.

// StartFor starts an import for the caller's tenant.
func (s *Service) StartFor(ctx context.Context, acc hoadon.Access, req StartRequest) (hoadon.Import, bool, error) {
	if err := acc.AllowCompany(hoadon.PermOperate, req.Params.CompanyID); err != nil {
		return hoadon.Import{}, false, err
	}
	req.Tenant = acc.Tenant
	return s.Start(ctx, req)
}

// ImportFor returns one of the caller's imports.
func (s *Service) ImportFor(ctx context.Context, acc hoadon.Access, p hoadon.Permission, id string) (hoadon.Import, error) {
	if err := acc.Allow(p); err != nil {
		return hoadon.Import{}, err
	}
	notFound := hoadon.Errorf(hoadon.CodeNotFound, "no import with id %s", id)
	if !hoadon.ValidID(id) {
		return hoadon.Import{}, hoadon.Errorf(hoadon.CodeInvalid, "import id %q is not valid", id)
	}
	imp, err := s.Store.Import(ctx, id)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound || err == nil && !acc.Owns(imp.Tenant) {
		return hoadon.Import{}, notFound
	}
	if err != nil {
		return hoadon.Import{}, err
	}
	if !acc.CompanyAllowed(imp.Params.CompanyID) {
		return hoadon.Import{}, hoadon.Errorf(hoadon.CodeForbidden, "this key may not reach company %s", imp.Params.CompanyID)
	}
	return imp, nil
}

// ProgressFor is Progress of one of the caller's imports.
func (s *Service) ProgressFor(ctx context.Context, acc hoadon.Access, id string) (Progress, error) {
	if _, err := s.ImportFor(ctx, acc, hoadon.PermRead, id); err != nil {
		return Progress{}, err
	}
	return s.Progress(ctx, id)
}

// CancelFor cancels one of the caller's imports.
func (s *Service) CancelFor(ctx context.Context, acc hoadon.Access, id string) (Progress, error) {
	if _, err := s.ImportFor(ctx, acc, hoadon.PermOperate, id); err != nil {
		return Progress{}, err
	}
	return s.Cancel(ctx, id)
}

// InvoicesFor calls fn for every invoice of one of the caller's imports.
// The import is checked before fn is first called.
func (s *Service) InvoicesFor(ctx context.Context, acc hoadon.Access, id string, fn func(hoadon.Invoice) error) error {
	if _, err := s.ImportFor(ctx, acc, hoadon.PermRead, id); err != nil {
		return err
	}
	return s.Store.Invoices(ctx, id, "", fn)
}

// EventsFor lists the events of one of the caller's imports.
func (s *Service) EventsFor(ctx context.Context, acc hoadon.Access, id string) ([]store.OutboxEvent, error) {
	if _, err := s.ImportFor(ctx, acc, hoadon.PermRead, id); err != nil {
		return nil, err
	}
	return s.Store.ImportEvents(ctx, id)
}

// ImportsFor lists the caller's imports, newest first: of one company, or
// of every company it may reach when company is empty.
func (s *Service) ImportsFor(ctx context.Context, acc hoadon.Access, company string, limit int) ([]hoadon.Import, error) {
	if company != "" {
		if err := acc.AllowCompany(hoadon.PermRead, company); err != nil {
			return nil, err
		}
	} else if err := acc.Allow(hoadon.PermRead); err != nil {
		return nil, err
	}
	if company != "" || len(acc.Companies) == 0 {
		return s.Store.ListImports(ctx, acc.Tenant, company, limit)
	}
	var out []hoadon.Import
	for _, c := range acc.Companies { // an allow-list: its companies' imports, merged newest first
		imps, err := s.Store.ListImports(ctx, acc.Tenant, c, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, imps...)
	}
	sortNewestFirst(out)
	return out[:min(limit, len(out))], nil
}

// CatalogueFor calls fn for every invoice in the caller's catalogue of a
// company: stored, or known to have no original XML.
func (s *Service) CatalogueFor(ctx context.Context, acc hoadon.Access, company string, fn func(store.CatalogueEntry) error) error {
	if err := hoadon.ValidateMST(company); err != nil {
		return err
	}
	if err := acc.AllowCompany(hoadon.PermRead, company); err != nil {
		return err
	}
	return s.Store.Catalogue(ctx, acc.Tenant, company, fn)
}

func sortNewestFirst(imps []hoadon.Import) {
	slices.SortFunc(imps, func(a, b hoadon.Import) int { return b.CreatedAt.Compare(a.CreatedAt) })
}
