package wire

import (
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Company answers GET /api/companies (a list of them) and heads the
// console's company page: a company's summary, aggregated at write time.
type Company struct {
	MST   string `json:"mst"`
	Name  string `json:"name,omitempty"`
	Login string `json:"login,omitempty"` // ok, wrong_password, locked, portal_down; "" never logged in
	// LoginAt is when the last login outcome was seen; LoginReason is the
	// portal's refusal, if any.
	LoginAt         time.Time          `json:"login_at,omitzero"`
	LoginReason     string             `json:"login_reason,omitempty"`
	LastImportID    string             `json:"last_task_id,omitempty"`
	LastImportState hoadon.ImportState `json:"last_task_status,omitempty"`
	LastImportAt    time.Time          `json:"last_task_time,omitzero"`
	ScheduleID      string             `json:"schedule_id,omitempty"`
	NextRun         time.Time          `json:"next_run,omitzero"`
	// Months are the last three months (oldest first), every flow added up.
	Months []CompanyMonth `json:"months"`
	// Recent are the company's last imports, newest first: only in the
	// answer about one company.
	Recent []RecentTask `json:"recent_tasks,omitempty"`
}

// RecentTask is one of a company's last imports with its counts (zero
// until it ends).
type RecentTask struct {
	TaskSummary
	Total       int `json:"total_invoices"`
	Stored      int `json:"stored"`
	Unavailable int `json:"unavailable"`
	Failed      int `json:"failed_invoices"`
}

// CompanyMonth is a month of a Company.
type CompanyMonth struct {
	Month       string `json:"month"` // YYYY-MM
	Listed      int    `json:"listed"`
	Stored      int    `json:"stored"`
	Unavailable int    `json:"unavailable"`
	Failed      int    `json:"failed"`
	// State: "complete" (listed whole, nothing missing), "gaps" (listed,
	// some not stored), "unverified" (not listed whole), "none" (no import).
	State string `json:"state"`
}

// Companies answers GET /api/companies.
type Companies struct {
	Companies []Company `json:"companies"`
}
