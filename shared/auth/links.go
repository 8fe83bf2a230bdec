package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// A sign-in link lets a console user in once without typing the key:
// signinlinks/{sha256 of the token} names the key (by its hash) and expires;
// redeeming deletes it. The token itself is never stored.

// MaxLinkTTL bounds how long a sign-in link is valid.
const MaxLinkTTL = time.Hour

type signInLink struct {
	KeyHash   string    `firestore:"key_hash"`
	ExpiresAt time.Time `firestore:"expires_at"`
}

// CreateSignInLink returns a one-time token that signs in as key within ttl.
func (k *Keys) CreateSignInLink(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if ttl <= 0 || ttl > MaxLinkTTL {
		return "", hoadon.Errorf(hoadon.CodeInvalid, "a sign-in link lives between 1s and %s", MaxLinkTTL)
	}
	_, ok, err := k.Lookup(ctx, key)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "unknown or revoked API key")
	}
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	rec := signInLink{KeyHash: hash(key), ExpiresAt: k.now().Add(ttl).UTC()}
	if _, err := k.fs.Collection("signinlinks").Doc(hash(token)).Create(ctx, rec); err != nil {
		return "", gcp.Classify("auth: storing the sign-in link", err)
	}
	return token, nil
}

// RedeemSignInLink consumes a token and returns the KeyHash it signs in as.
// A used, expired or unknown token is refused.
func (k *Keys) RedeemSignInLink(ctx context.Context, token string) (string, error) {
	if token == "" || len(token) > 100 {
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "this sign-in link is not valid")
	}
	ref := k.fs.Collection("signinlinks").Doc(hash(token))
	var rec signInLink
	err := k.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err != nil {
			return err
		}
		if err := snap.DataTo(&rec); err != nil {
			return err
		}
		return tx.Delete(ref)
	})
	switch {
	case status.Code(err) == codes.NotFound:
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "this sign-in link was used already or never existed")
	case err != nil:
		return "", gcp.Classify("auth: redeeming the sign-in link", err)
	case !k.now().Before(rec.ExpiresAt):
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "this sign-in link has expired")
	}
	return rec.KeyHash, nil
}
