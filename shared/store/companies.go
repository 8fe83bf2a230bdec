package store

import (
	"context"
	"slices"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// A company's summary, tenants/{t}/companies/{mst}, is aggregated at write
// time where its facts change: an import starts or ends (NoteImport keeps
// its last imports with their counts; NoteMonths the completeness of the
// months it covered), a login succeeds or is refused (NoteLogin), a
// schedule is created or deleted (NoteSchedule). Each writes the summary
// (NoteImport also its recent imports, tenants/{t}/companies/{mst}/index/
// recent, reading both first in a transaction, at an import's start and
// end only); nothing scans imports or invoices to draw a page. The
// tenant's list of companies, tenants/{t}/index/companies (field
// company_ids), gains a company where its summary is first written (a
// blind write in that transaction: many first imports at once do not
// queue on the list), so the companies page reads the list and the
// summaries by key (Companies) and the company page its summary and its
// month cells by key: no query, whose cost in the Firestore emulator grows
// with the whole database.

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
	// Recent are the company's last imports, newest first (RecentImports).
	// They live in their own document (recentRef), which CompanySummary
	// reads and Companies does not: the companies page decodes no import
	// history. Summaries written before that hold them inline, in this
	// field, until their next import or hoadon migrate moves them.
	Recent     []RecentImport `firestore:"recent,omitempty"`
	ScheduleID string         `firestore:"schedule_id,omitempty"`
	NextRun    time.Time      `firestore:"next_run,omitempty"`
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

// recentRef holds a company's last imports (field recent).
func (s *Store) recentRef(t hoadon.Tenant, company string) *firestore.DocumentRef {
	return s.companyRef(t, company).Collection(colIndex).Doc("recent")
}

type recentDoc struct {
	Recent []RecentImport `firestore:"recent"`
}

// companyListRef is the tenant's list of companies (field company_ids).
// It is its own document, not a field of tenants/{t}, whose existence
// says that the tenant exists. At about 15 bytes a tax code, its 1 MiB
// holds some 60,000 companies.
func (s *Store) companyListRef(t hoadon.Tenant) *firestore.DocumentRef {
	return s.tenantRef(t).Collection(colIndex).Doc("companies")
}

// listed is the write that puts companies on their tenant's list.
func listed(companies ...string) map[string]any {
	ids := make([]any, len(companies))
	for i, c := range companies {
		ids[i] = c
	}
	return map[string]any{"company_ids": firestore.ArrayUnion(ids...)}
}

// listCompanies puts companies on their tenant's list (idempotent); seeded
// marks the list as holding every summary written before it (Companies).
func (s *Store) listCompanies(ctx context.Context, op string, t hoadon.Tenant, seeded bool, companies ...string) error {
	f := map[string]any{}
	if len(companies) > 0 {
		f = listed(companies...)
	}
	if seeded {
		f["seeded"] = true
	}
	if len(f) == 0 {
		return nil
	}
	_, err := s.companyListRef(t).Set(ctx, f, firestore.MergeAll)
	return gcp.Classify(op, err)
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

// RecentImports is how many of a company's last imports its summary keeps.
const RecentImports = 10

// RecentImport is one of a company's last imports as its summary keeps it,
// so the company page lists them without a query.
type RecentImport struct {
	ID          string             `firestore:"id"`
	State       hoadon.ImportState `firestore:"state"`
	From        string             `firestore:"from"`
	To          string             `firestore:"to"`
	CreatedAt   time.Time          `firestore:"created_at"`
	FinishedAt  time.Time          `firestore:"finished_at,omitempty"`
	Total       int                `firestore:"total"`
	Stored      int                `firestore:"stored"`
	Unavailable int                `firestore:"unavailable"`
	Failed      int                `firestore:"failed"`
}

// RecentOf is what a summary keeps of an import with its counts (zero
// counts for one that just started).
func RecentOf(imp hoadon.Import, c hoadon.Counts) RecentImport {
	return RecentImport{ID: imp.ID, State: imp.State, From: imp.Params.From, To: imp.Params.To,
		CreatedAt: imp.CreatedAt.UTC(), FinishedAt: imp.FinishedAt.UTC(), Total: c.Total,
		Stored: c.Status[hoadon.StatusStored], Unavailable: c.Status[hoadon.StatusUnavailable], Failed: c.Status[hoadon.StatusFailed]}
}

// withRecent puts r into the list (replacing the entry of its import),
// newest created first, at most RecentImports.
func withRecent(list []RecentImport, r RecentImport) []RecentImport {
	out := append(make([]RecentImport, 0, len(list)+1), r)
	for _, x := range list {
		if x.ID != r.ID {
			out = append(out, x)
		}
	}
	slices.SortStableFunc(out, func(a, b RecentImport) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out[:min(len(out), RecentImports)]
}

// lastImportFields are the summary's last-import fields from its newest
// recent import: an older import that ends after a newer one started does
// not take its place.
func lastImportFields(last RecentImport) map[string]any {
	at := last.CreatedAt
	if last.State.Final() && !last.FinishedAt.IsZero() {
		at = last.FinishedAt
	}
	return map[string]any{"last_import_id": last.ID, "last_import_state": string(last.State), "last_import_at": at}
}

// NoteImport records an import of a company (its name too, when given) in
// its recent imports, with its counts once it ended: one transaction
// reading and writing the summary and its recent imports, run where an
// import starts and ends, never per invoice.
func (s *Store) NoteImport(ctx context.Context, imp hoadon.Import, counts hoadon.Counts) error {
	return s.noteRecent(ctx, "store.NoteImport", imp.Tenant.OrDefault(), imp.Params.CompanyID, imp.Params.CompanyName,
		[]RecentImport{RecentOf(imp, counts)})
}

// noteRecent merges imports into a company's recent list (its own
// document) and the summary's last-import fields, in one transaction that
// reads both documents in one round trip. A company new to its tenant
// goes on the tenant's list in the same commit; a summary that still
// holds its recent imports inline (written before they moved) has them
// moved.
func (s *Store) noteRecent(ctx context.Context, op string, t hoadon.Tenant, company, name string, rs []RecentImport) error {
	if err := hoadon.ValidateMST(company); err != nil {
		return err
	}
	ref, rref := s.companyRef(t, company), s.recentRef(t, company)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snaps, err := tx.GetAll([]*firestore.DocumentRef{ref, rref})
		if err != nil {
			return err
		}
		var sum CompanySummary
		var cur recentDoc
		if snaps[0].Exists() {
			if err := snaps[0].DataTo(&sum); err != nil {
				return err
			}
		}
		if snaps[1].Exists() {
			if err := snaps[1].DataTo(&cur); err != nil {
				return err
			}
		} else {
			cur.Recent = sum.Recent // the older layout, or none
		}
		for _, r := range rs {
			cur.Recent = withRecent(cur.Recent, r)
		}
		if len(cur.Recent) == 0 {
			return nil
		}
		f := lastImportFields(cur.Recent[0])
		if name != "" {
			f["name"] = name
		}
		f["mst"], f["updated_at"] = company, s.now().UTC()
		if sum.Recent != nil {
			f["recent"] = firestore.Delete
		}
		if !snaps[0].Exists() { // a new company of the tenant: on its list, in the same commit
			// A blind write: the transaction does not read the list, so the
			// first imports of many companies at once do not queue on it.
			if err := tx.Set(s.companyListRef(t), listed(company), firestore.MergeAll); err != nil {
				return err
			}
		}
		if err := tx.Set(rref, cur); err != nil {
			return err
		}
		return tx.Set(ref, f, firestore.MergeAll)
	})
	return gcp.Classify(op, err)
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
	if err := s.note(ctx, "store.NoteSchedule", t.OrDefault(), company, f); err != nil || id == "" {
		return err
	}
	// A company may be scheduled before its first import: a schedule's
	// creation is rare, so it lists the company every time.
	return s.listCompanies(ctx, "store.NoteSchedule", t.OrDefault(), false, company)
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

// CompanySummary reads one company's summary with its recent imports
// (CodeNotFound when none): two documents by key, one round trip.
func (s *Store) CompanySummary(ctx context.Context, t hoadon.Tenant, company string) (CompanySummary, error) {
	snaps, err := s.fs.GetAll(ctx, []*firestore.DocumentRef{s.companyRef(t, company), s.recentRef(t, company)})
	if err != nil {
		return CompanySummary{}, gcp.Classify("store.CompanySummary", err)
	}
	if !snaps[0].Exists() {
		return CompanySummary{}, hoadon.Errorf(hoadon.CodeNotFound, "no company %s", company)
	}
	c, err := summaryOf(snaps[0])
	if err != nil || !snaps[1].Exists() {
		return c, err // no recent document: the inline list of the older layout, if any
	}
	var r recentDoc
	if err := snaps[1].DataTo(&r); err != nil {
		return CompanySummary{}, gcp.Classify("store.CompanySummary", err)
	}
	c.Recent = r.Recent
	return c, nil
}

// MaxCompanies bounds the summaries Companies reads: the companies page of
// a tenant lists at most this many.
const MaxCompanies = 1000

// Companies reads the summaries of a tenant's companies by tax code, at
// most MaxCompanies: the tenant's list, then the summaries by key. Until
// the list is seeded with the summaries written before lists existed, the
// bounded summaries query answers, and its companies seed the list (once
// per tenant: a failure to seed costs the next read the query again). An
// answer cut at MaxCompanies may miss summaries, so it seeds nothing: such
// a tenant's list is seeded by hoadon migrate, which reads them all.
func (s *Store) Companies(ctx context.Context, t hoadon.Tenant) ([]CompanySummary, error) {
	ids, seeded, err := s.companyIDs(ctx, t)
	if err != nil {
		return nil, err
	}
	if !seeded {
		all, err := s.companiesByQuery(ctx, t, MaxCompanies)
		if err == nil && len(all) < MaxCompanies {
			_ = s.listCompanies(ctx, "store.Companies", t, true, mstsOf(all)...)
		}
		return all, err
	}
	refs := make([]*firestore.DocumentRef, len(ids))
	for i, id := range ids {
		refs[i] = s.companyRef(t, id)
	}
	snaps, err := s.fs.GetAll(ctx, refs)
	if err != nil {
		return nil, gcp.Classify("store.Companies", err)
	}
	out := make([]CompanySummary, 0, len(snaps))
	for _, snap := range snaps {
		if !snap.Exists() {
			continue
		}
		c, err := summaryOf(snap)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// mstsOf are the valid tax codes of summaries.
func mstsOf(cs []CompanySummary) []string {
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		if hoadon.ValidateMST(c.MST) == nil {
			ids = append(ids, c.MST)
		}
	}
	return ids
}

// companyIDs reads the tenant's list of companies, sorted, at most
// MaxCompanies; seeded is false when the tenant has no list or one that
// may miss summaries written before it.
func (s *Store) companyIDs(ctx context.Context, t hoadon.Tenant) (ids []string, seeded bool, err error) {
	snap, err := s.companyListRef(t).Get(ctx)
	if notFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, gcp.Classify("store.Companies", err)
	}
	var l struct {
		IDs    []string `firestore:"company_ids"`
		Seeded bool     `firestore:"seeded"`
	}
	if err := snap.DataTo(&l); err != nil {
		return nil, false, gcp.Classify("store.Companies", err)
	}
	for _, id := range l.IDs {
		if hoadon.ValidateMST(id) == nil { // a list entry is data: never a path
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return ids[:min(len(ids), MaxCompanies)], l.Seeded, nil
}

// companiesByQuery reads the summaries with one query, bounded by limit
// (0: every summary).
func (s *Store) companiesByQuery(ctx context.Context, t hoadon.Tenant, limit int) ([]CompanySummary, error) {
	q := QueryCompaniesByMST.On(s.tenantRef(t))
	if limit > 0 {
		q = q.Limit(limit)
	}
	docs, err := q.Documents(ctx).GetAll()
	if err != nil {
		return nil, gcp.Classify("store.Companies", err)
	}
	out := make([]CompanySummary, 0, len(docs))
	for _, d := range docs {
		c, err := summaryOf(d)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func summaryOf(d *firestore.DocumentSnapshot) (CompanySummary, error) {
	var c CompanySummary
	if err := d.DataTo(&c); err != nil {
		return CompanySummary{}, gcp.Classify("store.CompanySummary", err)
	}
	if c.MST == "" { // a parent of catalogue or month documents only, no summary yet
		c.MST = d.Ref.ID
	}
	return c, nil
}

// ListAllCompanies puts every company that has a summary on its tenant's
// list (hoadon migrate): summaries written before the list existed. It
// returns how many companies it listed (with dryRun: found).
func (s *Store) ListAllCompanies(ctx context.Context, dryRun bool) (int, error) {
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return 0, err
	}
	ts := []hoadon.Tenant{hoadon.DefaultTenant}
	for _, ti := range tenants {
		if ti.ID != hoadon.DefaultTenant {
			ts = append(ts, ti.ID)
		}
	}
	n := 0
	for _, t := range ts {
		cs, err := s.companiesByQuery(ctx, t, 0)
		if err != nil {
			return n, err
		}
		ids := mstsOf(cs)
		n += len(ids)
		if !dryRun {
			if err := s.listCompanies(ctx, "store.ListAllCompanies", t, true, ids...); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
