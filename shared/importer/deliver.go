package importer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"

	"github.com/hoadon/hoadon/shared/egress"
	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/metrics"
)

// DeliverRequest is one event-delivery task: ids only, the event itself
// stays in the outbox.
type DeliverRequest struct {
	EventID    string `json:"event_id"`
	Subscriber string `json:"subscriber"` // SubscriberID of the URL
}

// Deliver sends one outbox event to one subscriber, signed (RFC 9421, with
// Content-Digest), and records the delivery. A subscriber that answers
// non-2xx or cannot be reached gives a retryable error: Cloud Tasks tries
// again with backoff, so an event reaches a subscriber that was down once it
// is back. Redirects are not followed.
func (s *Service) Deliver(ctx context.Context, req DeliverRequest) error {
	ev, delivered, err := s.Store.Event(ctx, req.EventID)
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		s.Log.WarnContext(ctx, "delivery of an unknown event dropped", "event", req.EventID)
		return nil
	}
	if err != nil {
		return err
	}
	sub, ok, err := s.subscriber(ctx, ev.Tenant, req.Subscriber)
	if err != nil {
		return err
	}
	if !ok {
		s.Log.WarnContext(ctx, "delivery to a subscriber no longer configured dropped", "event", req.EventID)
		return nil
	}
	if _, ok := delivered[req.Subscriber]; ok {
		return nil
	}
	var e cloudevents.Event
	if err := json.Unmarshal(ev.Data, &e); err != nil {
		return hoadon.Wrap(hoadon.CodeBadData, err, "outbox event "+req.EventID+" does not decode")
	}
	signer, err := s.signer(sub)
	if err != nil {
		return err
	}
	err = s.post(ctx, sub.url, e, signer)
	metrics.Delivery(ctx, err)
	if err != nil {
		return err
	}
	return s.Store.MarkDelivered(ctx, req.EventID, req.Subscriber, s.envSubscriberIDs())
}

// subscriber finds a subscriber of the event's tenant by id: another
// tenant's subscriber is never found.
func (s *Service) subscriber(ctx context.Context, t hoadon.Tenant, id string) (subscriber, bool, error) {
	subs, err := s.subscribersOf(ctx, t)
	if err != nil {
		return subscriber{}, false, err
	}
	for _, sub := range subs {
		if sub.id == id {
			return sub, true, nil
		}
	}
	return subscriber{}, false, nil
}

func (s *Service) post(ctx context.Context, url string, e cloudevents.Event, signer *httpsig.Signer) error {
	var err error
	var r *http.Request
	if signer != nil {
		r, err = events.SignedRequest(ctx, url, e, signer)
	} else {
		r, _, err = events.NewRequest(ctx, url, e)
	}
	if err != nil {
		return hoadon.Wrap(hoadon.CodeInternal, err, "building the delivery request")
	}
	resp, err := s.HTTP.Do(r)
	if errors.Is(err, egress.ErrNotPublic) {
		return hoadon.Wrap(hoadon.CodeInvalid, err, "delivering event "+e.ID())
	}
	if err != nil {
		return hoadon.Wrap(hoadon.CodeTransient, err, "delivering event "+e.ID())
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return hoadon.Errorf(hoadon.CodeTransient, "subscriber answered %d to event %s", resp.StatusCode, e.ID())
	}
	return nil
}
