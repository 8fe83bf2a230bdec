package store

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// A company's summary, tenants/{t}/companies/{mst}, is aggregated at write
// time where its facts change: an import starts or ends (NoteImport, with
// the completeness of the months it covered: NoteMonths), a login succeeds
// or is refused (NoteLogin), a schedule is created or deleted
// (NoteSchedule). Each is one merged write of a few fields of one
// document; nothing scans imports or invoices to draw the companies page,
// which reads the summaries of a tenant in one query (Companies).

// Login health of a company, from its last login.
const (
	LoginUnknown       = ""               // never logged in
	LoginOK            = "ok"             // the last login worked
	LoginWrongPassword = "wrong_password" // the portal refused the password
	LoginLocked        = "locked"         // the portal locked the account
	LoginPortalDown    = "portal_down"    // the portal did not answer (5xx, timeout, firewall)
)

// LoginHealth is the health a login outcome gives (nil: it worked).
func LoginHealth(err error) string {
	switch hoadon.ErrorCode(err) {
	case "":
		return LoginOK
	case hoadon.CodeBadCredentials:
		return LoginWrongPassword
	case hoadon.CodeLocked:
		return LoginLocked
	case hoadon.CodeTransient, hoadon.CodeBlocked, hoadon.CodeRateLimited:
		return LoginPortalDown
	}
	return LoginUnknown // a captcha retry or a bug says nothing of the account
}

// CompanySummary is tenants/{t}/companies/{mst}.
type CompanySummary struct {
	MST             string             `firestore:"mst"`
	Name            string             `firestore:"name,omitempty"`
	Login           string             `firestore:"login,omitempty"`
	LoginAt         time.Time          `firestore:"login_at,omitempty"`
	LoginReason     string             `firestore:"login_reason,omitempty"`
	LastImportID    string             `firestore:"last_import_id,omitempty"`
	LastImportState hoadon.ImportState `firestore:"last_import_state,omitempty"`
	LastImportAt    time.Time          `firestore:"last_import_at,omitempty"`
	ScheduleID      string             `firestore:"schedule_id,omitempty"`
	NextRun         time.Time          `firestore:"next_run,omitempty"`
	// Months is the completeness of each month (YYYY-MM) the last imports
	// covered, all flows together, copied from the month cells when an
	// import ends.
	Months    map[string]MonthSummary `firestore:"months,omitempty"`
	UpdatedAt time.Time               `firestore:"updated_at"`
}

// MonthSummary is a month's cells of every flow added up.
type MonthSummary struct {
	Listed      int  `firestore:"listed"`
	Stored      int  `firestore:"stored"`
	Unavailable int  `firestore:"unavailable"`
	Failed      int  `firestore:"failed"`
	Verified    bool `firestore:"verified"` // listed whole: every flow with invoices, at least one flow
}

// Gap is how many listed invoices are neither stored nor unavailable.
func (m MonthSummary) Gap() int { return max(0, m.Listed-m.Stored-m.Unavailable) }

func (s *Store) companyRef(t hoadon.Tenant, company string) *firestore.DocumentRef {
	return s.tenantRef(t).Collection(colCompanies).Doc(company)
}

// note merges fields into a company's summary.
func (s *Store) note(ctx context.Context, op string, t hoadon.Tenant, company string, fields map[string]any) error {
	if err := hoadon.ValidateMST(company); err != nil {
		return err
	}
	fields["mst"], fields["updated_at"] = company, s.now().UTC()
	_, err := s.companyRef(t, company).Set(ctx, fields, firestore.MergeAll)
	return gcp.Classify(op, err)
}

// NoteImport records an import of a company as its last one (its name
// too, when given).
func (s *Store) NoteImport(ctx context.Context, imp hoadon.Import) error {
	at := imp.CreatedAt
	if imp.State.Final() && !imp.FinishedAt.IsZero() {
		at = imp.FinishedAt
	}
	f := map[string]any{"last_import_id": imp.ID, "last_import_state": string(imp.State), "last_import_at": at.UTC()}
	if imp.Params.CompanyName != "" {
		f["name"] = imp.Params.CompanyName
	}
	return s.note(ctx, "store.NoteImport", imp.Tenant.OrDefault(), imp.Params.CompanyID, f)
}

