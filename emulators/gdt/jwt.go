package gdt

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// claims are the portal token's payload (§3.2).
type claims struct {
	Sub  string `json:"sub"`
	Type int    `json:"type"`
	Exp  int64  `json:"exp"`
	Iat  int64  `json:"iat"`
}

var b64url = base64.RawURLEncoding

// jwtHeader is the real token's header, {"alg":"HS512"}.
var jwtHeader = b64url.EncodeToString([]byte(`{"alg":"HS512"}`))

// signToken issues an HS512 JWT.
func signToken(key []byte, c claims) string {
	payload, _ := json.Marshal(c)
	unsigned := jwtHeader + "." + b64url.EncodeToString(payload)
	m := hmac.New(sha512.New, key)
	m.Write([]byte(unsigned))
	return unsigned + "." + b64url.EncodeToString(m.Sum(nil))
}

var errToken = errors.New("invalid token")

// verifyToken checks signature and expiry and returns the claims.
func verifyToken(key []byte, tok string, now time.Time) (claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return claims{}, errToken
	}
	sig, err := b64url.DecodeString(parts[2])
	if err != nil {
		return claims{}, errToken
	}
	m := hmac.New(sha512.New, key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, m.Sum(nil)) {
		return claims{}, errToken
	}
	raw, err := b64url.DecodeString(parts[1])
	var c claims
	if err != nil || json.Unmarshal(raw, &c) != nil {
		return claims{}, errToken
	}
	if now.Unix() >= c.Exp {
		return claims{}, errors.New("token expired")
	}
	return c, nil
}
