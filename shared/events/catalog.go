package events

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Type is a CloudEvents "type" attribute value. All of hoadon's types live
// under the reverse-DNS prefix "vn.hoadon.".
type Type string

// The event catalogue. shared/events/README.md describes subject and data of
// each.
const (
	ImportStartedType        Type = "vn.hoadon.import.started"
	DiscoveryCompletedType   Type = "vn.hoadon.discovery.completed"
	InvoiceStoredType        Type = "vn.hoadon.invoice.stored"
	InvoiceFailedType        Type = "vn.hoadon.invoice.failed"
	InvoiceUnavailableType   Type = "vn.hoadon.invoice.unavailable"
	InvoiceStatusChangedType Type = "vn.hoadon.invoice.status_changed"
	// InvoiceSignatureInvalidType: a stored invoice's seller signature is
	// missing, invalid or not the seller's (the file is stored all the same).
	InvoiceSignatureInvalidType Type = "vn.hoadon.invoice.signature_invalid"
	ImportCompletedType         Type = "vn.hoadon.import.completed"
	ImportFailedType            Type = "vn.hoadon.import.failed"
	ImportCancelledType         Type = "vn.hoadon.import.cancelled"
	// ExportReadyType: a scheduled import with export on finished and its
	// period's workbook is in the bucket.
	ExportReadyType Type = "vn.hoadon.export.ready"
)

// Types lists the catalogue in the order events of one import occur.
var Types = []Type{
	ImportStartedType, DiscoveryCompletedType, InvoiceStoredType, InvoiceFailedType,
	InvoiceUnavailableType, InvoiceStatusChangedType, InvoiceSignatureInvalidType, ImportCompletedType, ImportFailedType, ImportCancelledType,
	ExportReadyType,
}

// Data is the typed payload of one event type. Each data struct knows its
// type, its subject and its import, so New can derive every envelope
// attribute from it and nothing can be mismatched by a caller.
type Data interface {
	EventType() Type
	EventSubject() string // the invoice key for invoice events, else the import id
	EventImportID() string
	Validate() error
}

// maxReason bounds free-text reasons so an event never carries a whole
// portal response.
const maxReason = 300

func clip(s string) string {
	if len(s) <= maxReason {
		return s
	}
	n := maxReason
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func validateImport(importID, mst string) error {
	if importID == "" || strings.ContainsAny(importID, "/ \t\r\n") {
		return hoadon.Errorf(hoadon.CodeInvalid, "events: bad import id %q", importID)
	}
	if err := hoadon.ValidateMST(mst); err != nil {
		return fmt.Errorf("events: company MST: %w", err)
	}
	return nil
}
