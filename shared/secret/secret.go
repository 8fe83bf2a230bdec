// Package secret seals small secrets (portal passwords, session tokens) with
// AES-256-GCM before they are stored, so a Firestore export or a stray log of
// a document never reveals them.
//
// The key comes from configuration: on GCP a Secret Manager secret mounted
// into the service as an environment variable or file, locally an env var or
// file. Each sealed value is bound to where it is stored (the additional
// data), so a ciphertext copied into another document does not open there.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// version prefixes every sealed value so the format can change later.
const version = "v1:"

// Box seals and opens values with one key.
type Box struct {
	aead   cipher.AEAD
	macKey []byte // keys Digest; derived from the key, never the key itself
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "secret: key must be 32 bytes (AES-256), got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret.NewBox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret.NewBox: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("hoadon/secret: digest key v1"))
	return &Box{aead: aead, macKey: mac.Sum(nil)}, nil
}

// Digest returns a keyed digest (HMAC-SHA256) of a secret bound to where:
// equal secrets have equal digests, so a sealed value can be compared with
// another without opening it, and the digest reveals nothing without the
// key (unlike a plain hash of a password).
func (b *Box) Digest(plaintext []byte, where string) string {
	mac := hmac.New(sha256.New, b.macKey)
	mac.Write([]byte(where))
	mac.Write([]byte{0})
	mac.Write(plaintext)
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// ParseKey decodes a key written as 64 hex digits or as standard or URL-safe
// base64 of 32 bytes; surrounding white space (a trailing newline in a
// mounted file) is ignored.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, hoadon.Errorf(hoadon.CodeInvalid, "secret: key must be 32 bytes as 64 hex digits or base64")
}

// Seal encrypts plaintext bound to where (for example "credentials/0100109106").
func (b *Box) Seal(plaintext []byte, where string) string {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("secret: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	out := b.aead.Seal(nonce, nonce, plaintext, []byte(where))
	return version + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a value sealed for the same where. A wrong key, a tampered
// value or a value sealed for another place gives an error that says so
// without echoing the value.
func (b *Box) Open(sealed, where string) ([]byte, error) {
	raw, ok := strings.CutPrefix(sealed, version)
	if !ok {
		return nil, hoadon.Errorf(hoadon.CodeBadData, "secret: unknown sealed-value format for %s", where)
	}
	data, err := base64.RawStdEncoding.DecodeString(raw)
	n := b.aead.NonceSize()
	if err != nil || len(data) < n+b.aead.Overhead() {
		return nil, hoadon.Errorf(hoadon.CodeBadData, "secret: malformed sealed value for %s", where)
	}
	plain, err := b.aead.Open(nil, data[:n], data[n:], []byte(where))
	if err != nil {
		return nil, hoadon.Errorf(hoadon.CodeBadData, "secret: cannot open the value for %s (wrong key or tampered)", where)
	}
	return plain, nil
}
