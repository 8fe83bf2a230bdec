package httpsig

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Algorithm is an RFC 9421 signature algorithm name as registered in the
// HTTP Signature Algorithms registry; it is also the value of the "alg"
// signature parameter.
type Algorithm string

// The two algorithms hoadon signs events with: Ed25519 when the consumer
// should hold only a public key, HMAC-SHA256 when both sides share a secret.
const (
	Ed25519    Algorithm = "ed25519"
	HMACSHA256 Algorithm = "hmac-sha256"
)

// minHMACKey is the shortest HMAC secret accepted: the size of the SHA-256
// output, below which the key is weaker than the MAC.
const minHMACKey = 32

// Key is the key material for one algorithm. A signing key is an Ed25519
// private key or an HMAC secret; a verifying key is an Ed25519 public key or
// the same HMAC secret. The zero Key is unusable.
type Key struct {
	alg    Algorithm
	secret []byte
	priv   ed25519.PrivateKey
	pub    ed25519.PublicKey
}

// Alg reports the algorithm the key is for.
func (k Key) Alg() Algorithm { return k.alg }

// CanSign reports whether the key holds private material.
func (k Key) CanSign() bool { return len(k.secret) > 0 || len(k.priv) > 0 }

// Public returns the verifying half of k: the public key for Ed25519, the
// key itself for HMAC (a shared secret has no public half).
func (k Key) Public() Key {
	if k.alg == Ed25519 && k.priv != nil {
		return Key{alg: Ed25519, pub: k.priv.Public().(ed25519.PublicKey)}
	}
	return k
}

// Derive returns the key for one of many verifiers, named by info: for
// HMAC a 32-byte secret derived from k's with HKDF-SHA256 (RFC 5869, no
// salt, info as given), so each verifier holds its own key and none can sign
// for another; an Ed25519 key as it is, since its verifiers hold the public
// key, which cannot sign.
func (k Key) Derive(info string) (Key, error) {
	if k.alg != HMACSHA256 {
		return k, nil
	}
	secret, err := hkdf.Key(sha256.New, k.secret, nil, info, 32)
	if err != nil {
		return Key{}, hoadon.Wrap(hoadon.CodeInternal, err, "httpsig: deriving an hmac-sha256 key")
	}
	return HMACKey(secret)
}

// Material is k's verifying half in ParseKey's format: base64 of the HMAC
// secret, or of the 32-byte raw Ed25519 public key.
func (k Key) Material() string {
	if k.alg == HMACSHA256 {
		return base64.StdEncoding.EncodeToString(k.secret)
	}
	return base64.StdEncoding.EncodeToString(k.Public().pub)
}

// HMACKey wraps a shared secret of at least 32 bytes.
func HMACKey(secret []byte) (Key, error) {
	if len(secret) < minHMACKey {
		return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: hmac-sha256 secret is %d bytes, want at least %d", len(secret), minHMACKey)
	}
	return Key{alg: HMACSHA256, secret: append([]byte(nil), secret...)}, nil
}

// Ed25519PrivateKey wraps an Ed25519 private key for signing.
func Ed25519PrivateKey(priv ed25519.PrivateKey) (Key, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: ed25519 private key is %d bytes, want %d", len(priv), ed25519.PrivateKeySize)
	}
	return Key{alg: Ed25519, priv: priv, pub: priv.Public().(ed25519.PublicKey)}, nil
}

// Ed25519PublicKey wraps an Ed25519 public key for verifying.
func Ed25519PublicKey(pub ed25519.PublicKey) (Key, error) {
	if len(pub) != ed25519.PublicKeySize {
		return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: ed25519 public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	return Key{alg: Ed25519, pub: pub}, nil
}

// ParseKey reads key material from a configuration string, so the deliver
// function and the event sink can take their keys from environment variables
// or Secret Manager:
//
//   - hmac-sha256: the secret in base64 (standard or URL alphabet, padding
//     optional), at least 32 bytes once decoded;
//   - ed25519: a PEM block, "PRIVATE KEY" (PKCS #8) or "PUBLIC KEY" (PKIX),
//     as in RFC 9421 Appendix B.1.4; or base64 of the raw key, 64 bytes for a
//     private key (seed followed by public key, Go's layout) or 32 bytes for a
//     public key.
func ParseKey(alg Algorithm, material string) (Key, error) {
	material = strings.TrimSpace(material)
	if material == "" {
		return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: empty %s key material", alg)
	}
	switch alg {
	case HMACSHA256:
		raw, err := decodeBase64(material)
		if err != nil {
			return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: hmac-sha256 secret is not base64: %w", err)
		}
		return HMACKey(raw)
	case Ed25519:
		if strings.HasPrefix(material, "-----BEGIN") {
			return parseEd25519PEM(material)
		}
		raw, err := decodeBase64(material)
		if err != nil {
			return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: ed25519 key is neither PEM nor base64: %w", err)
		}
		if len(raw) == ed25519.PrivateKeySize {
			return Ed25519PrivateKey(ed25519.PrivateKey(raw))
		}
		return Ed25519PublicKey(ed25519.PublicKey(raw))
	}
	return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: unsupported algorithm %q (want %s or %s)", alg, Ed25519, HMACSHA256)
}

func parseEd25519PEM(material string) (Key, error) {
	block, _ := pem.Decode([]byte(material))
	if block == nil {
		return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: ed25519 key: bad PEM")
	}
	var parsed any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "PUBLIC KEY":
		parsed, err = x509.ParsePKIXPublicKey(block.Bytes)
	default:
		return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: ed25519 key: PEM type %q, want PRIVATE KEY or PUBLIC KEY", block.Type)
	}
	if err != nil {
		return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: ed25519 key: %w", err)
	}
	switch k := parsed.(type) {
	case ed25519.PrivateKey:
		return Ed25519PrivateKey(k)
	case ed25519.PublicKey:
		return Ed25519PublicKey(k)
	}
	return Key{}, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: PEM holds a %T, not an ed25519 key", parsed)
}

// decodeBase64 accepts the standard and URL alphabets, padded or not, since
// secrets get pasted from many tools.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// sign computes the signature of base (RFC 9421 §3.3.4 for HMAC, §3.3.6 for
// Ed25519: the base is the message, no prehash).
func (k Key) sign(base []byte) ([]byte, error) {
	switch {
	case k.alg == HMACSHA256 && len(k.secret) > 0:
		m := hmac.New(sha256.New, k.secret)
		m.Write(base)
		return m.Sum(nil), nil
	case k.alg == Ed25519 && len(k.priv) == ed25519.PrivateKeySize:
		return ed25519.Sign(k.priv, base), nil
	}
	return nil, hoadon.Errorf(hoadon.CodeInvalid, "httpsig: key for %q cannot sign", k.alg)
}

// verify reports whether sig is a valid signature of base under k. HMAC
// signatures are compared in constant time.
func (k Key) verify(base, sig []byte) bool {
	switch {
	case k.alg == HMACSHA256 && len(k.secret) > 0:
		m := hmac.New(sha256.New, k.secret)
		m.Write(base)
		return hmac.Equal(m.Sum(nil), sig)
	case k.alg == Ed25519 && len(k.pub) == ed25519.PublicKeySize:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.pub, base, sig)
	}
	return false
}
