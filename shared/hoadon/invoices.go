package hoadon

import "time"

// InvoiceStatus is where one invoice of one import stands.
//
//	discovered → downloading → stored | unavailable | failed
//	discovered → skipped (already stored by an earlier import)
type InvoiceStatus string

// Invoice statuses.
const (
	StatusDiscovered  InvoiceStatus = "discovered"
	StatusDownloading InvoiceStatus = "downloading"
	StatusStored      InvoiceStatus = "stored"
	StatusUnavailable InvoiceStatus = "unavailable" // the portal has no original XML: permanent
	StatusFailed      InvoiceStatus = "failed"
	StatusSkipped     InvoiceStatus = "skipped"
)

// AllStatuses lists the statuses in display order.
var AllStatuses = []InvoiceStatus{StatusDiscovered, StatusDownloading, StatusStored, StatusUnavailable, StatusFailed, StatusSkipped}

// Final reports whether the invoice needs no more work in this import.
func (s InvoiceStatus) Final() bool {
	return s == StatusStored || s == StatusUnavailable || s == StatusFailed || s == StatusSkipped
}

// Objects names the stored files of an invoice in the bucket.
type Objects struct {
	ZIP  string `json:"zip,omitempty" firestore:"zip"`
	XML  string `json:"xml,omitempty" firestore:"xml"`
	JSON string `json:"json,omitempty" firestore:"json"`
}

// Invoice is one invoice as an import tracks it.
type Invoice struct {
	ID       string        `json:"id" firestore:"id"` // Key.ID(company, direction)
	ImportID string        `json:"import_id" firestore:"import_id"`
	Tenant   Tenant        `json:"tenant,omitempty" firestore:"tenant"`
	Company  string        `json:"company" firestore:"company"`
	Key      InvoiceKey    `json:"key" firestore:"key"`
	Flow     Flow          `json:"flow" firestore:"flow"`
	Date     string        `json:"date" firestore:"date"` // issue date (tdlap) in Vietnam, YYYY-MM-DD
	Status   InvoiceStatus `json:"status" firestore:"status"`
	Attempts int           `json:"attempts" firestore:"attempts"`
	Error    string        `json:"error,omitempty" firestore:"error"`
	Objects  Objects       `json:"objects,omitzero" firestore:"objects"`
	SHA256   string        `json:"sha256,omitempty" firestore:"sha256"` // of the stored XML
	// TThai is the portal status the listing showed (1 new, 2 replacement,
	// 3 adjustment, 4 replaced, 5 adjusted, 6 cancelled; 0 unknown), and
	// Original the invoice a replacement or adjustment names.
	TThai    int         `json:"tthai,omitempty" firestore:"tthai"`
	Original *InvoiceKey `json:"original,omitempty" firestore:"original"`
	// Signature is the seller signature's status once stored (valid,
	// warning, invalid, missing — shared/xmlsig); Warning says what is wrong
	// with it, empty when nothing is.
	Signature string    `json:"signature,omitempty" firestore:"signature,omitempty"`
	Warning   string    `json:"warning,omitempty" firestore:"warning,omitempty"`
	UpdatedAt time.Time `json:"updated_at" firestore:"updated_at"`
}

// Counts is the progress of an import: invoices per status, overall and per
// flow.
type Counts struct {
	Total   int                            `json:"total"`
	Status  map[InvoiceStatus]int          `json:"by_status"`
	PerFlow map[Flow]map[InvoiceStatus]int `json:"by_flow"`
}

// NewCounts returns empty counts ready for Add.
func NewCounts() Counts {
	return Counts{Status: map[InvoiceStatus]int{}, PerFlow: map[Flow]map[InvoiceStatus]int{}}
}

// Pending is the number of invoices not yet in a final status.
func (c Counts) Pending() int {
	return c.Status[StatusDiscovered] + c.Status[StatusDownloading]
}

// Add records n invoices of a flow in a status.
func (c *Counts) Add(f Flow, s InvoiceStatus, n int) {
	if c.Status == nil {
		*c = NewCounts()
	}
	if c.PerFlow[f] == nil {
		c.PerFlow[f] = map[InvoiceStatus]int{}
	}
	c.Status[s] += n
	c.PerFlow[f][s] += n
	c.Total += n
}
