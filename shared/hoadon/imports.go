package hoadon

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// TaskTypeInvoiceImport is the task type of an invoice import, as the origin
// system's API names it.
const TaskTypeInvoiceImport = "gdt_invoice_import"

// ImportState is where an import stands as a whole.
type ImportState string

// Import states. Pending and running are live; the other three are final.
const (
	ImportPending   ImportState = "pending"
	ImportRunning   ImportState = "running"
	ImportCompleted ImportState = "completed"
	ImportFailed    ImportState = "failed"
	ImportCancelled ImportState = "cancelled"
)

// Final reports whether no further change will happen to the import.
func (s ImportState) Final() bool {
	return s == ImportCompleted || s == ImportFailed || s == ImportCancelled
}

// ImportParams is what a client asks for. It never holds the password: that
// travels once, from the API request to the encrypted credential store.
type ImportParams struct {
	TaskType    string `json:"task_type" firestore:"task_type"`
	CompanyID   string `json:"company_id" firestore:"company_id"` // the company's MST
	CompanyName string `json:"company_name,omitempty" firestore:"company_name"`
	Username    string `json:"username" firestore:"username"` // portal login, normally the MST
	From        string `json:"date_range_start" firestore:"from"`
	To          string `json:"date_range_end" firestore:"to"`
	Flows       []Flow `json:"flows" firestore:"flows"`
	Force       bool   `json:"force" firestore:"force"`
}

// Fingerprint identifies "the same parameters": two requests with equal
// fingerprints while an import runs get that import back.
func (p ImportParams) Fingerprint() string {
	flows := make([]string, len(p.Flows))
	for i, f := range p.Flows {
		flows[i] = string(f)
	}
	s := strings.Join([]string{p.TaskType, p.CompanyID, p.Username, p.From, p.To, strings.Join(flows, ","), boolString(p.Force)}, "|")
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// Fingerprint is the import's "same parameters" identity within its
// tenant: the default tenant keeps the fingerprint of imports from before
// tenants existed.
func (i Import) Fingerprint() string {
	fp := i.Params.Fingerprint()
	if t := i.Tenant.OrDefault(); t != DefaultTenant {
		sum := sha256.Sum256([]byte(string(t) + "|" + fp))
		fp = hex.EncodeToString(sum[:16])
	}
	return fp
}

func boolString(b bool) string {
	if b {
		return "force"
	}
	return ""
}

// Windows splits the import's range into the discovery units: one per flow
// and calendar month.
func (p ImportParams) Windows() ([]FlowWindow, error) {
	from, err := ParseDate(p.From)
	if err != nil {
		return nil, err
	}
	to, err := ParseDate(p.To)
	if err != nil {
		return nil, err
	}
	var out []FlowWindow
	for _, f := range p.Flows {
		for _, w := range MonthWindows(from, to) {
			out = append(out, FlowWindow{Flow: f, From: w.From.String(), To: w.To.String()})
		}
	}
	return out, nil
}

// FlowWindow is one unit of discovery: a flow over at most one month.
type FlowWindow struct {
	Flow Flow   `json:"flow"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Import is the stored record of one import.
type Import struct {
	ID string `json:"id" firestore:"id"`
	// Tenant owns the import; empty on imports from before tenants existed
	// (the store reads those as DefaultTenant).
	Tenant     Tenant       `json:"tenant" firestore:"tenant"`
	Params     ImportParams `json:"params" firestore:"params"`
	State      ImportState  `json:"state" firestore:"state"`
	Reason     string       `json:"reason,omitempty" firestore:"reason"`
	Execution  string       `json:"execution,omitempty" firestore:"execution"`
	CreatedAt  time.Time    `json:"created_at" firestore:"created_at"`
	StartedAt  time.Time    `json:"started_at,omitzero" firestore:"started_at"`
	FinishedAt time.Time    `json:"finished_at,omitzero" firestore:"finished_at"`
	// Windows counts the discovery units (flow × month); DiscoveredAt is
	// set once all of them were listed, so progress can tell the phases.
	Windows      int       `json:"windows" firestore:"windows"`
	DiscoveredAt time.Time `json:"discovered_at,omitzero" firestore:"discovered_at"`
	// Export writes the period's workbook per direction to the bucket when
	// the import completes, with an export.ready event (a schedule's
	// export option).
	Export bool `json:"export,omitempty" firestore:"export"`
}
