package events

import (
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Counts are the invoices of an import per final status.
type Counts struct {
	Discovered  int `json:"discovered"`
	Stored      int `json:"stored"`
	Skipped     int `json:"skipped"` // already stored by an earlier import
	Unavailable int `json:"unavailable"`
	Failed      int `json:"failed"`
}

// ImportStarted: an import was accepted and its workflow started.
type ImportStarted struct {
	ImportID   string        `json:"import_id"`
	CompanyMST string        `json:"company_mst"`
	From       string        `json:"from"` // first day, YYYY-MM-DD (Vietnam)
	To         string        `json:"to"`   // last day, inclusive
	Flows      []hoadon.Flow `json:"flows"`
}

// FlowCount is what discovery found in one flow.
type FlowCount struct {
	Flow       hoadon.Flow `json:"flow"`
	Discovered int         `json:"discovered"`
}

// DiscoveryCompleted: every flow and month window was listed.
type DiscoveryCompleted struct {
	ImportID   string      `json:"import_id"`
	CompanyMST string      `json:"company_mst"`
	Flows      []FlowCount `json:"flows"`
	Discovered int         `json:"discovered"`
	ToDownload int         `json:"to_download"`
	Skipped    int         `json:"skipped"` // already stored by an earlier import
}

// Objects names the stored files of one invoice in the blob store.
type Objects struct {
	Zip  string `json:"zip"`  // the portal's export-xml ZIP as received
	XML  string `json:"xml"`  // the invoice XML extracted from it
	JSON string `json:"json"` // the parsed invoice
}

// InvoiceStored: an invoice's original XML is stored.
type InvoiceStored struct {
	ImportID   string            `json:"import_id"`
	CompanyMST string            `json:"company_mst"`
	Flow       hoadon.Flow       `json:"flow"`
	Direction  hoadon.Direction  `json:"direction"`
	Invoice    hoadon.InvoiceKey `json:"invoice"`
	Objects    Objects           `json:"objects"`
	XMLSHA256  string            `json:"xml_sha256"` // hex digest of the stored XML
}

// InvoiceFailed: an invoice could not be downloaded after all retries.
type InvoiceFailed struct {
	ImportID   string            `json:"import_id"`
	CompanyMST string            `json:"company_mst"`
	Flow       hoadon.Flow       `json:"flow"`
	Direction  hoadon.Direction  `json:"direction"`
	Invoice    hoadon.InvoiceKey `json:"invoice"`
	Code       hoadon.Code       `json:"code"`
	Reason     string            `json:"reason"` // short, never a portal body or credential
	Attempts   int               `json:"attempts"`
}

// InvoiceSignatureInvalid: a stored invoice's seller signature is missing
// (on a non-cash-register invoice), invalid, or made with a certificate
// that is not the seller's or not trusted. The file is stored all the same.
type InvoiceSignatureInvalid struct {
	ImportID   string            `json:"import_id"`
	CompanyMST string            `json:"company_mst"`
	Flow       hoadon.Flow       `json:"flow"`
	Direction  hoadon.Direction  `json:"direction"`
	Invoice    hoadon.InvoiceKey `json:"invoice"`
	Signature  string            `json:"signature"` // the seller signature's status: missing, invalid or warning
	Reason     string            `json:"reason"`    // what failed, for people
}

// InvoiceUnavailable: the portal has no original dossier for the invoice
// (a permanent answer; counted, not retried).
type InvoiceUnavailable struct {
	ImportID   string            `json:"import_id"`
	CompanyMST string            `json:"company_mst"`
	Flow       hoadon.Flow       `json:"flow"`
	Direction  hoadon.Direction  `json:"direction"`
	Invoice    hoadon.InvoiceKey `json:"invoice"`
	Reason     string            `json:"reason"`
}

// InvoiceStatusChanged: a listing (an import's or a recheck's) showed an invoice
// in another portal status (tthai: 1 new, 2 replacement, 3 adjustment,
// 4 replaced, 5 adjusted, 6 cancelled) than the last listing that showed it.
type InvoiceStatusChanged struct {
	ImportID   string            `json:"import_id"` // the import whose listing saw the change
	CompanyMST string            `json:"company_mst"`
	Flow       hoadon.Flow       `json:"flow"`
	Direction  hoadon.Direction  `json:"direction"`
	Invoice    hoadon.InvoiceKey `json:"invoice"`
	Old        int               `json:"old_tthai"`
	New        int               `json:"new_tthai"`
	// Related is the invoice that caused the change (the replacement or
	// adjustment of a 4 or 5), when it has been listed; or the original a
	// replacement or adjustment names.
	Related *hoadon.InvoiceKey `json:"related,omitempty"`
}

// ImportCompleted: nothing is pending; manifest and summary are written.
type ImportCompleted struct {
	ImportID   string    `json:"import_id"`
	CompanyMST string    `json:"company_mst"`
	Counts     Counts    `json:"counts"`
	Manifest   string    `json:"manifest"` // object name of the manifest
	Summary    string    `json:"summary"`  // object name of the summary
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
}

// ImportFailed: the import stopped on an error (login refused, portal down
// beyond retries, …).
type ImportFailed struct {
	ImportID   string      `json:"import_id"`
	CompanyMST string      `json:"company_mst"`
	Code       hoadon.Code `json:"code"`
	Reason     string      `json:"reason"`
	Counts     Counts      `json:"counts"` // progress made before the failure
}

// ImportCancelled: a client cancelled the import.
type ImportCancelled struct {
	ImportID   string `json:"import_id"`
	CompanyMST string `json:"company_mst"`
	Counts     Counts `json:"counts"` // progress made before the cancellation
}

// ExportReady: a scheduled import whose schedule has export on finished,
// and the bảng kê workbook of its company, direction and period was
// written to the bucket (under the tenant's prefix).
type ExportReady struct {
	ImportID   string           `json:"import_id"`
	CompanyMST string           `json:"company_mst"`
	Direction  hoadon.Direction `json:"direction"`
	From       string           `json:"from"` // YYYY-MM-DD, inclusive
	To         string           `json:"to"`
	Object     string           `json:"object"`   // the workbook's object name
	Invoices   int              `json:"invoices"` // rows of its invoice list
}
