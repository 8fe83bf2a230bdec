package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/metrics"
	"github.com/hoadon/hoadon/shared/queue"
	"github.com/hoadon/hoadon/shared/store"
)

// outbox encodes event data as the structured CloudEvent JSON the outbox
// stores; at is the time of the state change, so a re-delivery is identical.
func outbox(d events.Data, at time.Time) (store.OutboxEvent, error) {
	e, err := events.New(d, at)
	if err != nil {
		return store.OutboxEvent{}, fmt.Errorf("importer: event %s: %w", d.EventType(), err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return store.OutboxEvent{}, fmt.Errorf("importer: encode event %s: %w", d.EventType(), err)
	}
	return store.OutboxEvent{ID: e.ID(), Type: e.Type(), Data: b}, nil
}

// collector builds events inside a store transaction and remembers the last
// attempt's events, to dispatch once the transaction committed. Transactions
// may run their function more than once: each run replaces the list. Each
// event records the subscribers of its tenant that are owed it.
type collector[T any] struct {
	ctx      context.Context
	s        *Service
	tenantOf func(T) hoadon.Tenant
	build    func(T) ([]events.Data, error)
	got      []store.OutboxEvent
}

func (c *collector[T]) fn(v T) ([]store.OutboxEvent, error) {
	c.got = nil
	ds, err := c.build(v)
	if err != nil {
		return nil, err
	}
	tenant := c.tenantOf(v).OrDefault()
	subs, err := c.s.subscribersOf(c.ctx, tenant)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		ev, err := outbox(d, c.s.Now())
		if err != nil {
			return nil, err
		}
		ev.Tenant, ev.To = tenant, owed(subs, ev.Type)
		c.got = append(c.got, ev)
	}
	return c.got, nil
}

// collect builds a collector; tenantOf names the tenant that owns the
// events built from a value.
func collect[T any](ctx context.Context, s *Service, tenantOf func(T) hoadon.Tenant, build func(T) ([]events.Data, error)) *collector[T] {
	return &collector[T]{ctx: ctx, s: s, tenantOf: tenantOf, build: build}
}

// importTenant is the tenantOf of collectors over an import.
func importTenant(imp hoadon.Import) hoadon.Tenant { return imp.Tenant }

// tenantIs is the tenantOf of collectors whose tenant is known up front.
func tenantIs[T any](t hoadon.Tenant) func(T) hoadon.Tenant {
	return func(T) hoadon.Tenant { return t }
}

// dispatch counts committed events in the metrics and enqueues their
// delivery.
func (s *Service) dispatch(ctx context.Context, evs []store.OutboxEvent) {
	for _, ev := range evs {
		metrics.Event(ctx, events.Type(ev.Type))
	}
	s.enqueueDeliveries(ctx, evs)
}

// enqueueDeliveries enqueues the delivery of events to the subscribers
// each one is owed. A failure here loses nothing: the outbox keeps the
// event and the status sweep enqueues it again.
func (s *Service) enqueueDeliveries(ctx context.Context, evs []store.OutboxEvent) {
	n := 0
	for _, ev := range evs {
		n += len(s.owedTo(ev))
	}
	if n == 0 {
		return
	}
	q, err := s.Queues.EnsureWebhookQueue(ctx)
	if err != nil {
		s.Log.WarnContext(ctx, "event delivery not enqueued; the sweep will retry", "err", err)
		return
	}
	for _, ev := range evs {
		for _, sub := range s.owedTo(ev) {
			body, _ := json.Marshal(DeliverRequest{EventID: ev.ID, Subscriber: sub})
			t := queue.Task{Queue: q, ID: "ev-" + ev.ID + "-" + sub, URL: s.Endpoints.Deliver, Body: body}
			if _, err := s.Queues.Enqueue(ctx, t); err != nil {
				s.Log.WarnContext(ctx, "event delivery not enqueued; the sweep will retry", "event", ev.ID, "err", err)
			}
		}
	}
}

// owedTo is who an outbox event is owed to: its To, or for an event from
// before subscriptions the environment's subscribers (default tenant).
func (s *Service) owedTo(ev store.OutboxEvent) []string {
	if ev.To != nil || ev.Tenant.OrDefault() != hoadon.DefaultTenant {
		return ev.To
	}
	return s.envSubscriberIDs()
}

// eventCounts converts progress counts to the events' shape.
func eventCounts(c hoadon.Counts) events.Counts {
	return events.Counts{
		Discovered:  c.Total,
		Stored:      c.Status[hoadon.StatusStored],
		Skipped:     c.Status[hoadon.StatusSkipped],
		Unavailable: c.Status[hoadon.StatusUnavailable],
		Failed:      c.Status[hoadon.StatusFailed],
	}
}
