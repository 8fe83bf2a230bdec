package api

import (
	"time"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
)

// Status is GET /api/tasks/{id}/status.
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

func statusOf(p importer.Progress) Status {
	imp := p.Import
	st := Status{TaskID: imp.ID, TaskType: imp.Params.TaskType, Status: imp.State, CompanyID: imp.Params.CompanyID,
		From: imp.Params.From, To: imp.Params.To, Flows: imp.Params.Flows, Total: p.Counts.Total, Pending: p.Pending,
		Counts: p.Counts.Status, PerFlow: p.Counts.PerFlow, Error: imp.Reason, CreatedAt: imp.CreatedAt,
		StartedAt: imp.StartedAt, Discovered: imp.DiscoveredAt, FinishedAt: imp.FinishedAt, Files: p.Files}
	if imp.State == hoadon.ImportCancelled {
		st.Error = ""
	}
	switch {
	case imp.State.Final():
		st.Phase = "done"
	case imp.StartedAt.IsZero():
		st.Phase = "login"
	case imp.DiscoveredAt.IsZero():
		st.Phase = "discovery"
	default:
		st.Phase = "download"
	}
	if prefix, err := blob.ImportPrefix(imp.Tenant, imp.ID); err == nil && imp.State == hoadon.ImportCompleted {
		st.Manifest = prefix + "manifest.ndjson"
	}
	return st
}
