package client

import (
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/wire"
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

// The API's answers, defined once in shared/wire.
type (
	// StartResponse is the API's answer to a start.
	StartResponse = wire.StartResponse
	// Status is an import's progress as GET /api/tasks/{id}/status reports it.
	Status = wire.Status
	// TaskSummary is one import in a list.
	TaskSummary = wire.TaskSummary
	// Event is one CloudEvent of an import, as the API stores and delivers it.
	Event = wire.Event
)
