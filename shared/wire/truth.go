package wire

import (
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// Completeness answers GET /api/companies/{mst}/completeness?from=YYYY-MM&to=YYYY-MM:
// one cell per month and flow, oldest month first, flows in their usual order.
type Completeness struct {
	Company string      `json:"company"`
	From    string      `json:"from"` // YYYY-MM
	To      string      `json:"to"`   // YYYY-MM
	Cells   []MonthCell `json:"cells"`
	Flagged int         `json:"flagged"` // cells whose listed count differs from stored + unavailable
}

// MonthCell is what is known of one company, month and flow.
type MonthCell struct {
	Month string      `json:"month"` // YYYY-MM (issue dates in Vietnam)
	Flow  hoadon.Flow `json:"flow"`
	// Listed is how many invoices the last listing of the whole month
	// returned (null: never listed whole); PortalTotal the portal's own count
	// for that listing (null: it reported none).
	Listed      *int `json:"listed"`
	PortalTotal *int `json:"portal_total"`
	// Discovered invoices of the month, and how many are stored, unavailable
	// (the portal has no original XML) or failed (not stored yet).
	Discovered  int `json:"discovered"`
	Stored      int `json:"stored"`
	Unavailable int `json:"unavailable"`
	Failed      int `json:"failed"`
	// StatusChanges is how many portal status changes (replaced, adjusted,
	// cancelled) later listings saw.
	StatusChanges int       `json:"status_changes"`
	VerifiedAt    time.Time `json:"verified_at,omitzero"`  // when the month was last listed whole
	VerifiedBy    string    `json:"verified_by,omitempty"` // the import (or recheck) that listed it
	// Flagged: listed ≠ stored + unavailable, or the portal's total ≠ listed.
	Flagged bool `json:"flagged"`
	// Missing names the invoices of a flagged month that are neither stored
	// nor unavailable (at most 50).
	Missing []MissingInvoice `json:"missing,omitempty"`
}

// MissingInvoice is a listed invoice not (yet) stored.
type MissingInvoice struct {
	ID     string               `json:"id"`
	Key    hoadon.InvoiceKey    `json:"key"`
	Date   string               `json:"date"`
	Status hoadon.InvoiceStatus `json:"status"` // discovered or failed
	Error  string               `json:"error,omitempty"`
}

// RecheckBody is POST /api/companies/{mst}/recheck: list the months again
// without downloading what is stored.
type RecheckBody struct {
	Months int           `json:"months"` // the N calendar months before the current one; 0 = 2
	Flows  []hoadon.Flow `json:"flows"`  // default all four
}

// RecheckAnswer is the recheck's import.
type RecheckAnswer struct {
	TaskID    string             `json:"task_id"`
	Status    hoadon.ImportState `json:"status"`
	StatusURL string             `json:"status_url"`
	From      string             `json:"date_range_start"`
	To        string             `json:"date_range_end"`
	Created   bool               `json:"created"`
}

// InvoiceRecord is a tenant's catalogue entry of one invoice
// (GET /api/companies/{mst}/invoices/{id}): where it stands, its portal
// status with the history of changes, its related invoices and its
// signatures.
type InvoiceRecord struct {
	ID       string               `json:"id"`
	Key      hoadon.InvoiceKey    `json:"key"`
	Flow     hoadon.Flow          `json:"flow"`
	Date     string               `json:"date"`
	Status   hoadon.InvoiceStatus `json:"status"`
	TThai    int                  `json:"tthai"` // 1 new, 2 replacement, 3 adjustment, 4 replaced, 5 adjusted, 6 cancelled; 0 unknown
	History  []StatusChange       `json:"history"`
	Related  []RelatedInvoice     `json:"related"`
	Objects  hoadon.Objects       `json:"objects,omitzero"`
	SHA256   string               `json:"sha256,omitempty"`
	ImportID string               `json:"import_id,omitempty"`
	Error    string               `json:"error,omitempty"`
	// Signatures is the verdict on each XML signature of the stored XML,
	// the seller's always among them (status missing when it did not
	// sign); SignatureWarning says what is wrong with the seller's, empty
	// when nothing is. Empty until the invoice is stored.
	Signatures       []xmlsig.Result `json:"signatures"`
	SignatureWarning string          `json:"signature_warning,omitempty"`
}

// StatusChange is one change of an invoice's portal status.
type StatusChange struct {
	From     int                `json:"from"`
	To       int                `json:"to"`
	At       time.Time          `json:"at"`
	ImportID string             `json:"import_id"`
	Related  *hoadon.InvoiceKey `json:"related,omitempty"`
}

// RelatedInvoice links a replacement or adjustment and its original.
type RelatedInvoice struct {
	Rel string            `json:"rel"` // original, replacement, adjustment
	Key hoadon.InvoiceKey `json:"key"`
	ID  string            `json:"id"`
}
