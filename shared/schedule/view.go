package schedule

import (
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// View is a schedule as the API shows it: everything but the password.
type View struct {
	ScheduleID        string     `json:"schedule_id"`
	TaskType          string     `json:"task_type"`
	TaskParams        ParamsView `json:"task_params"`
	Hour              int        `json:"hour"`
	Minute            int        `json:"minute"`
	TimeZone          string     `json:"time_zone"`
	Paused            bool       `json:"paused"`
	Note              string     `json:"note"`
	NumActions        int64      `json:"num_actions"`
	NumActionsSkipped int64      `json:"num_actions_skipped"`
	NextRunAt         time.Time  `json:"next_run_at,omitzero"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	RecentRuns        []Run      `json:"recent_runs,omitempty"`
}

// ParamsView are the import parameters shown; the credentials carry the
// username only.
type ParamsView struct {
	CompanyID    string        `json:"company_id"`
	CompanyName  string        `json:"company_name,omitempty"`
	Credentials  UsernameView  `json:"credentials"`
	Flows        []hoadon.Flow `json:"flows"`
	Force        bool          `json:"force"`
	LookbackDays int           `json:"lookback_days"`
	// RecheckMonths is the months the weekly recheck lists again (0: off).
	RecheckMonths int `json:"recheck_months"`
	// Export: each run writes its workbooks and sends export.ready.
	Export bool `json:"export"`
}

// UsernameView is the login without its password.
type UsernameView struct {
	Username string `json:"username"`
}

// View returns the schedule as shown at now.
func (s Schedule) View(now time.Time) View {
	p := s.Params
	return View{
		ScheduleID: s.ID, TaskType: p.TaskType,
		TaskParams: ParamsView{CompanyID: p.CompanyID, CompanyName: p.CompanyName, Credentials: UsernameView{p.Username},
			Flows: p.Flows, Force: p.Force, LookbackDays: s.LookbackDays, RecheckMonths: s.Recheck(), Export: s.Export},
		Hour: s.Hour, Minute: s.Minute, TimeZone: TimeZone, Paused: s.Paused, Note: s.Note,
		NumActions: s.NumActions, NumActionsSkipped: s.NumSkipped, NextRunAt: s.Next(now),
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}
