package httpsig_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// testKeys returns a signing key and its verifying half for alg, derived
// from fixed seeds so failures reproduce.
func testKeys(t testing.TB, alg httpsig.Algorithm, seed byte) (priv, pub httpsig.Key) {
	t.Helper()
	material := bytes.Repeat([]byte{seed}, 32)
	var err error
	switch alg {
	case httpsig.Ed25519:
		priv, err = httpsig.Ed25519PrivateKey(ed25519.NewKeyFromSeed(material))
	default:
		priv, err = httpsig.HMACKey(material)
	}
	if err != nil {
		t.Fatal(err)
	}
	return priv, priv.Public()
}

type fixture struct {
	signer   *httpsig.Signer
	verifier *httpsig.Verifier
	now      *time.Time
}

func newFixture(t testing.TB, alg httpsig.Algorithm) *fixture {
	priv, pub := testKeys(t, alg, 7)
	now := t0
	clock := func() time.Time { return now }
	return &fixture{
		signer: &httpsig.Signer{KeyID: "hoadon-1", Key: priv, Clock: clock},
		verifier: &httpsig.Verifier{
			Keys:   httpsig.StaticKeys{"hoadon-1": pub},
			Clock:  clock,
			Replay: httpsig.NewMemoryReplay(clock),
			Tag:    httpsig.DefaultTag,
		},
		now: &now,
	}
}

func newRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "https://sink.example/events?x=1", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// signed returns a freshly signed request and its body.
func (f *fixture) signed(t testing.TB) (*http.Request, []byte) {
	t.Helper()
	body := []byte(`{"invoice":"0101234567_1_C26TAA_42"}`)
	r := newRequest(string(body))
	if err := f.signer.Sign(r, body); err != nil {
		t.Fatal(err)
	}
	return r, body
}

func TestVerifyAccepts(t *testing.T) {
	for _, alg := range []httpsig.Algorithm{httpsig.Ed25519, httpsig.HMACSHA256} {
		t.Run(string(alg), func(t *testing.T) {
			f := newFixture(t, alg)
			r, body := f.signed(t)
			res, err := f.verifier.Verify(r, body)
			if err != nil {
				t.Fatal(err)
			}
			if res.KeyID != "hoadon-1" || res.Alg != alg || res.Tag != httpsig.DefaultTag || res.Nonce == "" ||
				!res.Created.Equal(t0) || !res.Expires.Equal(t0.Add(httpsig.DefaultExpiry)) {
				t.Errorf("result = %+v", res)
			}
			for _, c := range httpsig.DefaultComponents {
				if !res.Covers(c) {
					t.Errorf("%q not covered", c)
				}
			}
		})
	}
}

