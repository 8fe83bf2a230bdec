package client

import (
	"encoding/json"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// DefaultTaskType is the one task type the API runs: a GDT invoice import.
const DefaultTaskType = "gdt_invoice_import"

// StartRequest is what Start needs. The password is sent once, in the
// request body, and never kept by the client.
type StartRequest struct {
	TaskType    string // empty: DefaultTaskType
	CompanyID   string // the company's MST
	CompanyName string
	Username    string // portal login; empty: CompanyID
	Password    string
	From, To    string        // YYYY-MM-DD, both or neither (neither: yesterday)
	Flows       []hoadon.Flow // empty: every flow
	Force       bool          // download again what an earlier import stored
	// IdempotencyKey makes a repeated start return the first import.
	IdempotencyKey string
}

// StartResponse is the API's answer to a start.
type StartResponse struct {
	TaskID     string             `json:"task_id"`
	WorkflowID string             `json:"workflow_id"`
	TaskType   string             `json:"task_type"`
	Status     hoadon.ImportState `json:"status"`
	StatusURL  string             `json:"status_url"`
	// Created is false when the API returned an import already running
	// with the same parameters (or the same idempotency key).
	Created bool   `json:"created"`
	Message string `json:"message"`
}

// Status is an import's progress as GET /api/tasks/{id}/status reports it.
type Status struct {
	TaskID     string                                       `json:"task_id"`
	TaskType   string                                       `json:"task_type"`
	Status     hoadon.ImportState                           `json:"status"`
	Phase      string                                       `json:"phase"` // login, discovery, download, done
	CompanyID  string                                       `json:"company_id"`
	From       string                                       `json:"date_range_start"`
	To         string                                       `json:"date_range_end"`
	Flows      []hoadon.Flow                                `json:"flows"`
	Total      int                                          `json:"total"`
	Pending    int                                          `json:"pending"`
	Counts     map[hoadon.InvoiceStatus]int                 `json:"counts"`
	PerFlow    map[hoadon.Flow]map[hoadon.InvoiceStatus]int `json:"counts_per_flow"`
	Error      string                                       `json:"error,omitempty"`
	CreatedAt  time.Time                                    `json:"created_at"`
	StartedAt  time.Time                                    `json:"started_at,omitzero"`
	Discovered time.Time                                    `json:"discovered_at,omitzero"`
	FinishedAt time.Time                                    `json:"finished_at,omitzero"`
	Files      string                                       `json:"files"`
	Manifest   string                                       `json:"manifest,omitempty"`
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
