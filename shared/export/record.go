package export

import (
	"context"
	"io"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Portal invoice statuses (tthai, gdt-portal.md §4).
const (
	PortalNew         = 1 // hóa đơn mới
	PortalReplacement = 2 // hóa đơn thay thế
	PortalAdjustment  = 3 // hóa đơn điều chỉnh
	PortalReplaced    = 4 // đã bị thay thế
	PortalAdjusted    = 5 // đã bị điều chỉnh
	PortalCancelled   = 6 // đã bị hủy
)

// Record is one invoice of the selection as the tenant's catalogue holds it.
// Fields the catalogue does not know yet stay zero and the workbook says
// "unknown" or falls back to the parsed XML.
type Record struct {
	ID      string               // catalogue id (hoadon.InvoiceKey.ID)
	Key     hoadon.InvoiceKey    // the portal's natural key
	Flow    hoadon.Flow          // one of the four flows
	Date    string               // issue date in Vietnam, YYYY-MM-DD
	Status  hoadon.InvoiceStatus // stored, unavailable or failed
	Reason  string               // why unavailable or failed
	Objects hoadon.Objects       // stored files (empty when none)

	// PortalStatus is the portal's current tthai (PortalNew…PortalCancelled);
	// 0 when the catalogue has not recorded one: the XML then says whether the
	// invoice replaces or adjusts another.
	PortalStatus int
	// Related names the related invoice (the one replaced, adjusted, or
	// replacing this one) when the catalogue links it.
	Related string
	// Signature is the seller signature's verdict the catalogue keeps, as
	// SellerSignature sums it up ("valid", "invalid: reason", "missing: …");
	// empty: the parsed JSON's verdict, else "not checked".
	Signature string
	// VerifiedAt is when the portal last confirmed this invoice (listing or
	// recheck); zero when unknown.
	VerifiedAt time.Time
}

// Source gives an export its selection: the records in issue-date order and
// the stored objects they name. The service implements it over the tenant's
// catalogue and bucket, already scoped to the caller's tenant.
type Source interface {
	// Records calls fn for every record of the selection, in order; an error
	// from fn stops the walk and is returned.
	Records(ctx context.Context, fn func(Record) error) error
	// Open reads one stored object named by a record.
	Open(ctx context.Context, object string) (io.ReadCloser, error)
}

// Selection is what one export covers.
type Selection struct {
	Company   string           // the company's MST
	Name      string           // the company's name, when known (else read from the invoices)
	Direction hoadon.Direction // purchase or sold
	From, To  hoadon.Date      // inclusive, Vietnam dates
}

// Validate checks the selection before anything is read.
func (s Selection) Validate() error {
	if err := hoadon.ValidateMST(s.Company); err != nil {
		return err
	}
	if s.Direction != hoadon.Purchase && s.Direction != hoadon.Sold {
		return hoadon.Errorf(hoadon.CodeInvalid, "export: direction %q: want purchase or sold", s.Direction)
	}
	if s.From.IsZero() || s.To.IsZero() || s.To.Before(s.From.Time) {
		return hoadon.Errorf(hoadon.CodeInvalid, "export: period %s..%s: want from ≤ to", s.From, s.To)
	}
	return nil
}

// Stem is the base of the file names of an export:
// {mst}_{direction}_{from}_{to}.
func (s Selection) Stem() string {
	return s.Company + "_" + string(s.Direction) + "_" + s.From.String() + "_" + s.To.String()
}

// Options tune an export.
type Options struct {
	English bool             // English sheet names and headers (default Vietnamese)
	Now     func() time.Time // the export's time stamp (default time.Now)
	TmpDir  string           // where the workbook's sheets spill (default os.TempDir)
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Stats counts what an export wrote.
type Stats struct {
	Invoices int // rows of the invoice list
	Lines    int // rows of the line sheet
	Errors   int // rows of the error sheet
	Files    int // files in a bundle besides the workbook
}
