package httpsig

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	sfv "github.com/dunglas/httpsfv"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// DefaultComponents are covered when a Signer names none and required when a
// Verifier names none: what was called, where, and the exact body (through
// its digest) with its media type.
var DefaultComponents = []string{"@method", "@target-uri", "content-type", "content-digest"}

// Signature parameter names (RFC 9421 §2.3).
const (
	ParamCreated = "created"
	ParamExpires = "expires"
	ParamNonce   = "nonce"
	ParamAlg     = "alg"
	ParamKeyID   = "keyid"
	ParamTag     = "tag"
)

// DefaultParams are the signature parameters a Signer adds when it names
// none, in this order.
var DefaultParams = []string{ParamCreated, ParamExpires, ParamNonce, ParamAlg, ParamKeyID, ParamTag}

// Defaults for the zero values of Signer fields.
const (
	DefaultLabel  = "sig1"
	DefaultTag    = "hoadon-event"
	DefaultExpiry = 5 * time.Minute
)

// Signer adds Content-Digest, Signature-Input and Signature to requests. One
// Signer is safe for concurrent use once configured. Sign each delivery
// attempt again: a retry with the old nonce is refused as a replay.
type Signer struct {
	KeyID      string           // the "keyid" parameter; consumers look the key up by it
	Key        Key              // private key or shared secret
	Alg        Algorithm        // must equal Key.Alg(); empty means Key.Alg()
	Components []string         // covered components; nil means DefaultComponents
	Clock      func() time.Time // nil means time.Now

	Label   string                 // signature label; "" means DefaultLabel
	Params  []string               // parameters to add, in order; nil means DefaultParams
	Tag     string                 // the "tag" parameter; "" means DefaultTag
	Expiry  time.Duration          // expires = created + Expiry; 0 means DefaultExpiry
	Digests []DigestAlg            // Content-Digest algorithms; nil means sha-256
	Nonce   func() (string, error) // nil means 128 random bits, base64url

	// CoverHeaderPrefixes adds every request header whose lower-case name
	// starts with one of these prefixes to the covered components (sorted,
	// after Components), e.g. "ce-" so that all CloudEvents attributes of a
	// binary-mode event are signed, extensions included.
	CoverHeaderPrefixes []string
}

// Sign sets r's Content-Digest from body (which must be what r will send),
// then adds a signature under s.Label to Signature-Input and Signature,
// keeping signatures with other labels already present.
func (s *Signer) Sign(r *http.Request, body []byte) error {
	if err := s.check(); err != nil {
		return err
	}
	cd, err := ContentDigest(body, s.Digests...)
	if err != nil {
		return err
	}
	r.Header.Set("Content-Digest", cd)
	input, err := s.input(r.Header)
	if err != nil {
		return err
	}
	base, err := signatureBase(newMessage(r, false), input)
	if err != nil {
		return hoadon.Errorf(hoadon.CodeInvalid, "httpsig.Sign: %w", err)
	}
	sig, err := s.Key.sign(base)
	if err != nil {
		return err
	}
	return s.setHeaders(r.Header, input, sig)
}

func (s *Signer) check() error {
	switch {
	case s.KeyID == "":
		return hoadon.Errorf(hoadon.CodeInvalid, "httpsig.Sign: empty key id")
	case !s.Key.CanSign():
		return hoadon.Errorf(hoadon.CodeInvalid, "httpsig.Sign: key %q holds no private material", s.KeyID)
	case s.Alg != "" && s.Alg != s.Key.Alg():
		return hoadon.Errorf(hoadon.CodeInvalid, "httpsig.Sign: alg %q but key %q is %q", s.Alg, s.KeyID, s.Key.Alg())
	}
	return nil
}

// input builds the Signature-Input inner list: covered components, then
// the parameters in the configured order.
func (s *Signer) input(h http.Header) (sfv.InnerList, error) {
	il := sfv.InnerList{Params: sfv.NewParams()}
	for _, c := range s.components(h) {
		il.Items = append(il.Items, sfv.NewItem(c))
	}
	params := s.Params
	if params == nil {
		params = DefaultParams
	}
	created := s.now()
	for _, p := range params {
		v, err := s.param(p, created)
		if err != nil {
			return il, err
		}
		il.Params.Add(p, v)
	}
	return il, nil
}

// components lists the covered components: Components (or the defaults),
// then the headers matched by CoverHeaderPrefixes, without duplicates.
func (s *Signer) components(h http.Header) []string {
	comps := s.Components
	if comps == nil {
		comps = DefaultComponents
	}
	out := make([]string, 0, len(comps)+len(h))
	for _, c := range comps {
		out = append(out, strings.ToLower(c))
	}
	var extra []string
	for name := range h {
		lower := strings.ToLower(name)
		for _, p := range s.CoverHeaderPrefixes {
			if strings.HasPrefix(lower, strings.ToLower(p)) && !slices.Contains(out, lower) {
				extra = append(extra, lower)
				break
			}
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

func (s *Signer) param(name string, created time.Time) (any, error) {
	switch name {
	case ParamCreated:
		return created.Unix(), nil
	case ParamExpires:
		return created.Add(or(s.Expiry, DefaultExpiry)).Unix(), nil
	case ParamNonce:
		return s.nonce()
	case ParamAlg:
		return string(s.Key.Alg()), nil
	case ParamKeyID:
		return s.KeyID, nil
	case ParamTag:
		return or(s.Tag, DefaultTag), nil
	}
	return nil, hoadon.Errorf(hoadon.CodeInvalid, "httpsig.Sign: unknown signature parameter %q", name)
}

func (s *Signer) setHeaders(h http.Header, input sfv.InnerList, sig []byte) error {
	label := or(s.Label, DefaultLabel)
	inputs, sigs := sfv.NewDictionary(), sfv.NewDictionary()
	if old, err := sfv.UnmarshalDictionary(h.Values("Signature-Input")); err == nil {
		inputs = old
	}
	if old, err := sfv.UnmarshalDictionary(h.Values("Signature")); err == nil {
		sigs = old
	}
	inputs.Add(label, input)
	sigs.Add(label, sfv.NewItem(sig))
	in, err := sfv.Marshal(inputs)
	if err != nil {
		return hoadon.Errorf(hoadon.CodeInvalid, "httpsig.Sign: serialise Signature-Input: %w", err)
	}
	out, err := sfv.Marshal(sigs)
	if err != nil {
		return hoadon.Errorf(hoadon.CodeInternal, "httpsig.Sign: serialise Signature: %w", err)
	}
	h.Set("Signature-Input", in)
	h.Set("Signature", out)
	return nil
}

func (s *Signer) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

func (s *Signer) nonce() (string, error) {
	if s.Nonce != nil {
		return s.Nonce()
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", hoadon.Errorf(hoadon.CodeInternal, "httpsig.Sign: nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Transport is an http.RoundTripper that signs every request before sending
// it, so any HTTP client (the CloudEvents SDK's included) delivers signed
// requests. The request body is read once and replayed.
type Transport struct {
	Signer *Signer
	Base   http.RoundTripper // nil means http.DefaultTransport
}

// RoundTrip signs a clone of req (a RoundTripper must not modify its input)
// and sends it.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("httpsig.Transport: read body: %w", err)
		}
		body = b
	}
	out := req.Clone(req.Context())
	out.Body, out.ContentLength = http.NoBody, 0
	if len(body) > 0 {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.ContentLength = int64(len(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if err := t.Signer.Sign(out, body); err != nil {
		return nil, fmt.Errorf("httpsig.Transport: %w", err)
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(out)
}
