package importer

import (
	"context"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/wire"
)

// summaryMonths is how many months a company's row shows.
const summaryMonths = 3

// noteImport keeps the company summary's recent imports (and, once it
// ended, its counts and the completeness of the months it covered). A
// failure is logged: the summary is a view, the import goes on.
func (s *Service) noteImport(ctx context.Context, imp hoadon.Import, counts hoadon.Counts) {
	err := s.Store.NoteImport(ctx, imp, counts)
	if err == nil && imp.State.Final() {
		err = s.Store.NoteMonths(ctx, imp.Tenant, imp.Params.CompanyID, store.ImportMonths(imp.Params))
	}
	if err != nil {
		s.Log.WarnContext(ctx, "updating the company summary", "company", imp.Params.CompanyID, "import", imp.ID, "err", err)
	}
}

// noteLogin keeps the company summary's login health.
func (s *Service) noteLogin(ctx context.Context, imp hoadon.Import, loginErr error) {
	if err := s.Store.NoteLogin(ctx, imp.Tenant, imp.Params.CompanyID, loginErr); err != nil {
		s.Log.WarnContext(ctx, "updating the company's login health", "company", imp.Params.CompanyID, "err", err)
	}
}

// CompaniesFor lists the summaries of the caller's companies by tax code,
// each with its last three months.
func (s *Service) CompaniesFor(ctx context.Context, acc hoadon.Access) ([]wire.Company, error) {
	if err := acc.Allow(hoadon.PermRead); err != nil {
		return nil, err
	}
	all, err := s.Store.Companies(ctx, acc.Tenant)
	if err != nil {
		return nil, err
	}
	months := lastMonths(s.Now(), summaryMonths)
	out := make([]wire.Company, 0, len(all))
	for _, c := range all {
		if acc.CompanyAllowed(c.MST) {
			out = append(out, companyOf(c, months))
		}
	}
	return out, nil
}

// CompanyFor is the summary of one of the caller's companies with its
// recent imports.
func (s *Service) CompanyFor(ctx context.Context, acc hoadon.Access, company string) (wire.Company, error) {
	if err := hoadon.ValidateMST(company); err != nil {
		return wire.Company{}, err
	}
	if err := acc.AllowCompany(hoadon.PermRead, company); err != nil {
		return wire.Company{}, err
	}
	c, err := s.Store.CompanySummary(ctx, acc.Tenant, company)
	if err != nil {
		return wire.Company{}, err
	}
	w := companyOf(c, lastMonths(s.Now(), summaryMonths))
	for _, r := range c.Recent {
		w.Recent = append(w.Recent, wire.RecentTask{TaskSummary: wire.TaskSummary{TaskID: r.ID, TaskType: hoadon.TaskTypeInvoiceImport,
			CompanyID: c.MST, Status: r.State, From: r.From, To: r.To, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt},
			Total: r.Total, Stored: r.Stored, Unavailable: r.Unavailable, Failed: r.Failed})
	}
	return w, nil
}

// lastMonths are the n months up to now's (Vietnam), oldest first.
func lastMonths(now time.Time, n int) []string {
	d := hoadon.DateOf(now)
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]string, n)
	for i := range out {
		out[i] = first.AddDate(0, i-n+1, 0).Format("2006-01")
	}
	return out
}

func companyOf(c store.CompanySummary, months []string) wire.Company {
	w := wire.Company{MST: c.MST, Name: c.Name, Login: c.Login, LoginAt: c.LoginAt, LoginReason: c.LoginReason,
		LastImportID: c.LastImportID, LastImportState: c.LastImportState, LastImportAt: c.LastImportAt,
		ScheduleID: c.ScheduleID, NextRun: c.NextRun}
	for _, m := range months {
		ms, ok := c.Months[m]
		cm := wire.CompanyMonth{Month: m, Listed: ms.Listed, Stored: ms.Stored, Unavailable: ms.Unavailable, Failed: ms.Failed}
		switch {
		case !ok:
			cm.State = "none"
		case !ms.Verified:
			cm.State = "unverified"
		case ms.Gap() > 0 || ms.Failed > 0:
			cm.State = "gaps"
		default:
			cm.State = "complete"
		}
		w.Months = append(w.Months, cm)
	}
	return w
}
