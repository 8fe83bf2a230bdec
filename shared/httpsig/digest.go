package httpsig

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"net/http"

	sfv "github.com/dunglas/httpsfv"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// DigestAlg is a hash algorithm key of the Content-Digest field (RFC 9530
// §5, Hash Algorithms for HTTP Digest Fields registry).
type DigestAlg string

// The digest algorithms RFC 9530 marks as "Active". Others in a received
// header (md5, sha, unixsum, …) are ignored, as §6 allows.
const (
	SHA256 DigestAlg = "sha-256"
	SHA512 DigestAlg = "sha-512"
)

func (a DigestAlg) sum(body []byte) ([]byte, bool) {
	switch a {
	case SHA256:
		s := sha256.Sum256(body)
		return s[:], true
	case SHA512:
		s := sha512.Sum512(body)
		return s[:], true
	}
	return nil, false
}

// ContentDigest returns the Content-Digest field value for body with each of
// algs in order, e.g. `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`
// for `{"hello": "world"}`. With no algs it uses sha-256.
func ContentDigest(body []byte, algs ...DigestAlg) (string, error) {
	if len(algs) == 0 {
		algs = []DigestAlg{SHA256}
	}
	dict := sfv.NewDictionary()
	for _, a := range algs {
		sum, ok := a.sum(body)
		if !ok {
			return "", hoadon.Errorf(hoadon.CodeInvalid, "httpsig: unsupported digest algorithm %q", a)
		}
		dict.Add(string(a), sfv.NewItem(sum))
	}
	v, err := sfv.Marshal(dict)
	if err != nil {
		return "", hoadon.Errorf(hoadon.CodeInternal, "httpsig: serialise Content-Digest: %w", err)
	}
	return v, nil
}

// VerifyContentDigest checks the Content-Digest field lines h against body:
// at least one active algorithm (sha-256, sha-512) must be present, and
// every active one present must match. A mismatch means the body was altered
// after signing.
func VerifyContentDigest(h http.Header, body []byte) error {
	lines := h.Values("Content-Digest")
	if len(lines) == 0 {
		return refuse(ErrMissingDigest, "no Content-Digest header")
	}
	dict, err := sfv.UnmarshalDictionary(lines)
	if err != nil {
		return refuse(ErrMalformed, "Content-Digest is not a structured dictionary: %v", err)
	}
	checked := 0
	for _, name := range dict.Names() {
		want, ok := DigestAlg(name).sum(body)
		if !ok {
			continue
		}
		m, _ := dict.Get(name)
		item, isItem := m.(sfv.Item)
		got, isBytes := item.Value.([]byte)
		if !isItem || !isBytes {
			return refuse(ErrMalformed, "Content-Digest %s is not a byte sequence", name)
		}
		if subtle.ConstantTimeCompare(got, want) != 1 {
			return refuse(ErrDigestMismatch, "%s of the %d-byte body differs", name, len(body))
		}
		checked++
	}
	if checked == 0 {
		return refuse(ErrMissingDigest, "Content-Digest has neither sha-256 nor sha-512")
	}
	return nil
}
