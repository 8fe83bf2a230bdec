package events

import (
	"encoding/json"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// newData returns a pointer to a zero payload of type t, or nil for a type
// outside the catalogue.
func newData(t Type) Data {
	switch t {
	case ImportStartedType:
		return &ImportStarted{}
	case DiscoveryCompletedType:
		return &DiscoveryCompleted{}
	case InvoiceStoredType:
		return &InvoiceStored{}
	case InvoiceFailedType:
		return &InvoiceFailed{}
	case InvoiceUnavailableType:
		return &InvoiceUnavailable{}
	case InvoiceStatusChangedType:
		return &InvoiceStatusChanged{}
	case InvoiceSignatureInvalidType:
		return &InvoiceSignatureInvalid{}
	case ImportCompletedType:
		return &ImportCompleted{}
	case ImportFailedType:
		return &ImportFailed{}
	case ImportCancelledType:
		return &ImportCancelled{}
	case ExportReadyType:
		return &ExportReady{}
	}
	return nil
}

// Decode returns the typed payload of e (a pointer to one of the data
// structs, e.g. *InvoiceStored). Unknown JSON fields are ignored so that
// consumers keep working when a field is added; an unknown type, a non-JSON
// payload or a payload that does not match the envelope is CodeInvalid.
func Decode(e event.Event) (Data, error) {
	d := newData(Type(e.Type()))
	if d == nil {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "events.Decode: unknown type %q", e.Type())
	}
	if ct := e.DataContentType(); ct != "" && ct != event.ApplicationJSON {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "events.Decode: data content type %q, want %s", ct, event.ApplicationJSON)
	}
	if err := json.Unmarshal(e.Data(), d); err != nil {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "events.Decode: %s data: %w", e.Type(), err)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if e.Subject() != d.EventSubject() || e.Source() != Source(d.EventImportID()) {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "events.Decode: subject %q / source %q do not match the data", e.Subject(), e.Source())
	}
	return d, nil
}
