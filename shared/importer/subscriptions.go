package importer

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/wire"
)

// subscriptionsCacheFor bounds how long an instance delivers to a deleted
// subscription, or misses a new one, after a change made elsewhere.
const subscriptionsCacheFor = 5 * time.Second

// maxSubscriptions bounds the subscribers of one tenant.
const maxSubscriptions = 20

// subscriber is one place a tenant's events go: an environment URL (the
// default tenant's, signed with a key derived from the environment's for
// that URL) or a subscription (signed with its own key).
type subscriber struct {
	id  string
	url string
	sub *store.Subscription // nil for an environment URL
}

func (s subscriber) wants(typ string) bool { return s.sub == nil || s.sub.Wants(typ) }

// subscribersOf lists where a tenant's events go: for the default tenant
// the environment's URLs, then the tenant's subscriptions.
func (s *Service) subscribersOf(ctx context.Context, t hoadon.Tenant) ([]subscriber, error) {
	var out []subscriber
	if t.OrDefault() == hoadon.DefaultTenant {
		for _, u := range s.Subscribers {
			out = append(out, subscriber{id: SubscriberID(u), url: u})
		}
	}
	subs, ok := s.subs.Get(t)
	if !ok {
		var err error
		if subs, err = s.Store.Subscriptions(ctx, t); err != nil {
			return nil, err
		}
		s.subs.Add(t, subs)
	}
	for i := range subs {
		out = append(out, subscriber{id: subs[i].ID, url: subs[i].URL, sub: &subs[i]})
	}
	return out, nil
}

// owed lists the ids of the subscribers that receive events of type typ.
func owed(subs []subscriber, typ string) []string {
	out := []string{}
	for _, sub := range subs {
		if sub.wants(typ) {
			out = append(out, sub.id)
		}
	}
	return out
}

// envSubscriberIDs names the environment's subscribers.
func (s *Service) envSubscriberIDs() []string {
	ids := make([]string, len(s.Subscribers))
	for i, u := range s.Subscribers {
		ids[i] = SubscriberID(u)
	}
	return ids
}

// signer is the one place that decides which key signs for which
// subscriber: an environment URL gets the environment's signer with its own
// key derived from the signing key and the URL (events.SubscriberSigner);
// a subscription its own HMAC key, unsealed. nil: unsigned.
func (s *Service) signer(sub subscriber) (*httpsig.Signer, error) {
	if sub.sub == nil {
		if s.Signer == nil {
			return nil, nil
		}
		return events.SubscriberSigner(s.Signer, sub.url)
	}
	secret, err := s.Box.Open(sub.sub.SealedKey, store.SubscriptionKeyLabel(sub.sub.Tenant, sub.id))
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeInternal, err, "opening the signing key of subscription "+sub.id)
	}
	key, err := httpsig.HMACKey(secret)
	if err != nil {
		return nil, err
	}
	return &httpsig.Signer{KeyID: subscriptionKeyID(sub.id), Key: key}, nil
}

func subscriptionKeyID(id string) string { return "sub-" + id }

// CreateSubscriptionFor adds a subscriber to the caller's tenant (admin
// only): its URL is checked (https to a public address unless local), its
// types must be known event types (none: every type), and its HMAC signing
// key is generated, stored sealed and returned this once.
func (s *Service) CreateSubscriptionFor(ctx context.Context, acc hoadon.Access, req wire.SubscriptionRequest) (wire.Subscription, error) {
	if err := acc.Allow(hoadon.PermAdmin); err != nil {
		return wire.Subscription{}, err
	}
	req.URL = strings.TrimSpace(req.URL)
	if len(req.URL) > 2000 {
		return wire.Subscription{}, hoadon.Errorf(hoadon.CodeInvalid, "subscriber URL is longer than 2000 characters")
	}
	if err := s.URLs.CheckURL(ctx, req.URL); err != nil {
		return wire.Subscription{}, err
	}
	types, err := eventTypes(req.Types)
	if err != nil {
		return wire.Subscription{}, err
	}
	have, err := s.Store.Subscriptions(ctx, acc.Tenant)
	if err != nil {
		return wire.Subscription{}, err
	}
	if len(have) >= maxSubscriptions {
		return wire.Subscription{}, hoadon.Errorf(hoadon.CodeConflict, "tenant %s has %d subscriptions, the most allowed", acc.Tenant, maxSubscriptions)
	}
	b := make([]byte, 8)
	rand.Read(b)
	id := hex.EncodeToString(b)
	secret := make([]byte, 32)
	rand.Read(secret)
	sub := store.Subscription{ID: id, Tenant: acc.Tenant, URL: req.URL, Types: types, CreatedAt: s.Now().UTC(),
		SealedKey: s.Box.Seal(secret, store.SubscriptionKeyLabel(acc.Tenant, id))}
	if err := s.Store.CreateSubscription(ctx, sub); err != nil {
		return wire.Subscription{}, err
	}
	s.subs.Remove(acc.Tenant)
	out := subscriptionWire(sub)
	out.SigningKey = base64.StdEncoding.EncodeToString(secret)
	return out, nil
}

// SubscriptionsFor lists the caller's tenant's subscribers (admin only);
// signing keys are never shown again.
func (s *Service) SubscriptionsFor(ctx context.Context, acc hoadon.Access) (wire.Subscriptions, error) {
	if err := acc.Allow(hoadon.PermAdmin); err != nil {
		return wire.Subscriptions{}, err
	}
	subs, err := s.Store.Subscriptions(ctx, acc.Tenant)
	if err != nil {
		return wire.Subscriptions{}, err
	}
	out := wire.Subscriptions{Subscriptions: make([]wire.Subscription, 0, len(subs))}
	for _, sub := range subs {
		out.Subscriptions = append(out.Subscriptions, subscriptionWire(sub))
	}
	return out, nil
}

// DeleteSubscriptionFor removes one of the caller's tenant's subscribers
// (admin only); another tenant's id is not found.
func (s *Service) DeleteSubscriptionFor(ctx context.Context, acc hoadon.Access, id string) error {
	if err := hoadon.ValidateID("subscription id", id); err != nil {
		return err
	}
	if err := acc.Allow(hoadon.PermAdmin); err != nil {
		return err
	}
	if err := s.Store.DeleteSubscription(ctx, acc.Tenant, id); err != nil {
		if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
			return hoadon.Errorf(hoadon.CodeNotFound, "no subscription with id %s", id)
		}
		return err
	}
	s.subs.Remove(acc.Tenant)
	return nil
}

func subscriptionWire(sub store.Subscription) wire.Subscription {
	types := sub.Types
	if types == nil {
		types = []string{}
	}
	return wire.Subscription{ID: sub.ID, URL: sub.URL, Types: types, KeyID: subscriptionKeyID(sub.ID), CreatedAt: sub.CreatedAt}
}

// eventTypes checks requested types against the catalogue, without
// repeats, in the catalogue's order.
func eventTypes(req []string) ([]string, error) {
	var out []string
	for _, t := range events.Types {
		if slices.Contains(req, string(t)) {
			out = append(out, string(t))
		}
	}
	for _, r := range req {
		if !slices.Contains(out, r) {
			return nil, hoadon.Errorf(hoadon.CodeInvalid, "unknown event type %q", r)
		}
	}
	return out, nil
}
