package httpsig

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	sfv "github.com/dunglas/httpsfv"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// KeyResolver finds the verifying key for a key id. It returns an error with
// CodeNotFound (or any non-transient code) for an unknown id, which Verify
// reports as ErrUnknownKey, and CodeTransient when the key store is down, which
// Verify passes on so the sender retries.
type KeyResolver interface {
	ResolveKey(ctx context.Context, keyID string) (Key, error)
}

// StaticKeys is a KeyResolver over a fixed map, for keys from configuration.
type StaticKeys map[string]Key

// ResolveKey implements KeyResolver.
func (s StaticKeys) ResolveKey(_ context.Context, keyID string) (Key, error) {
	k, ok := s[keyID]
	if !ok {
		return Key{}, hoadon.Errorf(hoadon.CodeNotFound, "key id %q is not configured", keyID)
	}
	return k.Public(), nil
}

// Defaults for the zero values of Verifier fields.
const (
	DefaultMaxAge = 5 * time.Minute
	DefaultSkew   = time.Minute
)

// Verifier checks signed requests on the consumer side. Configure it once;
// it is safe for concurrent use if Keys and Replay are.
type Verifier struct {
	Keys               KeyResolver
	MaxAge             time.Duration    // oldest acceptable "created"; 0 means DefaultMaxAge
	Clock              func() time.Time // nil means time.Now
	RequiredComponents []string         // nil means DefaultComponents
	Replay             ReplayChecker    // nil disables nonce checks (and does not require a nonce)

	Label               string        // signature to check; "" means the first in Signature-Input
	Tag                 string        // if set, the "tag" parameter must equal it
	Skew                time.Duration // tolerated clock difference; 0 means DefaultSkew
	TrustForwardedProto bool          // take the scheme from X-Forwarded-Proto (behind Cloud Run's TLS front end)

	// TargetURI pins "@target-uri": when set, the signature must cover it
	// and is checked against this URL (the one the subscriber registered)
	// instead of one rebuilt from the request's Host and scheme, so a
	// signature made for another subscriber's URL never verifies here, and
	// no proxy header is trusted.
	TargetURI string
}

// Result describes a verified signature.
type Result struct {
	Label      string
	KeyID      string
	Alg        Algorithm
	Created    time.Time
	Expires    time.Time // zero when the signature has no expiry
	Nonce      string
	Tag        string
	Components []string // covered components, in signed order
}

// Covers reports whether the signature covers component name.
func (r *Result) Covers(name string) bool { return slices.Contains(r.Components, name) }

// Verify checks r's signature and, through Content-Digest, that body is the
// body that was signed. body must be the complete request body, already read
// by the caller. Every refusal is a *hoadon.Error with CodeUnauthorized that
// wraps one of the Err* sentinels.
func (v *Verifier) Verify(r *http.Request, body []byte) (*Result, error) {
	sig, err := parseSignature(r.Header, v.Label)
	if err != nil {
		return nil, err
	}
	res := sig.result()
	if err := v.checkRequirements(res); err != nil {
		return nil, err
	}
	key, err := v.resolve(r.Context(), res)
	if err != nil {
		return nil, err
	}
	m := newMessage(r, v.TrustForwardedProto)
	m.targetURI = v.TargetURI
	base, err := signatureBase(m, sig.input)
	if err != nil {
		return nil, refuse(ErrMalformed, "%v", err)
	}
	if !key.verify(base, sig.value) {
		return nil, refuse(ErrBadSignature, "label %q, key id %q", res.Label, res.KeyID)
	}
	if err := v.checkDigest(r, body, res); err != nil {
		return nil, err
	}
	if err := v.checkTime(res); err != nil {
		return nil, err
	}
	if err := v.checkReplay(r.Context(), res); err != nil {
		return nil, err
	}
	return res, nil
}

// checkRequirements runs the checks that need no key: covered components,
// mandatory parameters, tag.
func (v *Verifier) checkRequirements(res *Result) error {
	req := v.RequiredComponents
	if req == nil {
		req = DefaultComponents
	}
	if v.TargetURI != "" {
		req = append(slices.Clip(req), "@target-uri")
	}
	for _, c := range req {
		if !res.Covers(strings.ToLower(c)) {
			return refuse(ErrMissingComponent, "%q is not covered (covered: %s)", c, strings.Join(res.Components, " "))
		}
	}
	switch {
	case res.KeyID == "":
		return refuse(ErrMissingParam, "no keyid")
	case res.Created.IsZero():
		return refuse(ErrMissingParam, "no created")
	case v.Replay != nil && res.Nonce == "":
		return refuse(ErrMissingParam, "no nonce (replay protection is on)")
	case v.Tag != "" && res.Tag != v.Tag:
		return refuse(ErrTagMismatch, "tag %q, want %q", res.Tag, v.Tag)
	}
	return nil
}

func (v *Verifier) resolve(ctx context.Context, res *Result) (Key, error) {
	if v.Keys == nil {
		return Key{}, refuse(ErrUnknownKey, "no key resolver configured")
	}
	key, err := v.Keys.ResolveKey(ctx, res.KeyID)
	if err != nil {
		if hoadon.ErrorCode(err) == hoadon.CodeTransient {
			return Key{}, hoadon.Wrap(hoadon.CodeTransient, err, "httpsig: resolve key "+res.KeyID)
		}
		return Key{}, refuse(ErrUnknownKey, "%q", res.KeyID)
	}
	if res.Alg != "" && res.Alg != key.Alg() {
		return Key{}, refuse(ErrAlgMismatch, "signature says %q, key %q is %q", res.Alg, res.KeyID, key.Alg())
	}
	return key, nil
}

