package importer

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// DownloadRequest is one download task as Cloud Tasks delivers it.
type DownloadRequest struct {
	ImportID  string `json:"import_id"`
	InvoiceID string `json:"invoice_id"`
	// LastAttempt is set by the handler when Cloud Tasks will not retry
	// this task again: a retryable failure is then recorded as failed.
	LastAttempt bool `json:"-"`
}

// Download fetches one invoice's original XML and stores it. It returns nil
// when the task is done — stored, permanently unavailable, failed for good,
// or nothing to do (a duplicate delivery, a cancelled import) — and a
// retryable error otherwise, which the handler turns into a status that makes
// Cloud Tasks try again after its backoff.
func (s *Service) Download(ctx context.Context, req DownloadRequest) error {
	imp, err := s.Store.Import(ctx, req.ImportID)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		s.Log.WarnContext(ctx, "download task for an unknown import dropped", "import", req.ImportID)
		return nil
	}
	if err != nil {
		return err
	}
	if imp.State.Final() {
		return nil
	}
	inv, proceed, err := s.Store.BeginDownload(ctx, req.ImportID, req.InvoiceID)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		s.Log.WarnContext(ctx, "download task for an unknown invoice dropped", "import", req.ImportID, "invoice", req.InvoiceID)
		return nil
	}
	if err != nil || !proceed {
		return err
	}
	raw, files, err := s.export(ctx, imp, inv)
	if err != nil {
		return s.downloadFailed(ctx, imp, inv, err, req.LastAttempt)
	}
	out, err := s.storeFiles(ctx, imp, inv, raw, files)
	if err != nil {
		return s.downloadFailed(ctx, imp, inv, err, req.LastAttempt)
	}
	if err := s.complete(ctx, imp, inv, out, ""); err != nil {
		return err
	}
	if err := s.Throttle.Record(ctx, imp.Params.CompanyID, nil); err != nil {
		s.Log.WarnContext(ctx, "raising the company rate", "company", imp.Params.CompanyID, "err", err)
	}
	return nil
}

// export calls export-xml with the company session, logging in again once
// when the portal rejects the token.
func (s *Service) export(ctx context.Context, imp hoadon.Import, inv hoadon.Invoice) ([]byte, map[string][]byte, error) {
	sess, h, err := s.session(ctx, imp, 0)
	if err != nil {
		return nil, nil, err
	}
	raw, files, err := s.Portal.ExportZIP(ctx, sess, inv.Flow, inv.Key)
	if hoadon.ErrorCode(err) != hoadon.CodeSessionExpired {
		return raw, files, err
	}
	if err := s.dropSession(ctx, h); err != nil {
		return nil, nil, err
	}
	if sess, _, err = s.session(ctx, imp, h.gen); err != nil {
		return nil, nil, err
	}
	return s.Portal.ExportZIP(ctx, sess, inv.Flow, inv.Key)
}

// storeFiles parses the invoice and writes the portal's ZIP as received, the
// XML and the parsed JSON, each write-if-absent. Unreadable content, or an
// XML of another invoice than the listing named, is CodeBadData: permanent,
// and nothing is stored.
func (s *Service) storeFiles(ctx context.Context, imp hoadon.Import, inv hoadon.Invoice, zipData []byte, files map[string][]byte) (store.Outcome, error) {
	name, xml, ok := gdt.InvoiceXML(files)
	if !ok {
		return store.Outcome{}, hoadon.Errorf(hoadon.CodeBadData, "export-xml ZIP holds no XML file")
	}
	parsed, err := einvoice.ParseWith(xml, einvoice.Options{Verifier: s.Signatures})
	if err != nil {
		return store.Outcome{}, fmt.Errorf("%s: %w", name, err)
	}
	if got := parsed.Key(); got != inv.Key {
		return store.Outcome{}, hoadon.Errorf(hoadon.CodeBadData, "%s is invoice %s, the listing named %s", name, got, inv.Key)
	}
	out := verified(parsed)
	js, err := json.Marshal(parsed)
	if err != nil {
		return store.Outcome{}, hoadon.Wrap(hoadon.CodeInternal, err, "encoding the parsed invoice")
	}
	date, err := hoadon.ParseDate(inv.Date)
	if err != nil {
		return store.Outcome{}, err
	}
	objs, err := blob.InvoiceObjects(imp.Tenant, imp.Params.CompanyID, inv.Flow.Direction(), date, inv.Key)
	if err != nil {
		return store.Outcome{}, err
	}
	if err := s.putDerived(ctx, objs.ZIP, zipData, "application/zip"); err != nil {
		return store.Outcome{}, err
	}
	sum, _, err := s.Blobs.Put(ctx, objs.XML, xml, "application/xml")
	if err != nil {
		return store.Outcome{}, err
	}
	if err := s.putDerived(ctx, objs.JSON, js, "application/json"); err != nil {
		return store.Outcome{}, err
	}
	out.Objects, out.SHA256 = objs, sum
	return out, nil
}

