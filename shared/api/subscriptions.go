package api

import (
	"net/http"

	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/web"
	"github.com/hoadon/hoadon/shared/wire"
)

// subscriptionRoutes serves the webhook subscribers of the caller's tenant
// (admin role):
//
//	POST   /api/subscriptions        {"url", "types"}: 201 with the signing key, shown this once
//	GET    /api/subscriptions        the tenant's subscribers, without keys
//	DELETE /api/subscriptions/{id}   remove one (404 for another tenant's)
func (s *Server) subscriptionRoutes() {
	s.handle("POST /api/subscriptions", s.createSubscription)
	s.handle("GET /api/subscriptions", s.listSubscriptions)
	s.handle("DELETE /api/subscriptions/{id}", s.deleteSubscription)
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body wire.SubscriptionRequest
	if err := web.DecodeJSON(r, &body); err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	out, err := s.svc.CreateSubscriptionFor(ctx, access(ctx), body)
	if err != nil {
		web.WriteError(ctx, w, s.log, err)
		return
	}
	w.Header().Set("Location", "/api/subscriptions/"+out.ID)
	web.WriteJSON(w, http.StatusCreated, out)
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	answer(ctx, w, s, func() (wire.Subscriptions, error) { return s.svc.SubscriptionsFor(ctx, access(ctx)) })
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctx := logx.With(r.Context(), "subscription", id)
	answer(ctx, w, s, func() (map[string]any, error) {
		return map[string]any{"id": id, "status": "deleted"}, s.svc.DeleteSubscriptionFor(ctx, access(ctx), id)
	})
}
