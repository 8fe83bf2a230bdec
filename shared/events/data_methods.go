package events

import (
	"fmt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// EventType implements Data.
func (d ImportStarted) EventType() Type { return ImportStartedType }

// EventSubject implements Data.
func (d ImportStarted) EventSubject() string { return d.ImportID }

// EventImportID implements Data.
func (d ImportStarted) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and key well formed, counts not negative.
func (d ImportStarted) Validate() error {
	if err := validateImport(d.ImportID, d.CompanyMST); err != nil {
		return err
	}
	from, err1 := hoadon.ParseDate(d.From)
	to, err2 := hoadon.ParseDate(d.To)
	if err1 != nil || err2 != nil || to.Before(from.Time) {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: bad period %q..%q", d.From, d.To)
	}
	return validateFlows(d.Flows)
}

// EventType implements Data.
func (d DiscoveryCompleted) EventType() Type { return DiscoveryCompletedType }

// EventSubject implements Data.
func (d DiscoveryCompleted) EventSubject() string { return d.ImportID }

// EventImportID implements Data.
func (d DiscoveryCompleted) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and key well formed, counts not negative.
func (d DiscoveryCompleted) Validate() error {
	if err := validateImport(d.ImportID, d.CompanyMST); err != nil {
		return err
	}
	for _, f := range d.Flows {
		if err := validateFlows([]hoadon.Flow{f.Flow}); err != nil {
			return err
		}
	}
	return nonNegative(d.Discovered, d.ToDownload, d.Skipped)
}

// EventType implements Data.
func (d InvoiceStored) EventType() Type { return InvoiceStoredType }

// EventSubject implements Data.
func (d InvoiceStored) EventSubject() string { return d.Invoice.String() }

// EventImportID implements Data.
func (d InvoiceStored) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and key well formed, counts not negative.
func (d InvoiceStored) Validate() error {
	if d.Objects.XML == "" {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: invoice.stored without the XML object name")
	}
	return validateInvoice(d.ImportID, d.CompanyMST, d.Flow, d.Direction, d.Invoice)
}

// EventType implements Data.
func (d InvoiceFailed) EventType() Type { return InvoiceFailedType }

// EventSubject implements Data.
func (d InvoiceFailed) EventSubject() string { return d.Invoice.String() }

// EventImportID implements Data.
func (d InvoiceFailed) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and key well formed, counts not negative.
func (d InvoiceFailed) Validate() error {
	if d.Code == "" {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: invoice.failed without an error code")
	}
	return validateInvoice(d.ImportID, d.CompanyMST, d.Flow, d.Direction, d.Invoice)
}

// EventType implements Data.
func (d InvoiceUnavailable) EventType() Type { return InvoiceUnavailableType }

// EventSubject implements Data.
func (d InvoiceUnavailable) EventSubject() string { return d.Invoice.String() }

// EventImportID implements Data.
func (d InvoiceUnavailable) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and key well formed, counts not negative.
func (d InvoiceUnavailable) Validate() error {
	return validateInvoice(d.ImportID, d.CompanyMST, d.Flow, d.Direction, d.Invoice)
}

// EventType implements Data.
func (d InvoiceStatusChanged) EventType() Type { return InvoiceStatusChangedType }

// EventSubject implements Data.
func (d InvoiceStatusChanged) EventSubject() string { return d.Invoice.String() }

// EventImportID implements Data.
func (d InvoiceStatusChanged) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and keys well formed, both
// statuses portal codes 1..6 and different.
func (d InvoiceStatusChanged) Validate() error {
	if err := validateInvoice(d.ImportID, d.CompanyMST, d.Flow, d.Direction, d.Invoice); err != nil {
		return err
	}
	if d.Old < 1 || d.Old > 6 || d.New < 1 || d.New > 6 || d.Old == d.New {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: status change %d → %d", d.Old, d.New)
	}
	if d.Related != nil {
		if err := d.Related.Validate(); err != nil {
			return fmt.Errorf("events: related invoice: %w", err)
		}
	}
	return nil
}

// EventType implements Data.
func (d InvoiceSignatureInvalid) EventType() Type { return InvoiceSignatureInvalidType }

// EventSubject implements Data.
func (d InvoiceSignatureInvalid) EventSubject() string { return d.Invoice.String() }

// EventImportID implements Data.
func (d InvoiceSignatureInvalid) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and key well formed, a status.
func (d InvoiceSignatureInvalid) Validate() error {
	if d.Signature == "" {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: invoice.signature_invalid without the signature status")
	}
	return validateInvoice(d.ImportID, d.CompanyMST, d.Flow, d.Direction, d.Invoice)
}

// EventType implements Data.
func (d ImportCompleted) EventType() Type { return ImportCompletedType }

// EventSubject implements Data.
func (d ImportCompleted) EventSubject() string { return d.ImportID }

// EventImportID implements Data.
func (d ImportCompleted) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and key well formed, counts not negative.
func (d ImportCompleted) Validate() error {
	if err := validateImport(d.ImportID, d.CompanyMST); err != nil {
		return err
	}
	return d.Counts.validate()
}

// EventType implements Data.
func (d ImportFailed) EventType() Type { return ImportFailedType }

// EventSubject implements Data.
func (d ImportFailed) EventSubject() string { return d.ImportID }

// EventImportID implements Data.
func (d ImportFailed) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and key well formed, counts not negative.
func (d ImportFailed) Validate() error {
	if err := validateImport(d.ImportID, d.CompanyMST); err != nil {
		return err
	}
	if d.Code == "" {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: import.failed without an error code")
	}
	return d.Counts.validate()
}

// EventType implements Data.
func (d ImportCancelled) EventType() Type { return ImportCancelledType }

// EventSubject implements Data.
func (d ImportCancelled) EventSubject() string { return d.ImportID }

// EventImportID implements Data.
func (d ImportCancelled) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, flow and key well formed, counts not negative.
func (d ImportCancelled) Validate() error {
	if err := validateImport(d.ImportID, d.CompanyMST); err != nil {
		return err
	}
	return d.Counts.validate()
}

// EventType implements Data.
func (d ExportReady) EventType() Type { return ExportReadyType }

// EventSubject implements Data.
func (d ExportReady) EventSubject() string { return d.ImportID }

// EventImportID implements Data.
func (d ExportReady) EventImportID() string { return d.ImportID }

// Validate implements Data: ids, MST, direction, period and object well formed.
func (d ExportReady) Validate() error {
	if err := validateImport(d.ImportID, d.CompanyMST); err != nil {
		return err
	}
	if d.Direction != hoadon.Purchase && d.Direction != hoadon.Sold {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: bad direction %q", d.Direction)
	}
	from, err1 := hoadon.ParseDate(d.From)
	to, err2 := hoadon.ParseDate(d.To)
	if err1 != nil || err2 != nil || to.Before(from.Time) {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: bad period %q..%q", d.From, d.To)
	}
	if d.Object == "" || d.Invoices < 0 {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: export.ready without an object")
	}
	return nil
}

func (c Counts) validate() error {
	return nonNegative(c.Discovered, c.Stored, c.Skipped, c.Unavailable, c.Failed)
}

func nonNegative(ns ...int) error {
	for _, n := range ns {
		if n < 0 {
			return hoadon.Errorf(hoadon.CodeInvalid, "events: negative count %d", n)
		}
	}
	return nil
}

func validateFlows(flows []hoadon.Flow) error {
	for _, f := range flows {
		if !f.Valid() {
			return hoadon.Errorf(hoadon.CodeInvalid, "events: unknown flow %q", f)
		}
	}
	return nil
}

func validateInvoice(importID, mst string, f hoadon.Flow, d hoadon.Direction, k hoadon.InvoiceKey) error {
	if err := validateImport(importID, mst); err != nil {
		return err
	}
	if err := validateFlows([]hoadon.Flow{f}); err != nil {
		return err
	}
	if f.Direction() != d {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: flow %q is not direction %q", f, d)
	}
	if err := k.Validate(); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	return nil
}