// NoteLogin records a company's login outcome (LoginHealth); an outcome
// that says nothing of the account (LoginUnknown) is not recorded.
func (s *Store) NoteLogin(ctx context.Context, t hoadon.Tenant, company string, loginErr error) error {
	health := LoginHealth(loginErr)
	if health == LoginUnknown {
		return nil
	}
	reason := ""
	if loginErr != nil {
		reason = hoadon.ErrorMessage(loginErr)
	}
	return s.note(ctx, "store.NoteLogin", t.OrDefault(), company,
		map[string]any{"login": health, "login_at": s.now().UTC(), "login_reason": reason})
}

// NoteSchedule records a company's schedule and its next run, or clears it
// (id "") when the schedule is deleted.
func (s *Store) NoteSchedule(ctx context.Context, t hoadon.Tenant, company, id string, next time.Time) error {
	f := map[string]any{"schedule_id": id, "next_run": next.UTC()}
	if id == "" {
		f["schedule_id"], f["next_run"] = firestore.Delete, firestore.Delete
	}
	return s.note(ctx, "store.NoteSchedule", t.OrDefault(), company, f)
}

// NoteMonths copies the cells of some months of a company (every flow)
// into its summary: one batched read of the cells, one write.
func (s *Store) NoteMonths(ctx context.Context, t hoadon.Tenant, company string, months []string) error {
	if len(months) == 0 {
		return nil
	}
	cells, err := s.MonthCells(ctx, t, company, months, hoadon.AllFlows)
	if err != nil {
		return err
	}
	sum := map[string]any{}
	for _, m := range months {
		var ms MonthSummary
		listed, unlisted := 0, 0 // flows listed whole; flows with invoices but not listed whole
		for _, c := range cells {
			if c.Month != m {
				continue
			}
			ms.Listed += max(0, c.Listed)
			ms.Stored, ms.Unavailable, ms.Failed = ms.Stored+c.Stored, ms.Unavailable+c.Unavailable, ms.Failed+c.Failed
			if c.Verified() {
				listed++
			} else if c.Discovered > 0 {
				unlisted++
			}
		}
		ms.Verified = listed > 0 && unlisted == 0
		sum[m] = ms
	}
	return s.note(ctx, "store.NoteMonths", t.OrDefault(), company, map[string]any{"months": sum})
}

// PutCompanySummary writes a whole summary (the bench seeds with it).
func (s *Store) PutCompanySummary(ctx context.Context, t hoadon.Tenant, c CompanySummary) error {
	if err := hoadon.ValidateMST(c.MST); err != nil {
		return err
	}
	_, err := s.companyRef(t, c.MST).Set(ctx, c)
	return gcp.Classify("store.PutCompanySummary", err)
}

// CompanySummary reads one company's summary (CodeNotFound when none).
func (s *Store) CompanySummary(ctx context.Context, t hoadon.Tenant, company string) (CompanySummary, error) {
	snap, err := s.companyRef(t, company).Get(ctx)
	if notFound(err) {
		return CompanySummary{}, hoadon.Errorf(hoadon.CodeNotFound, "no company %s", company)
	}
	if err != nil {
		return CompanySummary{}, gcp.Classify("store.CompanySummary", err)
	}
	var c CompanySummary
	return c, gcp.Classify("store.CompanySummary", snap.DataTo(&c))
}

// Companies reads the summaries of a tenant's companies by tax code.
func (s *Store) Companies(ctx context.Context, t hoadon.Tenant) ([]CompanySummary, error) {
	docs, err := QueryCompaniesByMST.On(s.tenantRef(t)).Documents(ctx).GetAll()
	if err != nil {
		return nil, gcp.Classify("store.Companies", err)
	}
	out := make([]CompanySummary, 0, len(docs))
	for _, d := range docs {
		var c CompanySummary
		if err := d.DataTo(&c); err != nil {
			return nil, gcp.Classify("store.Companies", err)
		}
		if c.MST == "" { // a parent of catalogue or month documents only, no summary yet
			c.MST = d.Ref.ID
		}
		out = append(out, c)
	}
	return out, nil
}
