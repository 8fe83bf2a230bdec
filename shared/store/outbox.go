package store

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// OutboxEvent is an event to deliver, written in the same transaction as the
// state change it reports. Data is the complete CloudEvent in structured JSON
// form; the store does not look inside.
type OutboxEvent struct {
	ID   string `firestore:"id"`
	Type string `firestore:"type"`
	Data []byte `firestore:"data"`
	// Tenant owns the event (the store sets it from the import); events
	// from before tenants have none and are the default tenant's.
	Tenant hoadon.Tenant `firestore:"tenant"`
	// To are the subscriber ids owed the event, fixed when it is written;
	// nil on events from before subscriptions (owed to the environment's
	// subscribers). An event owed to nobody is done when written.
	To []string `firestore:"to"`
}

// outboxDoc is the stored form of an OutboxEvent.
type outboxDoc struct {
	OutboxEvent
	ImportID  string               `firestore:"import_id"`
	CreatedAt time.Time            `firestore:"created_at"`
	Delivered map[string]time.Time `firestore:"delivered"` // subscriber id → time
	Done      bool                 `firestore:"done"`
}

// putEvents writes events in tx; an event id that already exists is left as
// it is (event ids are deterministic, so that means it was written before).
func (s *Store) putEvents(tx *firestore.Transaction, tenant hoadon.Tenant, importID string, evs []OutboxEvent) error {
	for _, ev := range evs {
		ev.Tenant = tenant.OrDefault()
		if ev.To == nil {
			ev.To = []string{}
		}
		d := outboxDoc{OutboxEvent: ev, ImportID: importID, CreatedAt: s.now(), Delivered: map[string]time.Time{}, Done: len(ev.To) == 0}
		if err := tx.Set(s.fs.Collection(colOutbox).Doc(ev.ID), d); err != nil {
			return err
		}
	}
	return nil
}

// Event returns one outbox event and the subscribers it reached.
func (s *Store) Event(ctx context.Context, id string) (OutboxEvent, map[string]time.Time, error) {
	snap, err := s.fs.Collection(colOutbox).Doc(id).Get(ctx)
	if err != nil {
		return OutboxEvent{}, nil, gcp.Classify("store.Event", err)
	}
	var d outboxDoc
	if err := snap.DataTo(&d); err != nil {
		return OutboxEvent{}, nil, gcp.Classify("store.Event", err)
	}
	d.Tenant = d.Tenant.OrDefault()
	return d.OutboxEvent, d.Delivered, nil
}

// MarkDelivered records that subscriber received event id; when every
// subscriber the event is owed to (its To; legacy for events from before
// To existed) has it, the event is done and leaves the pending list.
func (s *Store) MarkDelivered(ctx context.Context, id, subscriber string, legacy []string) error {
	ref := s.fs.Collection(colOutbox).Doc(id)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err != nil {
			return err
		}
		var d outboxDoc
		if err := snap.DataTo(&d); err != nil {
			return err
		}
		if d.Delivered == nil {
			d.Delivered = map[string]time.Time{}
		}
		if _, ok := d.Delivered[subscriber]; !ok {
			d.Delivered[subscriber] = s.now()
		}
		subscribers := d.To
		if subscribers == nil {
			subscribers = legacy
		}
		done := true
		for _, sub := range subscribers {
			if _, ok := d.Delivered[sub]; !ok {
				done = false
			}
		}
		return tx.Update(ref, []firestore.Update{{Path: "delivered", Value: d.Delivered}, {Path: "done", Value: done}})
	})
	return gcp.Classify("store.MarkDelivered", err)
}

// PendingEvents lists up to limit undelivered events created before
// olderThan, oldest first, so a sweeper can enqueue their delivery again after
// a crash between commit and enqueue.
func (s *Store) PendingEvents(ctx context.Context, olderThan time.Time, limit int) ([]OutboxEvent, error) {
	q := QueryOutboxPending.On(s.fs, false, olderThan).Limit(limit)
	evs, err := readEvents(q.Documents(ctx))
	return evs, gcp.Classify("store.PendingEvents", err)
}

// UndeliveredEventsOf lists the events of one import still owed to a
// subscriber, whatever their age: a process that died between commit and
// enqueue leaves them there.
func (s *Store) UndeliveredEventsOf(ctx context.Context, importID string) ([]OutboxEvent, error) {
	evs, err := readEvents(QueryOutboxUndeliveredOfImport.On(s.fs, importID, false).Documents(ctx))
	return evs, gcp.Classify("store.UndeliveredEventsOf", err)
}

// ImportEvents lists the events of one import in creation order.
func (s *Store) ImportEvents(ctx context.Context, importID string) ([]OutboxEvent, error) {
	q := QueryOutboxOfImport.On(s.fs, importID)
	evs, err := readEvents(q.Documents(ctx))
	return evs, gcp.Classify("store.ImportEvents", err)
}

func readEvents(it *firestore.DocumentIterator) ([]OutboxEvent, error) {
	defer it.Stop()
	var out []OutboxEvent
	for {
		snap, err := it.Next()
		if err == iterator.Done {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var d outboxDoc
		if err := snap.DataTo(&d); err != nil {
			return nil, err
		}
		d.Tenant = d.Tenant.OrDefault()
		out = append(out, d.OutboxEvent)
	}
}
