package httpsig_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
)

// FuzzVerify feeds arbitrary Signature-Input, Signature and Content-Digest
// headers to the verifier: it must never panic, and every refusal must be
// classified as unauthorized.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f, httpsig.Ed25519)
	r, body := fx.signed(f)
	f.Add(r.Header.Get("Signature-Input"), r.Header.Get("Signature"), r.Header.Get("Content-Digest"), string(body))
	f.Add(`sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"`,
		`sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:`, `sha-512=:AAAA:`, `{"hello": "world"}`)
	f.Add(`sig1=("@method");keyid=1;created="x"`, `sig1=:AAAA:`, `sha-256=1`, "")
	f.Add(`sig1=("@query-param";name="a" "@status" "Content-Type");created=-5;expires=1.5`, `sig1=?1`, `md5=:AA==:`, "x")
	f.Add(`sig1=("@method" "@method");alg="rsa-pss-sha512";keyid="hoadon-1";created=1700000000;nonce="n"`, `sig1=("a")`, ``, "{}")
	f.Add(`a=(), b=("@path");created=99999999999999`, `a=:: , b=:AA==:`, `sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:`, "")

	_, pub := testKeys(f, httpsig.HMACSHA256, 7)
	keys := httpsig.StaticKeys{"hoadon-1": fx.signer.Key.Public(), "test-shared-secret": pub}
	f.Fuzz(func(t *testing.T, sigInput, sig, digest, body string) {
		v := &httpsig.Verifier{
			Keys: keys, RequiredComponents: []string{},
			Clock:  func() time.Time { return t0 },
			Replay: httpsig.NewMemoryReplay(func() time.Time { return t0 }),
		}
		req := httptest.NewRequest("POST", "https://sink.example/events", strings.NewReader(body))
		req.Header.Set("Signature-Input", sigInput)
		req.Header.Set("Signature", sig)
		if digest != "" {
			req.Header.Set("Content-Digest", digest)
		}
		_, err := v.Verify(req, []byte(body))
		if err != nil && hoadon.ErrorCode(err) != hoadon.CodeUnauthorized {
			t.Fatalf("refusal not unauthorized: %v", err)
		}
		_, _ = httpsig.SignatureBase(req, "sig1")
	})
}
