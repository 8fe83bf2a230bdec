package sink

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"cloud.google.com/go/firestore"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
)

// Handler is the event sink: an http.Handler that verifies, de-duplicates
// and records hoadon's signed CloudEvents. It is safe for concurrent use and
// several instances on one Firestore database agree on nonces and event ids.
//
// Answers: 200 with {"status":"recorded"|"duplicate","id","type"} when the
// event is (or already was) recorded; 405 for anything but POST; 401 for a
// missing, malformed, unknown-key, tampered, stale or replayed signature;
// 400 for a verified request that is not one of hoadon's events; 503 when
// Firestore is unavailable (the sender retries). Errors are JSON
// {"error","code"}.
type Handler struct {
	verifier *httpsig.Verifier
	store    *Store
	log      *slog.Logger
}

// New builds a Handler recording into fs, with nonces in replay/ and events
// in received/. ctx is not kept: New only assembles the parts and does not
// call Firestore, so a cold start stays fast.
func New(ctx context.Context, fs *firestore.Client, cfg Config) (*Handler, error) {
	switch {
	case fs == nil:
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "sink.New: no Firestore client")
	case len(cfg.Keys) == 0:
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "sink.New: no verifying keys (set %s)", EnvKeys)
	case cfg.MaxAge < 0:
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "sink.New: negative MaxAge %s", cfg.MaxAge)
	}
	now := cfg.Clock
	if now == nil {
		now = time.Now
	}
	tag := cfg.Tag
	if tag == "" {
		tag = httpsig.DefaultTag
	}
	logger := cfg.Logger
	if logger == nil {
		logger = NewLogger(nil)
	}
	v := &httpsig.Verifier{
		Keys:                keyIDRecorder{cfg.Keys},
		MaxAge:              cfg.MaxAge,
		Clock:               now,
		Replay:              NewFirestoreReplay(fs, ColReplay, now),
		Tag:                 tag,
		TrustForwardedProto: cfg.TrustForwardedProto,
		TargetURI:           cfg.URL,
	}
	return &Handler{verifier: v, store: NewStore(fs, now), log: logger}, nil
}

// Store returns the store the handler records into, for queries.
func (h *Handler) Store() *Store { return h.store }

// response is the JSON body of a 200.
type response struct {
	Status string `json:"status"` // "recorded" or "duplicate"
	ID     string `json:"id"`
	Type   string `json:"type"`
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed,
			hoadon.Errorf(hoadon.CodeInvalid, "sink: method %s not allowed, use POST", r.Method))
		return
	}
	r, keyID := withKeyIDSlot(r)
	e, err := events.Receive(r, h.verifier)
	if err != nil {
		h.refuse(w, r, 0, err)
		return
	}
	rec, err := toRecord(e)
	if err != nil {
		h.refuse(w, r, 0, err)
		return
	}
	rec.KeyID = *keyID
	dup, err := h.store.Record(r.Context(), rec)
	if err != nil {
		h.refuse(w, r, 0, err)
		return
	}
	res := response{Status: "recorded", ID: rec.ID, Type: rec.Type}
	if dup {
		res.Status = "duplicate"
	}
	h.log.InfoContext(r.Context(), "event "+res.Status, "event_id", rec.ID, "event_type", rec.Type,
		"import_id", rec.ImportID, "subject", rec.Subject, "key_id", rec.KeyID, "duplicate", dup)
	writeJSON(w, http.StatusOK, res)
}

// toRecord checks that a verified CloudEvent is one of hoadon's (a
// catalogue type whose data matches its envelope and whose id is the
// deterministic id of that change) and turns it into a record.
func toRecord(e event.Event) (Received, error) {
	d, err := events.Decode(e)
	if err != nil {
		return Received{}, err
	}
	importID := d.EventImportID()
	if want := events.ID(importID, d.EventType(), d.EventSubject()); e.ID() != want {
		return Received{}, hoadon.Errorf(hoadon.CodeInvalid,
			"sink: event id %q is not the id of this %s event (want %s)", e.ID(), e.Type(), want)
	}
	return Received{ID: e.ID(), Type: e.Type(), Subject: e.Subject(), Source: e.Source(),
		ImportID: importID, EventTime: e.Time(), Data: json.RawMessage(e.Data())}, nil
}

// refuse answers an error as JSON and logs why. status 0 means the status of
// err's code. 5xx answers carry a generic message: the detail (a Firestore
// error) goes to the log only.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, err error) {
	code := hoadon.ErrorCode(err)
	if status == 0 {
		status = hoadon.HTTPStatus(code)
	}
	msg := hoadon.ErrorMessage(err)
	level := slog.LevelWarn
	if status >= 500 {
		level = slog.LevelError
		msg = "the event could not be recorded; retry later"
	}
	h.log.Log(r.Context(), level, "event refused", "status", status, "code", string(code),
		"reason", err.Error(), "method", r.Method, "path", r.URL.Path)
	writeJSON(w, status, map[string]string{"error": msg, "code": string(code)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// keyIDSlot carries, in a request's context, the key id the verifier
// resolved, so the record can say which key vouched for the event without
// parsing Signature-Input a second time.
type keyIDSlot struct{}

func withKeyIDSlot(r *http.Request) (*http.Request, *string) {
	slot := new(string)
	return r.WithContext(context.WithValue(r.Context(), keyIDSlot{}, slot)), slot
}

// keyIDRecorder is a KeyResolver that notes the key id it was asked for in
// the request's slot. The id is only used after the signature verified.
type keyIDRecorder struct{ keys httpsig.KeyResolver }

// ResolveKey implements httpsig.KeyResolver.
func (k keyIDRecorder) ResolveKey(ctx context.Context, keyID string) (httpsig.Key, error) {
	if slot, ok := ctx.Value(keyIDSlot{}).(*string); ok {
		*slot = keyID
	}
	return k.keys.ResolveKey(ctx, keyID)
}
