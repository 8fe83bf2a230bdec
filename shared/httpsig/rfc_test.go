package httpsig_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/httpsig"
)

// rfcCreated is the "created" of every RFC 9421 Appendix B.2 signature.
var rfcCreated = time.Unix(1618884473, 0)

// rfcVector is one of the deterministic RFC 9421 Appendix B.2 examples.
type rfcVector struct {
	name       string
	label      string
	keyID      string
	alg        httpsig.Algorithm
	keyFile    string // signing key
	pubFile    string // verifying key
	components []string
	baseFile   string
	sigInput   string // Signature-Input field value
	signature  string // Signature field value
}

var rfcVectors = []rfcVector{
	{
		name: "B.2.5 hmac-sha256", label: "sig-b25", keyID: "test-shared-secret", alg: httpsig.HMACSHA256,
		keyFile: "test-shared-secret.b64", pubFile: "test-shared-secret.b64",
		components: []string{"date", "@authority", "content-type"},
		baseFile:   "b25-signature-base.txt",
		sigInput:   `sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"`,
		signature:  `sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:`,
	},
	{
		name: "B.2.6 ed25519", label: "sig-b26", keyID: "test-key-ed25519", alg: httpsig.Ed25519,
		keyFile: "test-key-ed25519.pem", pubFile: "test-key-ed25519.pub.pem",
		components: []string{"date", "@method", "@path", "@authority", "content-type", "content-length"},
		baseFile:   "b26-signature-base.txt",
		sigInput:   `sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`,
		signature:  `sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:`,
	},
}

func readVector(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rfc9421", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func vectorKey(t *testing.T, alg httpsig.Algorithm, file string) httpsig.Key {
	t.Helper()
	k, err := httpsig.ParseKey(alg, readVector(t, file))
	if err != nil {
		t.Fatalf("ParseKey(%s): %v", file, err)
	}
	return k
}

// rfcRequest parses the RFC's test-request as a server would receive it.
func rfcRequest(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader([]byte(readVector(t, "test-request.http")))))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r, body
}

// TestRFC9421Sign reproduces the exact signature base, Signature-Input and
// Signature bytes of Appendix B.2.5 and B.2.6 with the Signer.
func TestRFC9421Sign(t *testing.T) {
	for _, v := range rfcVectors {
		t.Run(v.name, func(t *testing.T) {
			r, body := rfcRequest(t)
			wantDigest := r.Header.Get("Content-Digest")
			s := &httpsig.Signer{
				KeyID: v.keyID, Key: vectorKey(t, v.alg, v.keyFile), Components: v.components,
				Clock: func() time.Time { return rfcCreated }, Label: v.label,
				Params: []string{httpsig.ParamCreated, httpsig.ParamKeyID}, Digests: []httpsig.DigestAlg{httpsig.SHA512},
			}
			if err := s.Sign(r, body); err != nil {
				t.Fatal(err)
			}
			if got := r.Header.Get("Content-Digest"); got != wantDigest {
				t.Errorf("Content-Digest = %q, want the RFC's %q", got, wantDigest)
			}
			base, err := httpsig.SignatureBase(r, v.label)
			if err != nil {
				t.Fatal(err)
			}
			if want := readVector(t, v.baseFile); base != want {
				t.Errorf("signature base:\n%s\nwant:\n%s", base, want)
			}
			if got := r.Header.Get("Signature-Input"); got != v.sigInput {
				t.Errorf("Signature-Input = %s\nwant %s", got, v.sigInput)
			}
			if got := r.Header.Get("Signature"); got != v.signature {
				t.Errorf("Signature = %s\nwant %s", got, v.signature)
			}
		})
	}
}

// TestRFC9421Verify checks the RFC's own signed requests with the verifier,
// and that the same signatures fail under the other test key or a changed
// covered header.
func TestRFC9421Verify(t *testing.T) {
	for _, v := range rfcVectors {
		t.Run(v.name, func(t *testing.T) {
			verifier := &httpsig.Verifier{
				Keys:               httpsig.StaticKeys{v.keyID: vectorKey(t, v.alg, v.pubFile)},
				RequiredComponents: v.components,
				Clock:              func() time.Time { return rfcCreated.Add(30 * time.Second) },
			}
			signed := func() (*http.Request, []byte) {
				r, body := rfcRequest(t)
				r.Header.Set("Signature-Input", v.sigInput)
				r.Header.Set("Signature", v.signature)
				return r, body
			}
			r, body := signed()
			res, err := verifier.Verify(r, body)
			if err != nil {
				t.Fatalf("RFC signature refused: %v", err)
			}
			if res.KeyID != v.keyID || res.Label != v.label || !res.Created.Equal(rfcCreated) {
				t.Errorf("result = %+v", res)
			}

			r, body = signed()
			r.Header.Set("Date", "Tue, 20 Apr 2021 02:07:56 GMT")
			if _, err := verifier.Verify(r, body); !isRefused(err, httpsig.ErrBadSignature) {
				t.Errorf("changed Date: err = %v, want ErrBadSignature", err)
			}
		})
	}
}

// TestRFC9530ContentDigest checks the digests of RFC 9530's example body
// `{"hello": "world"}` (Section 2 and Appendix B examples).
func TestRFC9530ContentDigest(t *testing.T) {
	body := []byte(`{"hello": "world"}`)
	tests := []struct {
		algs []httpsig.DigestAlg
		want string
	}{
		{[]httpsig.DigestAlg{httpsig.SHA256}, `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`},
		{[]httpsig.DigestAlg{httpsig.SHA512}, `sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:`},
		{[]httpsig.DigestAlg{httpsig.SHA256, httpsig.SHA512}, `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:`},
	}
	for _, tc := range tests {
		got, err := httpsig.ContentDigest(body, tc.algs...)
		if err != nil || got != tc.want {
			t.Errorf("ContentDigest(%v) = %q, %v; want %q", tc.algs, got, err, tc.want)
		}
		h := http.Header{"Content-Digest": {tc.want}}
		if err := httpsig.VerifyContentDigest(h, body); err != nil {
			t.Errorf("VerifyContentDigest(%q): %v", tc.want, err)
		}
		if err := httpsig.VerifyContentDigest(h, []byte(`{"hello": "world!"}`)); !isRefused(err, httpsig.ErrDigestMismatch) {
			t.Errorf("altered body: err = %v, want ErrDigestMismatch", err)
		}
	}
}
