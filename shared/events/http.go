package events

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
)

// MaxBodyBytes bounds a received event body. hoadon's events are a few
// hundred bytes; anything near this limit is not one of them.
const MaxBodyBytes = 1 << 20

// NewRequest encodes e as a binary-mode CloudEvents HTTP POST to url: the
// attributes as ce-* headers, the data as the body, Content-Type the data
// content type. It returns the body bytes too, which signing needs.
func NewRequest(ctx context.Context, url string, e event.Event) (*http.Request, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return nil, nil, hoadon.Errorf(hoadon.CodeInvalid, "events.NewRequest: %w", err)
	}
	if err := cehttp.WriteRequest(ctx, binding.ToMessage(&e), req); err != nil {
		return nil, nil, hoadon.Errorf(hoadon.CodeInvalid, "events.NewRequest: encode %s: %w", e.ID(), err)
	}
	var body []byte
	if req.Body != nil {
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, nil, hoadon.Errorf(hoadon.CodeInternal, "events.NewRequest: %w", err)
		}
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return req, body, nil
}

// subscriberKeyInfo is the HKDF info, before the subscriber's URL, that
// derives an environment subscriber's HMAC key from the signing key: change
// the version if the derivation changes.
const subscriberKeyInfo = "hoadon webhook key v1 "

// SubscriberSigner returns a copy of s that signs for the subscriber at url
// alone. With an HMAC key its key is derived from s's and the exact URL
// (httpsig.Key.Derive, info "hoadon webhook key v1 " + url), so the
// subscribers of one signing key each verify with their own secret and
// none can forge events to another; an Ed25519 key stays as it is (its
// subscribers hold only the public key). SubscriberKey gives the key to
// hand to that subscriber.
func SubscriberSigner(s *httpsig.Signer, url string) (*httpsig.Signer, error) {
	k, err := s.Key.Derive(subscriberKeyInfo + url)
	if err != nil {
		return nil, err
	}
	c := *s
	c.Key = k
	return &c, nil
}

// SubscriberKey is the verifying key of the subscriber at url under the
// signing key k: what SubscriberSigner signs its deliveries with (its
// public half for Ed25519).
func SubscriberKey(k httpsig.Key, url string) (httpsig.Key, error) {
	d, err := k.Derive(subscriberKeyInfo + url)
	return d.Public(), err
}

// Signer returns a copy of s that also covers every ce-* header, so that no
// CloudEvents attribute of a binary-mode request can be changed without
// breaking the signature. Use it for SignedRequest or an httpsig.Transport
// under the CloudEvents SDK client.
func Signer(s *httpsig.Signer) *httpsig.Signer {
	c := *s
	c.CoverHeaderPrefixes = append([]string{"ce-"}, s.CoverHeaderPrefixes...)
	return &c
}

// SignedRequest is NewRequest followed by signing with Signer(s): the
// request carries Content-Digest, Signature-Input and Signature. Build a
// new one for each delivery attempt (a fresh nonce and created time).
func SignedRequest(ctx context.Context, url string, e event.Event, s *httpsig.Signer) (*http.Request, error) {
	req, body, err := NewRequest(ctx, url, e)
	if err != nil {
		return nil, err
	}
	if err := Signer(s).Sign(req, body); err != nil {
		return nil, err
	}
	return req, nil
}

// Receive verifies and decodes an event delivered to a consumer: the body is
// read (at most MaxBodyBytes), the RFC 9421 signature and the Content-Digest
// are checked by v, every ce-* header must be covered by the signature, and
// only then is the CloudEvent decoded and validated. Signature failures are
// CodeUnauthorized (answer 401); a request that verifies but is not a valid
// CloudEvent is CodeInvalid (answer 400).
func Receive(r *http.Request, v *httpsig.Verifier) (event.Event, error) {
	if v == nil {
		return event.Event{}, hoadon.Errorf(hoadon.CodeInternal, "events.Receive: no verifier configured")
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return event.Event{}, hoadon.Errorf(hoadon.CodeInvalid, "events.Receive: body over %d bytes", MaxBodyBytes)
		}
		return event.Event{}, hoadon.Errorf(hoadon.CodeTransient, "events.Receive: read body: %w", err)
	}
	res, err := v.Verify(r, body)
	if err != nil {
		return event.Event{}, err
	}
	if err := checkAttributesSigned(r.Header, res); err != nil {
		return event.Event{}, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	e, err := binding.ToEvent(r.Context(), cehttp.NewMessageFromHttpRequest(r))
	if err != nil {
		return event.Event{}, hoadon.Errorf(hoadon.CodeInvalid, "events.Receive: not a CloudEvent: %w", err)
	}
	if err := e.Validate(); err != nil {
		return event.Event{}, hoadon.Errorf(hoadon.CodeInvalid, "events.Receive: invalid CloudEvent: %w", err)
	}
	return *e, nil
}

// checkAttributesSigned refuses an event whose body is not bound to the
// signature through content-digest (whatever the verifier's own
// requirements), and a binary-mode event whose attributes are not all covered
// (an unsigned ce-type could relabel a signed body). A structured-mode event
// has its attributes in the signed body.
func checkAttributesSigned(h http.Header, res *httpsig.Result) error {
	if !res.Covers("content-digest") {
		return &hoadon.Error{Code: hoadon.CodeUnauthorized, Err: httpsig.ErrMissingComponent,
			Message: `events.Receive: "content-digest" is not covered by the signature`}
	}
	for name := range h {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "ce-") && !res.Covers(lower) {
			return &hoadon.Error{Code: hoadon.CodeUnauthorized, Err: httpsig.ErrMissingComponent,
				Message: "events.Receive: CloudEvents attribute header " + lower + " is not covered by the signature"}
		}
	}
	return nil
}
