package importer

import (
	"context"
	"slices"
	"strings"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/wire"
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

// RecheckFor re-lists the caller's company's last months (Recheck).
func (s *Service) RecheckFor(ctx context.Context, acc hoadon.Access, company string, months int, flows []hoadon.Flow) (hoadon.Import, bool, error) {
	if err := acc.AllowCompany(hoadon.PermOperate, company); err != nil {
		return hoadon.Import{}, false, err
	}
	return s.Recheck(ctx, acc.Tenant, company, months, flows)
}

// CompletenessFor reads the completeness matrix of the caller's company.
func (s *Service) CompletenessFor(ctx context.Context, acc hoadon.Access, company, from, to string) (wire.Completeness, error) {
	if err := acc.AllowCompany(hoadon.PermRead, company); err != nil {
		return wire.Completeness{}, err
	}
	return s.Completeness(ctx, acc.Tenant, company, from, to)
}

// MatrixFor reads the completeness cells of the caller's company (Matrix).
func (s *Service) MatrixFor(ctx context.Context, acc hoadon.Access, company, from, to string) (wire.Completeness, error) {
	if err := acc.AllowCompany(hoadon.PermRead, company); err != nil {
		return wire.Completeness{}, err
	}
	return s.Matrix(ctx, acc.Tenant, company, from, to)
}

// InvoiceRecordFor reads one invoice of the caller's catalogue.
func (s *Service) InvoiceRecordFor(ctx context.Context, acc hoadon.Access, company, invoiceID string) (wire.InvoiceRecord, error) {
	if err := acc.AllowCompany(hoadon.PermRead, company); err != nil {
		return wire.InvoiceRecord{}, err
	}
	return s.InvoiceRecord(ctx, acc.Tenant, company, invoiceID)
}

// ImportFor returns one of the caller's imports.
func (s *Service) ImportFor(ctx context.Context, acc hoadon.Access, p hoadon.Permission, id string) (hoadon.Import, error) {
	if err := acc.Allow(p); err != nil {
		return hoadon.Import{}, err
	}
	notFound := hoadon.Errorf(hoadon.CodeNotFound, "no import with id %s", id)
	if err := hoadon.ValidateID("task id", id); err != nil { // the API's name for an import id
		return hoadon.Import{}, err
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

// InvoicesFor calls fn for every invoice of one of the caller's imports
// (only those in one status when only is set). The import is checked
// before fn is first called.
func (s *Service) InvoicesFor(ctx context.Context, acc hoadon.Access, id string, only hoadon.InvoiceStatus, fn func(hoadon.Invoice) error) error {
	if _, err := s.ImportFor(ctx, acc, hoadon.PermRead, id); err != nil {
		return err
	}
	return s.Store.Invoices(ctx, id, only, fn)
}

// InvoiceFor is one invoice of one of the caller's imports.
func (s *Service) InvoiceFor(ctx context.Context, acc hoadon.Access, importID, invoiceID string) (hoadon.Invoice, error) {
	if _, err := s.ImportFor(ctx, acc, hoadon.PermRead, importID); err != nil {
		return hoadon.Invoice{}, err
	}
	notFound := hoadon.Errorf(hoadon.CodeNotFound, "no invoice %q in import %s", invoiceID, importID)
	if hoadon.ValidateID("invoice id", invoiceID) != nil {
		return hoadon.Invoice{}, notFound
	}
	inv, err := s.Store.Invoice(ctx, importID, invoiceID)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		return hoadon.Invoice{}, notFound
	}
	return inv, err
}

// InvoiceFileFor reads one stored file of an invoice (kind xml, zip, json,
// or html: the portal's rendering from inside its ZIP) when it lies under the caller's tenant and company prefix.
func (s *Service) InvoiceFileFor(ctx context.Context, acc hoadon.Access, inv hoadon.Invoice, kind string) ([]byte, error) {
	name := map[string]string{"xml": inv.Objects.XML, "zip": inv.Objects.ZIP, "json": inv.Objects.JSON, "html": inv.Objects.ZIP}[kind]
	if name == "" {
		return nil, hoadon.Errorf(hoadon.CodeNotFound, "invoice %s has no stored %s", inv.ID, kind)
	}
	if err := acc.AllowCompany(hoadon.PermRead, inv.Company); err != nil {
		return nil, err
	}
	prefix, err := blob.CompanyPrefix(acc.Tenant, inv.Company)
	if err != nil || !strings.HasPrefix(name, prefix) {
		return nil, hoadon.Errorf(hoadon.CodeNotFound, "invoice %s has no stored %s", inv.ID, kind)
	}
	data, err := s.Blobs.Get(ctx, name)
	if err != nil || kind != "html" {
		return data, err
	}
	return einvoice.HTMLFromZIP(data)
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
