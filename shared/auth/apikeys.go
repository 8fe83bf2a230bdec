package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// keyPrefix marks hoadon API keys, so a leaked one is recognisable.
const keyPrefix = "hd_"

// APIKey describes a stored key; the key itself is never stored.
type APIKey struct {
	ID        string    `firestore:"id" json:"id"`     // hash prefix, safe to show
	Name      string    `firestore:"name" json:"name"` // what it is for
	Hint      string    `firestore:"hint" json:"hint"` // the key's first characters
	CreatedAt time.Time `firestore:"created_at" json:"created_at"`
	RevokedAt time.Time `firestore:"revoked_at" json:"revoked_at,omitzero"`
	// Tenant, Role and Companies say what the key may reach; a key from
	// before tenants existed has none and is an admin of the default tenant.
	Tenant    hoadon.Tenant `firestore:"tenant" json:"tenant"`
	Role      hoadon.Role   `firestore:"role" json:"role"`
	Companies []string      `firestore:"companies" json:"companies,omitempty"`
}

// Access is what the key may reach.
func (a APIKey) Access() hoadon.Access { return accessOf(a.Tenant, a.Role, a.Companies) }

// Keys stores API keys in Firestore (apikeys/{sha256 of the key}).
//
// Lookups are cached per instance in two bounded LRU caches: valid keys
// for CacheValid (so a revoked key stops passing within that time) and
// unknown or revoked keys for CacheInvalid, in a cache of their own so a
// flood of made-up keys cannot evict the valid ones.
type Keys struct {
	fs      *firestore.Client
	now     func() time.Time
	valid   *expirable.LRU[string, Principal] // hash → principal of a valid key
	invalid *expirable.LRU[string, struct{}]  // hashes known unknown or revoked
}

// Cache bounds: revocation reaches every instance within CacheValid.
const (
	CacheValid   = 4 * time.Second
	CacheInvalid = 2 * time.Second
	cacheKeys    = 10000
)

// NewKeys returns the key store.
func NewKeys(fs *firestore.Client) *Keys {
	return &Keys{fs: fs, now: time.Now,
		valid:   expirable.NewLRU[string, Principal](cacheKeys, nil, CacheValid),
		invalid: expirable.NewLRU[string, struct{}](cacheKeys, nil, CacheInvalid)}
}

func hash(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:])
}

// KeyHash is the key's stored identity (apikeys/{KeyHash}): a console
// session names the key by it, never by the key itself.
func KeyHash(key string) string { return hash(key) }

// Create makes a new key named name and returns it; this is the only time
// the key is visible.
func (k *Keys) Create(ctx context.Context, name string, acc hoadon.Access) (string, APIKey, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", APIKey{}, hoadon.Errorf(hoadon.CodeInvalid, "an API key needs a name of 1 to 100 characters")
	}
	acc, err := ParseAccess(string(acc.Tenant), string(acc.Role), acc.Companies)
	if err != nil {
		return "", APIKey{}, err
	}
	b := make([]byte, 20)
	rand.Read(b)
	key := keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	h := hash(key)
	rec := APIKey{ID: h[:12], Name: name, Hint: key[:7], CreatedAt: k.now().UTC(), Tenant: acc.Tenant, Role: acc.Role, Companies: acc.Companies}
	if _, err := k.fs.Collection("apikeys").Doc(h).Create(ctx, rec); err != nil {
		return "", APIKey{}, hoadon.Wrap(hoadon.CodeTransient, err, "storing the API key")
	}
	return key, rec, nil
}

// Revoke revokes the key whose ID (or full key) is given.
func (k *Keys) Revoke(ctx context.Context, idOrKey string) error {
	ref, err := k.find(ctx, idOrKey)
	if err != nil {
		return err
	}
	_, err = ref.Update(ctx, []firestore.Update{{Path: "revoked_at", Value: k.now().UTC()}})
	return gcp.Classify("auth: revoking the API key", err)
}

func (k *Keys) find(ctx context.Context, idOrKey string) (*firestore.DocumentRef, error) {
	if strings.HasPrefix(idOrKey, keyPrefix) {
		return k.fs.Collection("apikeys").Doc(hash(idOrKey)), nil
	}
	if len(idOrKey) != 12 {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "give the key's 12-character id (hoadon apikey list) or the key")
	}
	it := store.QueryAPIKeyByID.On(k.fs, idOrKey).Limit(1).Documents(ctx)
	defer it.Stop()
	snap, err := it.Next()
	if err == iterator.Done {
		return nil, hoadon.Errorf(hoadon.CodeNotFound, "no API key with id %s", idOrKey)
	}
	if err != nil {
		return nil, gcp.Classify("auth: finding the API key", err)
	}
	return snap.Ref, nil
}

// List returns the description of every key of a tenant (every key when
// tenant is empty), newest first.
func (k *Keys) List(ctx context.Context, tenant hoadon.Tenant) ([]APIKey, error) {
	docs, err := store.QueryAPIKeysNewest.On(k.fs).Documents(ctx).GetAll()
	if err != nil {
		return nil, gcp.Classify("auth: listing API keys", err)
	}
	out := make([]APIKey, 0, len(docs))
	for _, d := range docs {
		var a APIKey
		if err := d.DataTo(&a); err != nil {
			return nil, gcp.Classify("auth: reading an API key", err)
		}
		if a.Tenant == "" {
			acc := a.Access()
			a.Tenant, a.Role = acc.Tenant, acc.Role
		}
		if tenant == "" || a.Tenant == tenant {
			out = append(out, a)
		}
	}
	return out, nil
}

// Lookup returns the principal of a known, unrevoked API key; false for
// anything else.
func (k *Keys) Lookup(ctx context.Context, key string) (Principal, bool, error) {
	if !strings.HasPrefix(key, keyPrefix) || len(key) > 100 {
		return Principal{}, false, nil
	}
	return k.LookupHash(ctx, hash(key))
}

// LookupHash is Lookup for a key known by its KeyHash (the console's
// session holds the hash, never the key).
func (k *Keys) LookupHash(ctx context.Context, h string) (Principal, bool, error) {
	if len(h) != sha256.Size*2 {
		return Principal{}, false, nil
	}
	if p, ok := k.valid.Get(h); ok {
		return p, true, nil
	}
	if _, ok := k.invalid.Get(h); ok {
		return Principal{}, false, nil
	}
	snap, err := k.fs.Collection("apikeys").Doc(h).Get(ctx)
	switch {
	case status.Code(err) == codes.NotFound:
	case err != nil:
		return Principal{}, false, gcp.Classify("auth: checking the API key", err)
	default:
		var a APIKey
		if err := snap.DataTo(&a); err != nil {
			return Principal{}, false, gcp.Classify("auth: reading the API key", err)
		}
		if a.RevokedAt.IsZero() {
			p := Principal{Access: a.Access(), Name: a.Name, KeyID: a.ID}
			k.valid.Add(h, p)
			return p, true, nil
		}
	}
	k.invalid.Add(h, struct{}{})
	return Principal{}, false, nil
}
