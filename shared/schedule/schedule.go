// Package schedule runs daily imports: a schedule names a company, its
// portal login and the flows, and every day at hour:minute (Vietnam time) an
// import of "yesterday" starts, as the origin system's Temporal schedules
// meant to do.
//
// "Yesterday" is the Vietnam calendar day before the scheduled instant, never
// before the current time, so a late, repeated or concurrent tick imports
// the same day. Each (schedule, day) starts once: a run record
// schedules/{id}/runs/{day} is created (create-if-absent, which only one
// concurrent tick can win) before the import starts, and the import's
// Idempotency-Key is "{id}/{day}", so even a tick that crashed half way is
// finished by the next one (taking the record over in a transaction)
// without a second import.
// Ticks after downtime catch up the scheduled instants of the last
// CatchUpWindow; older ones are counted as skipped.
//
// The package holds the types and their validation (CreateRequest), the due
// computation (Due, Times), the Firestore store (Store) and the runner the
// tick and the trigger use (Runner). The HTTP routes are in shared/api.
package schedule

import (
	"strings"
	"time"
	"unicode"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
)

// Limits of a schedule.
const (
	// MaxLookbackDays bounds lookback_days: purchase invoices arrive up to a
	// few weeks late, and a month of re-sync is one import window.
	MaxLookbackDays = 31
	// CatchUpWindow is how far back a tick starts missed runs after downtime:
	// at most three daily runs, so a long outage does not flood the portal.
	CatchUpWindow = 72 * time.Hour
	// MaxIDLength bounds a schedule id (it is a Firestore document id and part
	// of the Idempotency-Key).
	MaxIDLength = 64
	// MaxNoteLength bounds a note.
	MaxNoteLength = 512
)

// TimeZone names the zone hour and minute are in.
const TimeZone = "Asia/Ho_Chi_Minh"

// Schedule is the stored form of a schedule. The password is sealed and
// never leaves the package except to start an import.
type Schedule struct {
	ID string `firestore:"id"`
	// Tenant owns the schedule (its document lives under the tenant).
	Tenant hoadon.Tenant `firestore:"tenant"`
	// Params are the import's parameters without dates (each run sets them).
	Params         hoadon.ImportParams `firestore:"params"`
	SealedPassword string              `firestore:"password"` // secret.Box, "credentials/{mst}"
	LookbackDays   int                 `firestore:"lookback_days"`
	// RecheckMonths is how many calendar months before the current one the
	// weekly recheck lists again (the run of each Monday, whose day is a
	// Sunday, starts it beside the day's import); nil (schedules older
	// than the option) takes DefaultRecheckMonths, 0 turns it off.
	RecheckMonths *int `firestore:"recheck_months"`
	// Export writes each run's workbook (bảng kê) per direction to the
	// bucket when its import completes, and sends export.ready.
	Export    bool      `firestore:"export"`
	Hour      int       `firestore:"hour"`   // Vietnam time
	Minute    int       `firestore:"minute"` // Vietnam time
	Paused    bool      `firestore:"paused"`
	Note      string    `firestore:"note"`
	CreatedAt time.Time `firestore:"created_at"`
	UpdatedAt time.Time `firestore:"updated_at"`
	// ActiveSince is the creation or the last unpause: scheduled instants
	// before it never run (a new schedule does not backfill).
	ActiveSince time.Time `firestore:"active_since"`
	// LastScheduled is the newest scheduled instant a tick has handled; it
	// lets a tick count the instants it skipped beyond the catch-up window.
	LastScheduled time.Time `firestore:"last_scheduled"`
	NumActions    int64     `firestore:"num_actions"`
	NumSkipped    int64     `firestore:"num_skipped"`
}

// CreateRequest is the body of POST /api/schedules/create, the origin
// system's shape plus lookback_days (accepted at the top level or in
// task_params).
type CreateRequest struct {
	ScheduleID   string       `json:"schedule_id"`
	TaskType     string       `json:"task_type"`
	TaskParams   CreateParams `json:"task_params"`
	Hour         *int         `json:"hour"`
	Minute       *int         `json:"minute"`
	Paused       bool         `json:"paused"`
	Note         string       `json:"note"`
	LookbackDays *int         `json:"lookback_days"`
	// RecheckMonths: 0..12, default 2 (late purchase invoices, status changes).
	RecheckMonths *int `json:"recheck_months"`
	// Export: each run's import writes its period's workbooks and sends
	// export.ready when it completes.
	Export bool `json:"export"`
}

// CreateParams are the import parameters of a schedule: those of
// POST /api/tasks/start without dates.
type CreateParams struct {
	CompanyID   string        `json:"company_id"`
	CompanyName string        `json:"company_name"`
	Credentials *Credentials  `json:"credentials"`
	Flows       []hoadon.Flow `json:"flows"`
	Force       bool          `json:"force"`
	// LookbackDays may be given here too.
	LookbackDays *int `json:"lookback_days"`
	// Dates are refused with a message that says why (each run imports
	// yesterday), rather than as unknown fields.
	DateRangeStart string `json:"date_range_start"`
	DateRangeEnd   string `json:"date_range_end"`
	// Accepted for compatibility with the origin system and ignored.
	DiscoveryMethod string `json:"discovery_method"`
	ExcelFallback   *bool  `json:"excel_fallback"`
	ProcessingMode  string `json:"processing_mode"`
}