// TestVerifyRefuses runs every refusal with both algorithms; each case
// mutates a correctly signed request (or the verifier) and names the reason
// and a fragment of the message a consumer would log.
func TestVerifyRefuses(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(t *testing.T, f *fixture, r *http.Request, body []byte) []byte
		reason error
		msg    string
	}{
		{"tampered body", func(_ *testing.T, _ *fixture, _ *http.Request, b []byte) []byte {
			return bytes.Replace(b, []byte("42"), []byte("43"), 1)
		}, httpsig.ErrDigestMismatch, "content digest does not match"},
		{"tampered content-type", func(_ *testing.T, _ *fixture, r *http.Request, b []byte) []byte {
			r.Header.Set("Content-Type", "text/plain")
			return b
		}, httpsig.ErrBadSignature, "signature does not verify"},
		{"tampered digest header", func(_ *testing.T, _ *fixture, r *http.Request, b []byte) []byte {
			b = append(b, ' ')
			cd, _ := httpsig.ContentDigest(b)
			r.Header.Set("Content-Digest", cd)
			return b
		}, httpsig.ErrBadSignature, "signature does not verify"},
		{"other path", func(_ *testing.T, _ *fixture, r *http.Request, b []byte) []byte {
			r.URL.Path = "/other"
			return b
		}, httpsig.ErrBadSignature, "signature does not verify"},
		{"other host", func(_ *testing.T, _ *fixture, r *http.Request, b []byte) []byte {
			r.Host = "evil.example"
			return b
		}, httpsig.ErrBadSignature, "signature does not verify"},
		{"wrong key", func(t *testing.T, f *fixture, _ *http.Request, b []byte) []byte {
			_, other := testKeys(t, f.signer.Key.Alg(), 8)
			f.verifier.Keys = httpsig.StaticKeys{"hoadon-1": other}
			return b
		}, httpsig.ErrBadSignature, `key id "hoadon-1"`},
		{"unknown key id", func(_ *testing.T, f *fixture, _ *http.Request, b []byte) []byte {
			f.verifier.Keys = httpsig.StaticKeys{"someone-else": f.signer.Key}
			return b
		}, httpsig.ErrUnknownKey, `unknown key id: "hoadon-1"`},
		{"key of the other algorithm", func(t *testing.T, f *fixture, _ *http.Request, b []byte) []byte {
			other := httpsig.HMACSHA256
			if f.signer.Key.Alg() == httpsig.HMACSHA256 {
				other = httpsig.Ed25519
			}
			_, pub := testKeys(t, other, 7)
			f.verifier.Keys = httpsig.StaticKeys{"hoadon-1": pub}
			return b
		}, httpsig.ErrAlgMismatch, "algorithm does not match"},
		{"stale created", func(_ *testing.T, f *fixture, _ *http.Request, b []byte) []byte {
			*f.now = t0.Add(7 * time.Minute)
			return b
		}, httpsig.ErrTooOld, "signature too old"},
		{"created in the future", func(_ *testing.T, f *fixture, _ *http.Request, b []byte) []byte {
			*f.now = t0.Add(-2 * time.Minute)
			return b
		}, httpsig.ErrFuture, "created in the future"},
		{"expired", func(_ *testing.T, f *fixture, _ *http.Request, b []byte) []byte {
			f.verifier.MaxAge = time.Hour
			*f.now = t0.Add(7 * time.Minute)
			return b
		}, httpsig.ErrExpired, "signature expired"},
		{"missing required component", func(_ *testing.T, f *fixture, _ *http.Request, b []byte) []byte {
			f.verifier.RequiredComponents = append(httpsig.DefaultComponents, "ce-id")
			return b
		}, httpsig.ErrMissingComponent, `"ce-id" is not covered`},
		{"wrong tag", func(_ *testing.T, f *fixture, _ *http.Request, b []byte) []byte {
			f.verifier.Tag = "other-app"
			return b
		}, httpsig.ErrTagMismatch, `tag "hoadon-event", want "other-app"`},
		{"no signature", func(_ *testing.T, _ *fixture, r *http.Request, b []byte) []byte {
			r.Header.Del("Signature")
			return b
		}, httpsig.ErrNoSignature, "Signature-Input and Signature headers are required"},
		{"other label", func(_ *testing.T, f *fixture, _ *http.Request, b []byte) []byte {
			f.verifier.Label = "sig2"
			return b
		}, httpsig.ErrNoSignature, `no signature labelled "sig2"`},
		{"garbage signature-input", func(_ *testing.T, _ *fixture, r *http.Request, b []byte) []byte {
			r.Header.Set("Signature-Input", "sig1=(((")
			return b
		}, httpsig.ErrMalformed, "Signature-Input"},
		{"keyid not a string", func(_ *testing.T, _ *fixture, r *http.Request, b []byte) []byte {
			r.Header.Set("Signature-Input", `sig1=("@method");created=1;keyid=1`)
			return b
		}, httpsig.ErrMalformed, `parameter "keyid" has the wrong type`},
	}
	for _, alg := range []httpsig.Algorithm{httpsig.Ed25519, httpsig.HMACSHA256} {
		for _, tc := range cases {
			t.Run(string(alg)+"/"+tc.name, func(t *testing.T) {
				f := newFixture(t, alg)
				r, body := f.signed(t)
				body = tc.mutate(t, f, r, body)
				_, err := f.verifier.Verify(r, body)
				if !isRefused(err, tc.reason) {
					t.Fatalf("err = %v, want unauthorized %v", err, tc.reason)
				}
				if !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("message %q lacks %q", err.Error(), tc.msg)
				}
				if got := hoadon.HTTPStatus(hoadon.ErrorCode(err)); got != http.StatusUnauthorized {
					t.Errorf("status = %d", got)
				}
			})
		}
	}
}

