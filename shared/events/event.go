package events

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// ID is the deterministic event id: the first 128 bits, in hex, of
// SHA-256(importID "\n" type "\n" subject). The same state change of the same
// import always yields the same id, however often the outbox re-delivers it
// or a step is re-run, so consumers can de-duplicate on it.
func ID(importID string, t Type, subject string) string {
	sum := sha256.Sum256([]byte(importID + "\n" + string(t) + "\n" + subject))
	return hex.EncodeToString(sum[:16])
}

// Source is the CloudEvents "source" of every event of an import.
func Source(importID string) string { return "//hoadon/imports/" + importID }

// New builds the CloudEvent for d that happened at at (the time of the
// state change, stored with the outbox entry, not the time of delivery, so a
// re-delivery is byte-identical). The event is validated by the SDK.
func New(d Data, at time.Time) (event.Event, error) {
	if d == nil {
		return event.Event{}, hoadon.Errorf(hoadon.CodeInvalid, "events.New: nil data")
	}
	if at.IsZero() {
		return event.Event{}, hoadon.Errorf(hoadon.CodeInvalid, "events.New: %s without a time", d.EventType())
	}
	d = clipReasons(d)
	if err := d.Validate(); err != nil {
		return event.Event{}, err
	}
	e := event.New()
	e.SetID(ID(d.EventImportID(), d.EventType(), d.EventSubject()))
	e.SetSource(Source(d.EventImportID()))
	e.SetType(string(d.EventType()))
	e.SetSubject(d.EventSubject())
	e.SetTime(at.UTC())
	if err := e.SetData(event.ApplicationJSON, d); err != nil {
		return event.Event{}, hoadon.Errorf(hoadon.CodeInternal, "events.New: encode %s data: %w", d.EventType(), err)
	}
	if err := e.Validate(); err != nil {
		return event.Event{}, hoadon.Errorf(hoadon.CodeInvalid, "events.New: %w", err)
	}
	return e, nil
}

// clipReasons shortens free-text reasons so an event never carries a whole
// portal response.
func clipReasons(d Data) Data {
	switch v := d.(type) {
	case InvoiceFailed:
		v.Reason = clip(v.Reason)
		return v
	case InvoiceUnavailable:
		v.Reason = clip(v.Reason)
		return v
	case InvoiceSignatureInvalid:
		v.Reason = clip(v.Reason)
		return v
	case ImportFailed:
		v.Reason = clip(v.Reason)
		return v
	}
	return d
}
