package importer

import (
	"context"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/wire"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// Recheck and completeness: a recheck is an import of whole past months
// that lists them again; what the catalogue already stores is skipped, so
// it costs the list calls (and the downloads of invoices that arrived late
// or failed before). Every listing records status changes and the month's
// completeness as it goes (see shared/store tracking.go and months.go).

// Recheck bounds.
const (
	DefaultRecheckMonths = 2
	MaxRecheckMonths     = 12
	maxCompletenessSpan  = 36 // months one completeness read covers
	maxMissingListed     = 50 // missing invoices named per flagged cell
)

// RecheckWindow is the range a recheck of the months before now's month
// covers: the first day of the earliest to the last day of the previous
// month (Vietnam dates).
func RecheckWindow(now time.Time, months int) (from, to hoadon.Date) {
	today := hoadon.DateOf(now)
	first := hoadon.Date{Time: time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, hoadon.VietnamZone)}
	return hoadon.Date{Time: first.AddDate(0, -months, 0)}, first.AddDays(-1)
}

// Recheck starts an import that lists the months before the current one
// again with the company's stored credentials: late invoices are
// downloaded, status changes recorded, each month's listing verified;
// stored invoices are not downloaded again. An identical recheck still
// running is returned (created false).
func (s *Service) Recheck(ctx context.Context, tenant hoadon.Tenant, company string, months int, flows []hoadon.Flow) (hoadon.Import, bool, error) {
	if months == 0 {
		months = DefaultRecheckMonths
	}
	if months < 1 || months > MaxRecheckMonths {
		return hoadon.Import{}, false, hoadon.Errorf(hoadon.CodeInvalid, "months must be 1..%d", MaxRecheckMonths)
	}
	if err := hoadon.ValidateMST(company); err != nil {
		return hoadon.Import{}, false, err
	}
	password, username, err := s.storedLogin(ctx, tenant, company)
	if err != nil {
		return hoadon.Import{}, false, err
	}
	from, to := RecheckWindow(s.Now(), months)
	p := hoadon.ImportParams{TaskType: hoadon.TaskTypeInvoiceImport, CompanyID: company, Username: username,
		From: from.String(), To: to.String(), Flows: flows}
	return s.Start(ctx, StartRequest{Tenant: tenant, Params: p, Password: password})
}

// storedLogin opens the company's stored portal login.
func (s *Service) storedLogin(ctx context.Context, tenant hoadon.Tenant, company string) (password, username string, err error) {
	l, err := s.Store.Credentials(ctx, tenant, company)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		return "", "", hoadon.Errorf(hoadon.CodeNotFound, "no stored portal login for %s: start one import with its password first", company)
	}
	if err != nil {
		return "", "", err
	}
	pw, err := s.Box.Open(l.SealedPassword, store.CredentialsLabel(tenant, company))
	if err != nil {
		return "", "", err
	}
	return string(pw), l.Username, nil
}

// ParseMonth reads YYYY-MM.
func ParseMonth(v string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", v, hoadon.VietnamZone)
	if err != nil {
		return time.Time{}, hoadon.Errorf(hoadon.CodeInvalid, "month %q: want YYYY-MM", v)
	}
	return t, nil
}

// Completeness reads a company's matrix for the months from..to
// (YYYY-MM, inclusive; empty: the last 12 months) in every flow: the
// counters kept at write time, plus the missing invoices of each flagged
// cell (one query per flagged cell).
func (s *Service) Completeness(ctx context.Context, tenant hoadon.Tenant, company, from, to string) (wire.Completeness, error) {
	return s.completeness(ctx, tenant, company, from, to, true)
}

// Matrix is Completeness without the missing invoices: the cells only,
// read by key (what the company page draws).
func (s *Service) Matrix(ctx context.Context, tenant hoadon.Tenant, company, from, to string) (wire.Completeness, error) {
	return s.completeness(ctx, tenant, company, from, to, false)
}

