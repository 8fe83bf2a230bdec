// Package wire holds the task API's request and answer types, shared by the
// API (shared/api), its Go client (shared/client) and the console
// (shared/console): one definition of each shape on the wire.
//
// The answers keep the origin system's fields as a subset, so its existing
// clients work unchanged: the start answer's workflow_id, task_type, status
// and message; the status answer's workflow_id, task_type, status, progress
// {total_invoices, completed_invoices, failed_invoices, percentage}, result
// (null until the import is final), error (null when none), start_time and
// end_time (null while running). Our richer fields sit beside them.
package wire

import (
	"encoding/json"
	"math"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// StartBody is the origin system's start request (POST /api/tasks/start).
type StartBody struct {
	TaskType   string     `json:"task_type"`
	TaskParams TaskParams `json:"task_params"`
}

// TaskParams are an import's parameters as clients send them.
type TaskParams struct {
	CompanyID      string        `json:"company_id"`
	CompanyName    string        `json:"company_name,omitempty"`
	Credentials    *Credentials  `json:"credentials"`
	DateRangeStart string        `json:"date_range_start,omitempty"`
	DateRangeEnd   string        `json:"date_range_end,omitempty"`
	Flows          []hoadon.Flow `json:"flows,omitempty"`
	Force          bool          `json:"force,omitempty"`
	// Accepted for compatibility with the origin system and ignored: this
	// system always discovers through the portal's JSON API.
	DiscoveryMethod string `json:"discovery_method,omitempty"`
	ExcelFallback   *bool  `json:"excel_fallback,omitempty"`
	ProcessingMode  string `json:"processing_mode,omitempty"`
}

// Credentials is the portal login; the API seals the password at once.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// StartResponse answers a start.
type StartResponse struct {
	TaskID     string             `json:"task_id"`
	WorkflowID string             `json:"workflow_id"` // the origin's name for the id
	TaskType   string             `json:"task_type"`
	Status     hoadon.ImportState `json:"status"`
	StatusURL  string             `json:"status_url"`
	// Created is false when the API returned an import already running
	// with the same parameters (or the same idempotency key).
	Created bool   `json:"created"`
	Message string `json:"message"`
}

// Status is GET /api/tasks/{id}/status.
type Status struct {
	TaskID     string                                       `json:"task_id"`
	WorkflowID string                                       `json:"workflow_id"` // origin: the id
	TaskType   string                                       `json:"task_type"`
	Status     hoadon.ImportState                           `json:"status"`
	Progress   Progress                                     `json:"progress"`   // origin
	Result     *Result                                      `json:"result"`     // origin: null until final
	Error      *string                                      `json:"error"`      // origin: null when none
	StartTime  *time.Time                                   `json:"start_time"` // origin: when the import was created
	EndTime    *time.Time                                   `json:"end_time"`   // origin: null while running
	Phase      string                                       `json:"phase"`      // login, discovery, download, done
	CompanyID  string                                       `json:"company_id"`
	From       string                                       `json:"date_range_start"`
	To         string                                       `json:"date_range_end"`
	Flows      []hoadon.Flow                                `json:"flows"`
	Total      int                                          `json:"total"`
	Pending    int                                          `json:"pending"`
	Counts     map[hoadon.InvoiceStatus]int                 `json:"counts"`
	PerFlow    map[hoadon.Flow]map[hoadon.InvoiceStatus]int `json:"counts_per_flow"`
	CreatedAt  time.Time                                    `json:"created_at"`
	StartedAt  time.Time                                    `json:"started_at,omitzero"`
	Discovered time.Time                                    `json:"discovered_at,omitzero"`
	FinishedAt time.Time                                    `json:"finished_at,omitzero"`
	Files      string                                       `json:"files"`
	Manifest   string                                       `json:"manifest,omitempty"`
}

// Progress is the origin system's progress query answer.
type Progress struct {
	TotalInvoices     int     `json:"total_invoices"`
	CompletedInvoices int     `json:"completed_invoices"` // stored, skipped or without original XML
	FailedInvoices    int     `json:"failed_invoices"`
	Percentage        float64 `json:"percentage"` // finished share, 0..100, one decimal
}

// Result is the origin system's final summary of an import.
type Result struct {
	Status            hoadon.ImportState `json:"status"`
	CompanyID         string             `json:"company_id"`
	TotalInvoices     int                `json:"total_invoices"`
	CompletedInvoices int                `json:"completed_invoices"`
	FailedInvoices    int                `json:"failed_invoices"`
	SuccessRate       float64            `json:"success_rate"` // completed / total, 0..1 (1 when none)
	ResultRef         string             `json:"result_ref,omitempty"`
	Error             string             `json:"error,omitempty"`
}

// Final reports whether the import has ended (completed, failed or
// cancelled).
func (s Status) Final() bool { return s.Status.Final() }

// Done is the number of invoices in a final status.
func (s Status) Done() int {
	n := 0
	for st, c := range s.Counts {
		if st.Final() {
			n += c
		}
	}
	return n
}

// ErrorText is the import's error, "" when none.
func (s Status) ErrorText() string {
	if s.Error == nil {
		return ""
	}
	return *s.Error
}

// OriginFields fills the origin system's fields from the richer ones; the
// API calls it once the rest of the status is set.
func (s *Status) OriginFields() {
	s.WorkflowID = s.TaskID
	failed := s.Counts[hoadon.StatusFailed]
	completed := s.Done() - failed
	s.Progress = Progress{TotalInvoices: s.Total, CompletedInvoices: completed, FailedInvoices: failed}
	if s.Total > 0 {
		s.Progress.Percentage = math.Round(1000*float64(completed+failed)/float64(s.Total)) / 10
	} else if s.Status == hoadon.ImportCompleted {
		s.Progress.Percentage = 100
	}
	if !s.CreatedAt.IsZero() {
		t := s.CreatedAt
		s.StartTime = &t
	}
	s.EndTime, s.Result = nil, nil
	if !s.Final() {
		return
	}
	if !s.FinishedAt.IsZero() {
		t := s.FinishedAt
		s.EndTime = &t
	}
	rate := 1.0
	if s.Total > 0 {
		rate = math.Round(10000*float64(completed)/float64(s.Total)) / 10000
	}
	s.Result = &Result{Status: s.Status, CompanyID: s.CompanyID, TotalInvoices: s.Total, CompletedInvoices: completed,
		FailedInvoices: failed, SuccessRate: rate, ResultRef: s.Manifest, Error: s.ErrorText()}
}

// TaskSummary is one import in a list.
type TaskSummary struct {
	TaskID     string             `json:"task_id"`
	TaskType   string             `json:"task_type"`
	CompanyID  string             `json:"company_id"`
	Status     hoadon.ImportState `json:"status"`
	From       string             `json:"date_range_start"`
	To         string             `json:"date_range_end"`
	CreatedAt  time.Time          `json:"created_at"`
	FinishedAt time.Time          `json:"finished_at,omitzero"`
}

// TaskList is GET /api/tasks.
type TaskList struct {
	Tasks []TaskSummary `json:"tasks"`
}

// Event is one CloudEvent of an import, as the API stores and delivers it.
// Raw is the event's complete JSON, for callers that pass it on.
type Event struct {
	ID      string          `json:"id"`
	Source  string          `json:"source"`
	Type    string          `json:"type"`
	Subject string          `json:"subject"`
	Time    time.Time       `json:"time"`
	Data    json.RawMessage `json:"data"`
	Raw     json.RawMessage `json:"-"`
}

// EventList is GET /api/tasks/{id}/events.
type EventList struct {
	Events []json.RawMessage `json:"events"`
}

// SubscriptionRequest is the body of POST /api/subscriptions: where events
// go and which types (none: every type).
type SubscriptionRequest struct {
	URL   string   `json:"url"`
	Types []string `json:"types,omitempty"`
}

// Subscription is one webhook subscriber of the caller's tenant.
type Subscription struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Types     []string  `json:"types"`
	KeyID     string    `json:"key_id"` // the signature's keyid parameter
	CreatedAt time.Time `json:"created_at"`
	// SigningKey is the HMAC-SHA256 secret (base64) that signs its
	// deliveries; only in the answer to its creation, never again.
	SigningKey string `json:"signing_key,omitempty"`
}

// Subscriptions answers GET /api/subscriptions.
type Subscriptions struct {
	Subscriptions []Subscription `json:"subscriptions"`
}