// checkDigest verifies the body against Content-Digest when the digest is
// signed (it must then be present and match) and also when it is merely
// present. A body with no digest at all is accepted only if the caller chose
// RequiredComponents without "content-digest".
func (v *Verifier) checkDigest(r *http.Request, body []byte, res *Result) error {
	if !res.Covers("content-digest") && len(r.Header.Values("Content-Digest")) == 0 {
		return nil
	}
	return VerifyContentDigest(r.Header, body)
}

func (v *Verifier) checkTime(res *Result) error {
	now := v.now()
	skew := or(v.Skew, DefaultSkew)
	maxAge := or(v.MaxAge, DefaultMaxAge)
	switch {
	case res.Created.After(now.Add(skew)):
		return refuse(ErrFuture, "created %s, now %s", res.Created.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case now.Sub(res.Created) > maxAge+skew:
		return refuse(ErrTooOld, "created %s ago, limit %s", now.Sub(res.Created).Truncate(time.Second), maxAge)
	case !res.Expires.IsZero() && now.After(res.Expires.Add(skew)):
		return refuse(ErrExpired, "expired at %s", res.Expires.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkReplay records the nonce until the signature could no longer pass the
// age check anyway, so the replay store stays bounded.
func (v *Verifier) checkReplay(ctx context.Context, res *Result) error {
	if v.Replay == nil {
		return nil
	}
	until := res.Created.Add(or(v.MaxAge, DefaultMaxAge) + 2*or(v.Skew, DefaultSkew))
	seen, err := v.Replay.Seen(ctx, res.KeyID+" "+res.Nonce, until)
	if err != nil {
		return hoadon.Wrap(hoadon.CodeTransient, err, "httpsig: replay check")
	}
	if seen {
		return refuse(ErrReplay, "key id %q", res.KeyID)
	}
	return nil
}

func (v *Verifier) now() time.Time {
	if v.Clock != nil {
		return v.Clock()
	}
	return time.Now()
}

// parsedSignature is one labelled signature taken from the headers, with
// every parameter type-checked.
type parsedSignature struct {
	label string
	input sfv.InnerList
	value []byte
}

func parseSignature(h http.Header, label string) (*parsedSignature, error) {
	inLines, sigLines := h.Values("Signature-Input"), h.Values("Signature")
	if len(inLines) == 0 || len(sigLines) == 0 {
		return nil, refuse(ErrNoSignature, "Signature-Input and Signature headers are required")
	}
	inputs, err := sfv.UnmarshalDictionary(inLines)
	if err != nil {
		return nil, refuse(ErrMalformed, "Signature-Input: %v", err)
	}
	sigs, err := sfv.UnmarshalDictionary(sigLines)
	if err != nil {
		return nil, refuse(ErrMalformed, "Signature: %v", err)
	}
	if label == "" {
		names := inputs.Names()
		if len(names) == 0 {
			return nil, refuse(ErrNoSignature, "Signature-Input is empty")
		}
		label = names[0]
	}
	il, err := innerList(inputs, label)
	if err != nil {
		return nil, refuse(ErrNoSignature, "%v", err)
	}
	m, ok := sigs.Get(label)
	if !ok {
		return nil, refuse(ErrNoSignature, "no Signature for label %q", label)
	}
	item, isItem := m.(sfv.Item)
	value, isBytes := item.Value.([]byte)
	if !isItem || !isBytes {
		return nil, refuse(ErrMalformed, "Signature %q is not a byte sequence", label)
	}
	if err := checkParams(il); err != nil {
		return nil, err
	}
	return &parsedSignature{label: label, input: il, value: value}, nil
}

// checkParams type-checks the parameters RFC 9421 §2.3 defines; unknown
// ones are allowed (they are signed like the rest).
func checkParams(il sfv.InnerList) error {
	if il.Params == nil {
		return nil
	}
	for _, name := range il.Params.Names() {
		v, _ := il.Params.Get(name)
		var ok bool
		switch name {
		case ParamCreated, ParamExpires:
			var n int64
			n, ok = v.(int64)
			ok = ok && n >= 0
		case ParamNonce, ParamAlg, ParamKeyID, ParamTag:
			_, ok = v.(string)
		default:
			ok = true
		}
		if !ok {
			return refuse(ErrMalformed, "parameter %q has the wrong type", name)
		}
	}
	for _, item := range il.Items {
		if _, err := componentName(item); err != nil {
			return refuse(ErrMalformed, "%v", err)
		}
	}
	return nil
}

func (p *parsedSignature) result() *Result {
	res := &Result{Label: p.label}
	for _, item := range p.input.Items {
		res.Components = append(res.Components, item.Value.(string))
	}
	params := p.input.Params
	if params == nil {
		return res
	}
	str := func(name string) string { v, _ := params.Get(name); s, _ := v.(string); return s }
	unix := func(name string) time.Time {
		if v, ok := params.Get(name); ok {
			return time.Unix(v.(int64), 0)
		}
		return time.Time{}
	}
	res.KeyID, res.Nonce, res.Tag = str(ParamKeyID), str(ParamNonce), str(ParamTag)
	res.Alg = Algorithm(str(ParamAlg))
	res.Created, res.Expires = unix(ParamCreated), unix(ParamExpires)
	return res
}
