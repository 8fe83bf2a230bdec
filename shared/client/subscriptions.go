package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/hoadon/hoadon/shared/wire"
)

// CreateSubscription adds a webhook subscriber to the key's tenant (POST
// /api/subscriptions); the answer holds its signing key, shown this once.
func (c *Client) CreateSubscription(ctx context.Context, body wire.SubscriptionRequest) (wire.Subscription, error) {
	var out wire.Subscription
	_, err := c.call(ctx, http.MethodPost, "/api/subscriptions", body, &out, nil)
	return out, err
}

// Subscriptions lists the key's tenant's subscribers (GET /api/subscriptions).
func (c *Client) Subscriptions(ctx context.Context) ([]wire.Subscription, error) {
	var out wire.Subscriptions
	_, err := c.call(ctx, http.MethodGet, "/api/subscriptions", nil, &out, nil)
	return out.Subscriptions, err
}

// DeleteSubscription removes one subscriber (DELETE /api/subscriptions/{id}).
func (c *Client) DeleteSubscription(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/api/subscriptions/"+url.PathEscape(id), nil, nil, nil)
	return err
}
