package sink

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// Received is one event the sink accepted, as stored in received/{ID}.
type Received struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Subject    string          `json:"subject"`
	Source     string          `json:"source"`
	ImportID   string          `json:"import_id"`
	KeyID      string          `json:"key_id"`      // the signing key that vouched for it
	EventTime  time.Time       `json:"event_time"`  // the CloudEvents "time": when the change happened
	ReceivedAt time.Time       `json:"received_at"` // when this sink recorded it
	Data       json.RawMessage `json:"data"`        // the event data exactly as delivered
}

// Field names of a received document, shared by writes and queries.
const (
	fieldType       = "type"
	fieldSubject    = "subject"
	fieldSource     = "source"
	fieldImportID   = "import_id"
	fieldKeyID      = "key_id"
	fieldEventTime  = "event_time"
	fieldReceivedAt = "received_at"
	fieldData       = "data"
)

// Store records received events and answers queries about them. It is safe
// for concurrent use.
type Store struct {
	fs    *firestore.Client
	dedup *FirestoreDeduper
	now   func() time.Time
}

// NewStore returns a Store on fs; now stamps received_at (nil: time.Now).
func NewStore(fs *firestore.Client, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{fs: fs, dedup: NewFirestoreDeduper(fs, ColReceived, now), now: now}
}

// Deduper returns the events.Deduper over received/: Seen(id) is true for
// every recorded event. The sink itself records through Record, which
// creates the marker and the record as one document in one commit.
func (s *Store) Deduper() *FirestoreDeduper { return s.dedup }

// Record stores rec as received/{rec.ID} unless that document exists, and
// reports whether it did (true: a duplicate, nothing written). The record is
// the de-dup marker, so recording and marking are one atomic write.
// rec.ReceivedAt is set from the store's clock.
func (s *Store) Record(ctx context.Context, rec Received) (dup bool, err error) {
	if rec.Type == "" {
		return false, hoadon.Errorf(hoadon.CodeInvalid, "sink.Record: event %q has no type", rec.ID)
	}
	fields := map[string]any{
		fieldType:       rec.Type,
		fieldSubject:    rec.Subject,
		fieldSource:     rec.Source,
		fieldImportID:   rec.ImportID,
		fieldKeyID:      rec.KeyID,
		fieldEventTime:  rec.EventTime.UTC(),
		fieldReceivedAt: s.now().UTC(),
		fieldData:       string(rec.Data),
	}
	return s.dedup.Once(ctx, rec.ID, fields, nil)
}

// receivedDoc is the stored form of Received; data is kept as a JSON string
// so it stays readable in the console.
type receivedDoc struct {
	ID         string    `firestore:"id"`
	Type       string    `firestore:"type"`
	Subject    string    `firestore:"subject"`
	Source     string    `firestore:"source"`
	ImportID   string    `firestore:"import_id"`
	KeyID      string    `firestore:"key_id"`
	EventTime  time.Time `firestore:"event_time"`
	ReceivedAt time.Time `firestore:"received_at"`
	Data       string    `firestore:"data"`
}

func (d receivedDoc) received() Received {
	r := Received{ID: d.ID, Type: d.Type, Subject: d.Subject, Source: d.Source, ImportID: d.ImportID,
		KeyID: d.KeyID, EventTime: d.EventTime, ReceivedAt: d.ReceivedAt}
	if d.Data != "" {
		r.Data = json.RawMessage(d.Data)
	}
	return r
}

// Received returns the events recorded for importID (every recorded event
// when importID is empty), oldest first by received time, ties by id. The
// query filters on import_id only and sorts in memory, so it needs no
// composite index; an import has at most a few thousand events.
func (s *Store) Received(ctx context.Context, importID string) ([]Received, error) {
	q := store.QuerySinkReceived.On(s.fs)
	if importID != "" {
		q = store.QuerySinkOfImport.On(s.fs, importID)
	}
	it := q.Documents(ctx)
	defer it.Stop()
	var out []Received
	for {
		snap, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, gcp.Classify("sink.Received", err)
		}
		var d receivedDoc
		if err := snap.DataTo(&d); err != nil {
			return nil, hoadon.Wrap(hoadon.CodeInternal, err, "sink.Received: decode "+snap.Ref.ID)
		}
		if d.Type == "" { // a bare marker from Deduper().Seen, not a record
			continue
		}
		out = append(out, d.received())
	}
	slices.SortFunc(out, func(a, b Received) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Count returns how many events were recorded for importID (all imports
// when empty) with a count aggregation, without reading the documents.
func (s *Store) Count(ctx context.Context, importID string) (int64, error) {
	q := store.QuerySinkRecorded.On(s.fs, "")
	if importID != "" {
		q = store.QuerySinkOfImport.On(s.fs, importID)
	}
	res, err := q.NewAggregationQuery().WithCount("n").Get(ctx)
	if err != nil {
		return 0, gcp.Classify("sink.Count", err)
	}
	return countValue(res["n"])
}

// countValue reads a count aggregation result, which the client returns as
// a protobuf Value.
func countValue(v any) (int64, error) {
	if pv, ok := v.(interface{ GetIntegerValue() int64 }); ok {
		return pv.GetIntegerValue(), nil
	}
	if n, ok := v.(int64); ok {
		return n, nil
	}
	return 0, hoadon.Errorf(hoadon.CodeInternal, "sink.Count: unexpected count result %T", v)
}