// verified is a stored outcome carrying the invoice's signature results:
// every signer's, the seller's status and, when it is missing (on an
// invoice that must be signed), invalid or not the seller's, the warning.
func verified(parsed *einvoice.Invoice) store.Outcome {
	out := store.Outcome{Status: hoadon.StatusStored, Signatures: parsed.Signatures}
	if seller, ok := xmlsig.Seller(parsed.Signatures); ok {
		out.Signature = string(seller.Status)
	}
	if w := parsed.SignatureWarning(); w != nil {
		out.Warning = w.Message
	}
	return out
}

// putDerived writes the ZIP or the parsed JSON around an invoice's XML. An
// earlier attempt that died before completing may have stored a different
// copy: the portal rebuilds the ZIP on every export (its bytes need not
// repeat) and a newer parser may encode the JSON differently. The copy
// stored first is kept; only the signed XML itself must never differ.
func (s *Service) putDerived(ctx context.Context, object string, data []byte, contentType string) error {
	_, _, err := s.Blobs.Put(ctx, object, data, contentType)
	if hoadon.ErrorCode(err) == hoadon.CodeConflict {
		s.Log.InfoContext(ctx, "an earlier attempt stored another copy; keeping it", "object", object)
		return nil
	}
	return err
}

// downloadFailed decides what a failure means for the invoice and the
// company queue.
func (s *Service) downloadFailed(ctx context.Context, imp hoadon.Import, inv hoadon.Invoice, err error, last bool) error {
	company := imp.Params.CompanyID
	code := hoadon.ErrorCode(err)
	log := s.Log.With("import", imp.ID, "company", company, "invoice", inv.Key.String(), "attempt", inv.Attempts)
	switch code {
	case hoadon.CodeNoDossier:
		log.InfoContext(ctx, "invoice has no original XML on the portal")
		return s.complete(ctx, imp, inv, store.Outcome{Status: hoadon.StatusUnavailable, Error: hoadon.ErrorMessage(err)}, "")
	case hoadon.CodeBadData, hoadon.CodeBadCredentials, hoadon.CodeLocked, hoadon.CodeInvalid, hoadon.CodeConflict:
		log.WarnContext(ctx, "invoice failed for good", "code", code, "err", err)
		return s.complete(ctx, imp, inv, store.Outcome{Status: hoadon.StatusFailed, Error: hoadon.ErrorMessage(err)}, code)
	default: // throttled or transient: the rate policy hears of it, Cloud Tasks retries
		if terr := s.Throttle.Record(ctx, company, err); terr != nil {
			log.WarnContext(ctx, "recording the portal's answer in the company rate", "err", terr)
		}
	}
	if last {
		log.WarnContext(ctx, "invoice failed after the last attempt", "code", code, "err", err)
		return s.complete(ctx, imp, inv, store.Outcome{Status: hoadon.StatusFailed, Error: hoadon.ErrorMessage(err)}, code)
	}
	log.InfoContext(ctx, "download will be retried", "code", code, "err", err)
	return err
}

// complete records a final outcome with its event.
func (s *Service) complete(ctx context.Context, imp hoadon.Import, inv hoadon.Invoice, out store.Outcome, code hoadon.Code) error {
	company := imp.Params.CompanyID
	c := collect(ctx, s, tenantIs[hoadon.Invoice](imp.Tenant), func(inv hoadon.Invoice) ([]events.Data, error) {
		evs := []events.Data{invoiceEvent(company, inv, code)}
		if inv.Status == hoadon.StatusStored && inv.Warning != "" {
			evs = append(evs, events.InvoiceSignatureInvalid{ImportID: inv.ImportID, CompanyMST: company, Flow: inv.Flow,
				Direction: inv.Flow.Direction(), Invoice: inv.Key, Signature: inv.Signature, Reason: inv.Warning})
		}
		return evs, nil
	})
	_, changed, err := s.Store.CompleteDownload(ctx, inv, out, c.fn)
	if err == nil && changed {
		s.dispatch(ctx, c.got)
	}
	return err
}

func invoiceEvent(company string, inv hoadon.Invoice, code hoadon.Code) events.Data {
	d := inv.Flow.Direction()
	switch inv.Status {
	case hoadon.StatusStored:
		return events.InvoiceStored{ImportID: inv.ImportID, CompanyMST: company, Flow: inv.Flow, Direction: d, Invoice: inv.Key,
			Objects: events.Objects{Zip: inv.Objects.ZIP, XML: inv.Objects.XML, JSON: inv.Objects.JSON}, XMLSHA256: inv.SHA256}
	case hoadon.StatusUnavailable:
		return events.InvoiceUnavailable{ImportID: inv.ImportID, CompanyMST: company, Flow: inv.Flow, Direction: d, Invoice: inv.Key, Reason: inv.Error}
	}
	if code == "" {
		code = hoadon.CodeInternal
	}
	return events.InvoiceFailed{ImportID: inv.ImportID, CompanyMST: company, Flow: inv.Flow, Direction: d, Invoice: inv.Key,
		Code: code, Reason: inv.Error, Attempts: inv.Attempts}
}
