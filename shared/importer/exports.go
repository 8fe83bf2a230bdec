package importer

import (
	"context"
	"io"
	"slices"
	"strings"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/export"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// ExportSourceFor is the selection of an export within the caller's
// tenant: its catalogue of the company, direction and period, and the files
// the entries name (nothing outside the tenant's company prefix opens). A
// company the tenant holds no invoice of is not found.
func (s *Service) ExportSourceFor(ctx context.Context, acc hoadon.Access, sel export.Selection) (export.Source, error) {
	if err := sel.Validate(); err != nil {
		return nil, err
	}
	if err := acc.AllowCompany(hoadon.PermRead, sel.Company); err != nil {
		return nil, err
	}
	known, err := s.Store.HasCatalogue(ctx, acc.Tenant, sel.Company)
	if err != nil {
		return nil, err
	}
	if !known {
		return nil, hoadon.Errorf(hoadon.CodeNotFound, "no invoices of company %s", sel.Company)
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

// recordOf is a catalogue entry as the export reads it: the portal status
// the last listing saw, the related invoice it links, and the seller
// signature's verdict recorded when the invoice was stored.
func recordOf(c store.CatalogueEntry) export.Record {
	verified := c.StoredAt
	for _, h := range c.History {
		if h.At.After(verified) {
			verified = h.At
		}
	}
	return export.Record{ID: c.ID, Key: c.Key, Flow: c.Flow, Date: c.Date, Status: c.Status, Reason: c.Error, Objects: c.Objects,
		PortalStatus: c.TThai, Related: relatedKey(c), Signature: export.SellerSignature(c.Signatures), VerifiedAt: verified}
}

// relatedKey names the invoice an entry's status refers to: the original a
// replacement or adjustment names, or the invoice that replaced or
// adjusted it.
func relatedKey(c store.CatalogueEntry) string {
	want := map[int]string{export.PortalReplacement: store.RelOriginal, export.PortalAdjustment: store.RelOriginal,
		export.PortalReplaced: store.RelReplacement, export.PortalAdjusted: store.RelAdjustment}[c.TThai]
	for i := len(c.Related) - 1; i >= 0; i-- {
		if c.Related[i].Rel == want {
			return c.Related[i].Key.String()
		}
	}
	return ""
}

// exportReady writes the workbook of a completing import's period for each
// direction its flows cover (Import.Export) and returns the export.ready
// events to record with its completion. A workbook an earlier attempt
// wrote is kept (the object is write-if-absent) and reported again.
func (s *Service) exportReady(ctx context.Context, imp hoadon.Import) ([]events.Data, error) {
	if !imp.Export {
		return nil, nil
	}
	from, err := hoadon.ParseDate(imp.Params.From)
	if err != nil {
		return nil, err
	}
	to, err := hoadon.ParseDate(imp.Params.To)
	if err != nil {
		return nil, err
	}
	prefix, err := blob.ExportPrefix(imp.Tenant, imp.Params.CompanyID, imp.ID)
	if err != nil {
		return nil, err
	}
	var out []events.Data
	for _, d := range directionsOf(imp.Params.Flows) {
		sel := export.Selection{Company: imp.Params.CompanyID, Name: imp.Params.CompanyName, Direction: d, From: from, To: to}
		object := prefix + sel.Stem() + ".xlsx"
		n, err := s.writeExport(ctx, imp.Tenant, sel, object)
		if err != nil {
			return nil, err
		}
		out = append(out, events.ExportReady{ImportID: imp.ID, CompanyMST: sel.Company, Direction: d,
			From: from.String(), To: to.String(), Object: object, Invoices: n})
	}
	return out, nil
}

// writeExport writes one workbook to the bucket and returns its invoice
// rows.
func (s *Service) writeExport(ctx context.Context, t hoadon.Tenant, sel export.Selection, object string) (int, error) {
	src, err := s.exportSource(t, sel)
	if err != nil {
		return 0, err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := s.Blobs.Writer(wctx, object, export.ContentType)
	st, err := export.WriteWorkbook(ctx, w, src, sel, export.Options{Now: s.Now})
	if err != nil {
		cancel() // abandons the upload
		w.Close()
		return 0, err
	}
	if err := w.Close(); err != nil && !blob.Exists(err) {
		return 0, hoadon.Wrap(hoadon.CodeTransient, err, "writing the export "+object)
	}
	return st.Invoices, nil
}

// directionsOf lists the directions flows cover, sold first.
func directionsOf(flows []hoadon.Flow) []hoadon.Direction {
	var out []hoadon.Direction
	for _, d := range []hoadon.Direction{hoadon.Sold, hoadon.Purchase} {
		if slices.ContainsFunc(flows, func(f hoadon.Flow) bool { return f.Direction() == d }) {
			out = append(out, d)
		}
	}
	return out
}
