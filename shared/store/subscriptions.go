package store

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

const colSubscriptions = "subscriptions"

// Subscription is a webhook subscriber of one tenant
// (tenants/{tenant}/subscriptions/{id}). Its signing key is stored sealed
// (secret.Box, label SubscriptionKeyLabel).
type Subscription struct {
	ID        string        `firestore:"id"`
	Tenant    hoadon.Tenant `firestore:"tenant"`
	URL       string        `firestore:"url"`
	Types     []string      `firestore:"types"` // event types delivered; empty: every type
	SealedKey string        `firestore:"sealed_key"`
	CreatedAt time.Time     `firestore:"created_at"`
}

// Wants reports whether the subscriber receives events of type typ.
func (s Subscription) Wants(typ string) bool {
	if len(s.Types) == 0 {
		return true
	}
	for _, t := range s.Types {
		if t == typ {
			return true
		}
	}
	return false
}

// SubscriptionKeyLabel binds a sealed signing key to its subscription, so
// a sealed key copied to another subscription does not open.
func SubscriptionKeyLabel(t hoadon.Tenant, id string) string {
	return "subscription|" + string(t.OrDefault()) + "|" + id
}

func (s *Store) subscriptionRef(t hoadon.Tenant, id string) *firestore.DocumentRef {
	return s.tenantRef(t).Collection(colSubscriptions).Doc(id)
}

// CreateSubscription stores a new subscription of sub.Tenant.
func (s *Store) CreateSubscription(ctx context.Context, sub Subscription) error {
	sub.Tenant = sub.Tenant.OrDefault()
	_, err := s.subscriptionRef(sub.Tenant, sub.ID).Create(ctx, sub)
	return gcp.Classify("store.CreateSubscription", err)
}

// Subscriptions lists a tenant's subscriptions by id.
func (s *Store) Subscriptions(ctx context.Context, t hoadon.Tenant) ([]Subscription, error) {
	docs, err := QuerySubscriptionsByID.On(s.tenantRef(t)).Documents(ctx).GetAll()
	if err != nil {
		return nil, gcp.Classify("store.Subscriptions", err)
	}
	out := make([]Subscription, 0, len(docs))
	for _, d := range docs {
		var sub Subscription
		if err := d.DataTo(&sub); err != nil {
			return nil, gcp.Classify("store.Subscriptions", err)
		}
		out = append(out, sub)
	}
	return out, nil
}

// DeleteSubscription removes one of a tenant's subscriptions; CodeNotFound
// if the tenant has none with that id.
func (s *Store) DeleteSubscription(ctx context.Context, t hoadon.Tenant, id string) error {
	_, err := s.subscriptionRef(t, id).Delete(ctx, firestore.Exists)
	return gcp.Classify("store.DeleteSubscription", err)
}
