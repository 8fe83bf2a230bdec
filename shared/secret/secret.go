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
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// version prefixes every sealed value so the format can change later.
const version = "v1:"

// Box seals and opens values with one key.
type Box struct {
	aead cipher.AEAD
	mac  []byte // HMAC key for Digest, derived from the sealing key
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
	mac, err := hkdf.Key(sha256.New, key, nil, "hoadon secret.Box digest v1", 32)
	if err != nil {
		return nil, fmt.Errorf("secret.NewBox: %w", err)
	}
	return &Box{aead: aead, mac: mac}, nil
}

// Digest is a keyed digest (HMAC-SHA256 under a key derived from the box's)
// of parts bound to where: equal inputs give equal digests, so two sealed
// values can be compared without opening either, and without the key a
// digest tells nothing about its input. Parts are length-prefixed, so
// ("ab", "c") and ("a", "bc") differ.
func (b *Box) Digest(where string, parts ...[]byte) string {
	m := hmac.New(sha256.New, b.mac)
	for _, p := range append([][]byte{[]byte(where)}, parts...) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		m.Write(n[:])
		m.Write(p)
	}
	return hex.EncodeToString(m.Sum(nil))
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
