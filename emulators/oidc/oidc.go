// Package oidc is a tiny local OpenID Connect issuer for the emulators.
//
// On Google Cloud, Workflows (auth: {type: OIDC}) and Cloud Tasks (oidcToken) attach a
// Google-signed ID token to outgoing requests. Locally the emulators cannot use Google's keys,
// so they sign RS256 tokens with a key generated at start-up and publish its public half as a
// JWK set; a receiver verifies them exactly like Google ID tokens, only against another issuer.
package oidc

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// Issuer signs ID tokens with its own RSA key and serves the discovery document and JWKS that
// let receivers verify them.
type Issuer struct {
	url string
	key *rsa.PrivateKey
	kid string
	now func() time.Time
}

// NewIssuer generates a fresh 2048-bit RSA key (RS256, as Google ID tokens use) for the issuer
// identified by issuerURL (the token's iss claim and the base of its discovery document).
func NewIssuer(issuerURL string) (*Issuer, error) {
	if issuerURL == "" {
		return nil, errors.New("oidc.NewIssuer: empty issuer URL")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oidc.NewIssuer: generate key: %w", err)
	}
	sum := sha256.Sum256(key.N.Bytes())
	return &Issuer{
		url: strings.TrimRight(issuerURL, "/"),
		key: key,
		kid: base64.RawURLEncoding.EncodeToString(sum[:8]),
		now: time.Now,
	}, nil
}

// URL is the issuer identifier placed in the iss claim.
func (i *Issuer) URL() string { return i.url }

// KeyID is the kid header of every token and of the JWK in the set.
func (i *Issuer) KeyID() string { return i.kid }

// PublicKey returns the verification key, for receivers in the same process (tests).
func (i *Issuer) PublicKey() *rsa.PublicKey { return &i.key.PublicKey }

// Claims are the fields of an ID token issued here; they mirror Google ID tokens.
type Claims struct {
	Issuer        string `json:"iss"`
	Audience      string `json:"aud"`
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	IssuedAt      int64  `json:"iat"`
	Expiry        int64  `json:"exp"`
}

// Token signs an ID token for audience on behalf of the service account email, valid for ttl
// (one hour when ttl <= 0, like Google's).
func (i *Issuer) Token(audience, email string, ttl time.Duration) (string, error) {
	return i.TokenAt(audience, email, i.now(), ttl)
}

// TokenAt is Token issued at a given time: a test's expired token is one
// issued long enough ago.
func (i *Issuer) TokenAt(audience, email string, now time.Time, ttl time.Duration) (string, error) {
	if audience == "" {
		return "", errors.New("oidc.Token: empty audience")
	}
	if ttl <= 0 {
		ttl = time.Hour
	}
	claims := Claims{
		Issuer: i.url, Audience: audience, Subject: email, Email: email, EmailVerified: email != "",
		IssuedAt: now.Unix(), Expiry: now.Add(ttl).Unix(),
	}
	header := map[string]string{"alg": "RS256", "typ": "JWT", "kid": i.kid}
	h, err := json.Marshal(header)
	if err != nil {
		return "", fmt.Errorf("oidc.Token: %w", err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("oidc.Token: %w", err)
	}
	signing := b64(h) + "." + b64(c)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, i.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("oidc.Token: sign: %w", err)
	}
	return signing + "." + b64(sig), nil
}

// Verify checks a token's RS256 signature, issuer, audience and expiry against this issuer and
// returns its claims. Receivers in other processes should fetch the JWKS instead.
func (i *Issuer) Verify(token, audience string) (*Claims, error) {
	return VerifyWithKey(token, i.url, audience, &i.key.PublicKey, i.now())
}

// VerifyWithKey checks an RS256 token against a known public key, issuer and audience at time now.
func VerifyWithKey(token, issuer, audience string, pub *rsa.PublicKey, now time.Time) (*Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("oidc.Verify: malformed token")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("oidc.Verify: signature encoding: %w", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return nil, fmt.Errorf("oidc.Verify: bad signature: %w", err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("oidc.Verify: claims encoding: %w", err)
	}
	var c Claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("oidc.Verify: claims: %w", err)
	}
	switch {
	case c.Issuer != issuer:
		return nil, fmt.Errorf("oidc.Verify: issuer %q, want %q", c.Issuer, issuer)
	case audience != "" && c.Audience != audience:
		return nil, fmt.Errorf("oidc.Verify: audience %q, want %q", c.Audience, audience)
	case now.Unix() >= c.Expiry:
		return nil, errors.New("oidc.Verify: token expired")
	}
	return &c, nil
}

// JWK is one RSA public key in JSON Web Key form (RFC 7517/7518).
type JWK struct {
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS returns the key set served at /jwks.
func (i *Issuer) JWKS() []JWK {
	pub := i.key.PublicKey
	return []JWK{{
		Kty: "RSA", Alg: "RS256", Use: "sig", Kid: i.kid,
		N: b64(pub.N.Bytes()), E: b64(big.NewInt(int64(pub.E)).Bytes()),
	}}
}

// PublicKeyFromJWK rebuilds an RSA public key from a JWK, for receivers that fetched /jwks.
func PublicKeyFromJWK(k JWK) (*rsa.PublicKey, error) {
	if k.Kty != "RSA" {
		return nil, fmt.Errorf("oidc.PublicKeyFromJWK: kty %q is not RSA", k.Kty)
	}
	n, err := base64.RawURLEncoding.DecodeString(k.N)
	if err != nil {
		return nil, fmt.Errorf("oidc.PublicKeyFromJWK: n: %w", err)
	}
	e, err := base64.RawURLEncoding.DecodeString(k.E)
	if err != nil {
		return nil, fmt.Errorf("oidc.PublicKeyFromJWK: e: %w", err)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
}

// Handler serves /.well-known/openid-configuration and /jwks so any OIDC library can verify
// the tokens by discovery.
func (i *Issuer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{
			"issuer":                                i.url,
			"jwks_uri":                              i.url + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"claims_supported":                      []string{"aud", "email", "email_verified", "exp", "iat", "iss", "sub"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"keys": i.JWKS()})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