func TestVerifyRefusesReplay(t *testing.T) {
	f := newFixture(t, httpsig.Ed25519)
	r, body := f.signed(t)
	if _, err := f.verifier.Verify(r, body); err != nil {
		t.Fatal(err)
	}
	*f.now = t0.Add(time.Minute)
	if _, err := f.verifier.Verify(r, body); !isRefused(err, httpsig.ErrReplay) {
		t.Fatalf("second delivery: err = %v, want ErrReplay", err)
	}
	// A fresh signature of the same content (a retry) has a new nonce.
	r2, body2 := f.signed(t)
	if _, err := f.verifier.Verify(r2, body2); err != nil {
		t.Fatalf("re-signed retry refused: %v", err)
	}
	// Without a nonce, replay protection cannot work: refused.
	f.signer.Params = []string{httpsig.ParamCreated, httpsig.ParamKeyID, httpsig.ParamTag}
	r3, body3 := f.signed(t)
	if _, err := f.verifier.Verify(r3, body3); !isRefused(err, httpsig.ErrMissingParam) {
		t.Fatalf("no nonce: err = %v, want ErrMissingParam", err)
	}
}

func TestMemoryReplayExpires(t *testing.T) {
	now := t0
	m := httpsig.NewMemoryReplay(func() time.Time { return now })
	ctx := t.Context()
	for i, want := range []bool{false, true} {
		if seen, _ := m.Seen(ctx, "k n", t0.Add(time.Minute)); seen != want {
			t.Fatalf("call %d: seen = %v", i, seen)
		}
	}
	now = t0.Add(2 * time.Minute)
	if seen, _ := m.Seen(ctx, "other", now.Add(time.Minute)); seen || m.Len() != 1 {
		t.Fatalf("expired entry kept: seen=%v len=%d", seen, m.Len())
	}
	if seen, _ := m.Seen(ctx, "k n", now.Add(time.Minute)); seen {
		t.Fatal("expired nonce still reported as seen")
	}
}