func (s *Service) completeness(ctx context.Context, tenant hoadon.Tenant, company, from, to string, withMissing bool) (wire.Completeness, error) {
	if err := hoadon.ValidateMST(company); err != nil {
		return wire.Completeness{}, err
	}
	months, err := s.monthRange(from, to)
	if err != nil {
		return wire.Completeness{}, err
	}
	cells, err := s.Store.MonthCells(ctx, tenant, company, months, hoadon.AllFlows)
	if err != nil {
		return wire.Completeness{}, err
	}
	out := wire.Completeness{Company: company, From: months[0], To: months[len(months)-1], Cells: make([]wire.MonthCell, 0, len(cells))}
	for _, c := range cells {
		wc := wireCell(c)
		if wc.Flagged {
			out.Flagged++
		}
		if wc.Flagged && withMissing {
			if wc.Missing, err = s.missing(ctx, tenant, company, c); err != nil {
				return wire.Completeness{}, err
			}
		}
		out.Cells = append(out.Cells, wc)
	}
	return out, nil
}

func (s *Service) monthRange(from, to string) ([]string, error) {
	if from == "" && to == "" {
		last := hoadon.DateOf(s.Now())
		to = last.Format("2006-01")
		from = last.AddDate(0, -11, 0).Format("2006-01")
	}
	if from == "" || to == "" {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "give both from and to (YYYY-MM), or neither (the last 12 months)")
	}
	f, err := ParseMonth(from)
	if err != nil {
		return nil, err
	}
	t, err := ParseMonth(to)
	if err != nil {
		return nil, err
	}
	if t.Before(f) || !t.Before(f.AddDate(0, maxCompletenessSpan, 0)) {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "from..to must be in order and at most %d months", maxCompletenessSpan)
	}
	var months []string
	for m := f; !m.After(t); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	return months, nil
}

func wireCell(c store.MonthCell) wire.MonthCell {
	wc := wire.MonthCell{Month: c.Month, Flow: c.Flow, Discovered: c.Discovered, Stored: c.Stored, Unavailable: c.Unavailable,
		Failed: c.Failed, StatusChanges: c.StatusChanges, VerifiedAt: c.VerifiedAt, VerifiedBy: c.VerifiedBy}
	if c.Verified() {
		listed := c.Listed
		wc.Listed = &listed
		wc.Flagged = c.Gap() != 0
		if c.PortalTotal >= 0 {
			total := c.PortalTotal
			wc.PortalTotal = &total
			wc.Flagged = wc.Flagged || total != listed
		}
	}
	return wc
}

func (s *Service) missing(ctx context.Context, tenant hoadon.Tenant, company string, c store.MonthCell) ([]wire.MissingInvoice, error) {
	es, err := s.Store.Unsettled(ctx, tenant, company, c.Month, c.Flow, maxMissingListed)
	if err != nil {
		return nil, err
	}
	out := make([]wire.MissingInvoice, 0, len(es))
	for _, e := range es {
		out = append(out, wire.MissingInvoice{ID: e.ID, Key: e.Key, Date: e.Date, Status: e.Status, Error: e.Error})
	}
	return out, nil
}

// InvoiceRecord reads a tenant's catalogue entry of one invoice of a
// company: status, portal status history, related invoices and signatures.
func (s *Service) InvoiceRecord(ctx context.Context, tenant hoadon.Tenant, company, invoiceID string) (wire.InvoiceRecord, error) {
	e, err := s.Store.Catalogued(ctx, tenant, company, invoiceID)
	if err != nil {
		return wire.InvoiceRecord{}, err
	}
	r := wire.InvoiceRecord{ID: e.ID, Key: e.Key, Flow: e.Flow, Date: e.Date, Status: e.Status, TThai: e.TThai,
		History: []wire.StatusChange{}, Related: []wire.RelatedInvoice{}, Objects: e.Objects, SHA256: e.SHA256, ImportID: e.ImportID, Error: e.Error,
		Signatures: e.Signatures, SignatureWarning: e.SignatureWarning}
	if r.Signatures == nil {
		r.Signatures = []xmlsig.Result{}
	}
	for _, h := range e.History {
		r.History = append(r.History, wire.StatusChange{From: h.From, To: h.To, At: h.At, ImportID: h.ImportID, Related: h.Related})
	}
	for _, l := range e.Related {
		r.Related = append(r.Related, wire.RelatedInvoice{Rel: l.Rel, Key: l.Key, ID: l.ID})
	}
	return r, nil
}
