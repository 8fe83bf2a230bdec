package api

import (
	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/wire"
)

// StatusOf is an import's progress as GET /api/tasks/{id}/status answers
// it (and the console shows it).
func StatusOf(p importer.Progress) wire.Status {
	imp := p.Import
	st := wire.Status{TaskID: imp.ID, TaskType: imp.Params.TaskType, Status: imp.State, CompanyID: imp.Params.CompanyID,
		From: imp.Params.From, To: imp.Params.To, Flows: imp.Params.Flows, Total: p.Counts.Total, Pending: p.Pending,
		Counts: p.Counts.Status, PerFlow: p.Counts.PerFlow, CreatedAt: imp.CreatedAt,
		StartedAt: imp.StartedAt, Discovered: imp.DiscoveredAt, FinishedAt: imp.FinishedAt, Files: p.Files}
	if imp.Reason != "" && imp.State != hoadon.ImportCancelled {
		reason := imp.Reason
		st.Error = &reason
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
	if prefix, err := blob.ImportPrefix(imp.Tenant.OrDefault(), imp.ID); err == nil && imp.State == hoadon.ImportCompleted {
		st.Manifest = prefix + "manifest.ndjson"
	}
	st.OriginFields()
	return st
}

// SummaryOf is an import in a list.
func SummaryOf(imp hoadon.Import) wire.TaskSummary {
	return wire.TaskSummary{TaskID: imp.ID, TaskType: imp.Params.TaskType, CompanyID: imp.Params.CompanyID,
		Status: imp.State, From: imp.Params.From, To: imp.Params.To, CreatedAt: imp.CreatedAt, FinishedAt: imp.FinishedAt}
}