// Credentials is the portal login.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Validate checks the request and returns the schedule it describes (not yet
// sealed: the caller seals the returned password) with every problem as a
// CodeInvalid error naming the field.
func (r CreateRequest) Validate(now time.Time) (Schedule, string, error) {
	if err := ValidateID(r.ScheduleID); err != nil {
		return Schedule{}, "", err
	}
	if r.TaskType == "" {
		return Schedule{}, "", hoadon.Errorf(hoadon.CodeInvalid, "task_type is required")
	}
	p := r.TaskParams
	if p.CompanyID == "" {
		return Schedule{}, "", hoadon.Errorf(hoadon.CodeInvalid, "task_params.company_id is required")
	}
	if p.Credentials == nil {
		return Schedule{}, "", hoadon.Errorf(hoadon.CodeInvalid, "task_params.credentials {username, password} is required")
	}
	if p.DateRangeStart != "" || p.DateRangeEnd != "" {
		return Schedule{}, "", hoadon.Errorf(hoadon.CodeInvalid, "task_params.date_range_start/date_range_end are not accepted: each run imports yesterday (Vietnam time); use lookback_days to re-sync earlier days")
	}
	hour, minute, err := clock(r.Hour, r.Minute)
	if err != nil {
		return Schedule{}, "", err
	}
	lookback, err := lookbackDays(r.LookbackDays, p.LookbackDays)
	if err != nil {
		return Schedule{}, "", err
	}
	if err := checkText("note", r.Note, MaxNoteLength); err != nil {
		return Schedule{}, "", err
	}
	recheck := importer.DefaultRecheckMonths
	if r.RecheckMonths != nil {
		recheck = *r.RecheckMonths
	}
	if recheck < 0 || recheck > importer.MaxRecheckMonths {
		return Schedule{}, "", hoadon.Errorf(hoadon.CodeInvalid, "recheck_months must be 0..%d, not %d", importer.MaxRecheckMonths, recheck)
	}
	params := hoadon.ImportParams{TaskType: r.TaskType, CompanyID: p.CompanyID, CompanyName: p.CompanyName,
		Username: p.Credentials.Username, Flows: p.Flows, Force: p.Force}
	if err := importer.Validate(&params, p.Credentials.Password, now); err != nil {
		return Schedule{}, "", err
	}
	params.From, params.To = "", "" // Validate filled in yesterday; each run sets its own
	s := Schedule{ID: r.ScheduleID, Params: params, LookbackDays: lookback, RecheckMonths: &recheck, Export: r.Export, Hour: hour, Minute: minute,
		Paused: r.Paused, Note: r.Note, CreatedAt: now.UTC(), UpdatedAt: now.UTC(), ActiveSince: now.UTC()}
	return s, p.Credentials.Password, nil
}

func clock(hour, minute *int) (int, int, error) {
	if hour == nil {
		return 0, 0, hoadon.Errorf(hoadon.CodeInvalid, "hour is required (0..23, %s time)", TimeZone)
	}
	if *hour < 0 || *hour > 23 {
		return 0, 0, hoadon.Errorf(hoadon.CodeInvalid, "hour must be 0..23 (%s time), not %d", TimeZone, *hour)
	}
	m := 0
	if minute != nil {
		m = *minute
	}
	if m < 0 || m > 59 {
		return 0, 0, hoadon.Errorf(hoadon.CodeInvalid, "minute must be 0..59, not %d", m)
	}
	return *hour, m, nil
}

func lookbackDays(top, inParams *int) (int, error) {
	if top != nil && inParams != nil && *top != *inParams {
		return 0, hoadon.Errorf(hoadon.CodeInvalid, "lookback_days is given twice with different values (%d and %d)", *top, *inParams)
	}
	n := top
	if n == nil {
		n = inParams
	}
	if n == nil {
		return 0, nil
	}
	if *n < 0 || *n > MaxLookbackDays {
		return 0, hoadon.Errorf(hoadon.CodeInvalid, "lookback_days must be 0..%d, not %d", MaxLookbackDays, *n)
	}
	return *n, nil
}

// ValidateID accepts ids of 1..MaxIDLength letters, digits, '-' and '_'
// (nothing that could be a Firestore path, see hoadon.ValidateID), except
// "create".
func ValidateID(id string) error {
	if id == "" {
		return hoadon.Errorf(hoadon.CodeInvalid, "schedule_id is required")
	}
	if len(id) > MaxIDLength {
		return hoadon.Errorf(hoadon.CodeInvalid, "schedule_id is longer than %d characters", MaxIDLength)
	}
	if id == "create" {
		return hoadon.Errorf(hoadon.CodeInvalid, "schedule_id %q is reserved", id)
	}
	return hoadon.ValidateID("schedule_id", id)
}

// ValidateNote checks a note given to pause or unpause.
func ValidateNote(note string) error { return checkText("note", note, MaxNoteLength) }

func checkText(field, s string, maxLen int) error {
	if len(s) > maxLen {
		return hoadon.Errorf(hoadon.CodeInvalid, "%s is longer than %d bytes", field, maxLen)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar }) {
		return hoadon.Errorf(hoadon.CodeInvalid, "%s contains a control or invalid character", field)
	}
	return nil
}

// Recheck is how many months the weekly recheck covers (0: none).
func (s Schedule) Recheck() int {
	if s.RecheckMonths == nil {
		return importer.DefaultRecheckMonths
	}
	return *s.RecheckMonths
}

// RecheckDue reports whether the run of a slot also starts the weekly
// recheck: the run of each Monday, whose day (yesterday) is a Sunday.
func (s Schedule) RecheckDue(slot Slot) bool {
	return s.Recheck() > 0 && slot.Day.Weekday() == time.Sunday
}
