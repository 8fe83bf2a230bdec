package store

import (
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// The catalogue: tenants/{t}/companies/{mst}/invoices/{id}, one entry per
// invoice a listing of the tenant's imports of that company showed.

// catalogueCol is a tenant's catalogue of one company.
func (s *Store) catalogueCol(t hoadon.Tenant, company string) *firestore.CollectionRef {
	return s.tenantRef(t).Collection(colCompanies).Doc(company).Collection(colInvoices)
}

// CatalogueEntry is a tenant's record of one invoice of a company: every
// invoice a listing showed, with its registry status (discovered, failed,
// or stored / unavailable: then later imports skip it unless forced), its
// portal status and their history (tracking.go).
type CatalogueEntry struct {
	ID        string               `firestore:"id"`
	Status    hoadon.InvoiceStatus `firestore:"status"`
	Key       hoadon.InvoiceKey    `firestore:"key"`
	Flow      hoadon.Flow          `firestore:"flow"`
	Direction hoadon.Direction     `firestore:"direction"`
	Date      string               `firestore:"date"` // issue date, YYYY-MM-DD
	ImportID  string               `firestore:"import_id"`
	Objects   hoadon.Objects       `firestore:"objects"`
	SHA256    string               `firestore:"sha256"`
	StoredAt  time.Time            `firestore:"stored_at"`

	Month   string        `firestore:"month"` // YYYY-MM of Date; "" on entries older than completeness
	Error   string        `firestore:"error"` // why the last download failed
	TThai   int           `firestore:"tthai"` // portal status at the last listing; 0 = not yet seen
	History []StatusEntry `firestore:"history"`
	Related []Link        `firestore:"related"`

	// Signatures is the verdict on each XML signature of the stored XML
	// (shared/xmlsig; the seller's, missing or not, is always there), and
	// SignatureWarning what is wrong with the seller's, empty when nothing
	// is. Both empty until stored, and on entries stored before
	// verification was kept.
	Signatures       []xmlsig.Result `firestore:"signatures"`
	SignatureWarning string          `firestore:"signature_warning"`
}