// TestRoundTripOverHTTP signs with Transport on a real client and verifies
// in a real server: the two sides must agree on @target-uri and @authority
// although they hold the request in different shapes.
func TestRoundTripOverHTTP(t *testing.T) {
	for _, alg := range []httpsig.Algorithm{httpsig.Ed25519, httpsig.HMACSHA256} {
		t.Run(string(alg), func(t *testing.T) {
			f := newFixture(t, alg)
			f.signer.Clock, f.verifier.Clock = nil, nil
			f.verifier.Replay = httpsig.NewMemoryReplay(nil)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if _, err := f.verifier.Verify(r, body); err != nil {
					http.Error(w, err.Error(), hoadon.HTTPStatus(hoadon.ErrorCode(err)))
					return
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(srv.Close)
			client := &http.Client{Transport: &httpsig.Transport{Signer: f.signer}}
			for i := range 2 {
				resp, err := client.Post(srv.URL+"/sink?attempt=1", "application/json", strings.NewReader(`{"a":1}`))
				if err != nil {
					t.Fatal(err)
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					t.Fatalf("request %d: %d %s", i, resp.StatusCode, msg)
				}
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	b64 := base64.StdEncoding.EncodeToString
	ok := []struct {
		alg      httpsig.Algorithm
		material string
		canSign  bool
	}{
		{httpsig.Ed25519, readVector(t, "test-key-ed25519.pem"), true},
		{httpsig.Ed25519, readVector(t, "test-key-ed25519.pub.pem"), false},
		{httpsig.Ed25519, b64(priv), true},
		{httpsig.Ed25519, base64.RawURLEncoding.EncodeToString(priv.Public().(ed25519.PublicKey)), false},
		{httpsig.HMACSHA256, readVector(t, "test-shared-secret.b64"), true},
		{httpsig.HMACSHA256, base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), true},
	}
	for i, tc := range ok {
		k, err := httpsig.ParseKey(tc.alg, tc.material)
		if err != nil || k.Alg() != tc.alg || k.CanSign() != tc.canSign {
			t.Errorf("case %d: key alg=%q canSign=%v err=%v", i, k.Alg(), k.CanSign(), err)
		}
	}
	bad := []struct {
		alg      httpsig.Algorithm
		material string
	}{
		{httpsig.HMACSHA256, ""},
		{httpsig.HMACSHA256, b64([]byte("too short"))},
		{httpsig.HMACSHA256, "not base64 !!"},
		{httpsig.Ed25519, b64([]byte("seventeen bytes!!"))},
		{httpsig.Ed25519, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
		{httpsig.Ed25519, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
		{"rsa-pss-sha512", b64(priv)},
	}
	for i, tc := range bad {
		if _, err := httpsig.ParseKey(tc.alg, tc.material); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
			t.Errorf("bad case %d: err = %v, want CodeInvalid", i, err)
		}
	}
}

func TestSignRefusesBadConfig(t *testing.T) {
	priv, pub := testKeys(t, httpsig.Ed25519, 1)
	cases := map[string]*httpsig.Signer{
		"no key id":       {Key: priv},
		"public key only": {KeyID: "k", Key: pub},
		"alg mismatch":    {KeyID: "k", Key: priv, Alg: httpsig.HMACSHA256},
		"unknown param":   {KeyID: "k", Key: priv, Params: []string{"bogus"}},
		"missing header":  {KeyID: "k", Key: priv, Components: []string{"date"}},
	}
	for name, s := range cases {
		if err := s.Sign(newRequest("{}"), []byte("{}")); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
			t.Errorf("%s: err = %v, want CodeInvalid", name, err)
		}
	}
}

// TestVerifyPinnedTarget: with TargetURI set, a signature verifies only if
// it was made for that URL, whatever Host and scheme the request arrived
// with (behind a proxy), and must cover "@target-uri".
func TestVerifyPinnedTarget(t *testing.T) {
	for _, alg := range []httpsig.Algorithm{httpsig.Ed25519, httpsig.HMACSHA256} {
		t.Run(string(alg), func(t *testing.T) {
			f := newFixture(t, alg)
			r, body := f.signed(t)
			r.Host, r.URL.Scheme = "10.0.0.7:8080", "http" // as a TLS-ending proxy forwards it
			f.verifier.TargetURI = "https://sink.example/events?x=1"
			if _, err := f.verifier.Verify(r, body); err != nil {
				t.Fatalf("signed for the pinned URL: %v", err)
			}

			f = newFixture(t, alg)
			r, body = f.signed(t)
			f.verifier.TargetURI = "https://other-subscriber.example/events?x=1"
			if _, err := f.verifier.Verify(r, body); !isRefused(err, httpsig.ErrBadSignature) {
				t.Errorf("signed for another URL: %v", err)
			}

			f = newFixture(t, alg)
			f.signer.Components = []string{"@method", "content-type", "content-digest"}
			f.verifier.RequiredComponents = f.signer.Components
			r, body = f.signed(t)
			f.verifier.TargetURI = "https://sink.example/events?x=1"
			if _, err := f.verifier.Verify(r, body); !isRefused(err, httpsig.ErrMissingComponent) {
				t.Errorf("signature without @target-uri: %v", err)
			}
		})
	}
}
