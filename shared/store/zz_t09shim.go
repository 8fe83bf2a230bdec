package store

import (
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// TEMPORARY until issue 9 lands.

const (
	colTenants   = "tenants"
	colCompanies = "companies"
)

func (s *Store) tenantRef(t hoadon.Tenant) *firestore.DocumentRef {
	return s.fs.Collection(colTenants).Doc(string(t.OrDefault()))
}

func (s *Store) catalogueRef(t hoadon.Tenant, company, invoiceID string) *firestore.DocumentRef {
	return s.tenantRef(t).Collection(colCompanies).Doc(company).Collection(colInvoices).Doc(invoiceID)
}

func tenantOf(imp hoadon.Import) hoadon.Tenant { return hoadon.DefaultTenant }

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

	// Issue 10.
	Month   string        `firestore:"month"` // YYYY-MM of Date
	Error   string        `firestore:"error"` // why the last download failed
	TThai   int           `firestore:"tthai"` // portal status at the last listing; 0 = not yet seen
	History []StatusEntry `firestore:"history"`
	Related []Link        `firestore:"related"`
}

func invTenant(inv hoadon.Invoice) hoadon.Tenant { return hoadon.DefaultTenant }
