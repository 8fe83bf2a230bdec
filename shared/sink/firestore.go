package sink

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
)

// Collection names.
const (
	ColReceived = "received" // received/{eventId}: the record and de-dup marker of each event
	ColReplay   = "replay"   // replay/{sha256(key)}: nonces of accepted signatures
)

// txAttempts bounds RunTransaction retries on contention (Aborted); the
// default 5 leaves little room when many instances race on shared documents.
const txAttempts = 10

// FirestoreDeduper is an events.Deduper whose markers are documents
// {collection}/{id}, so every instance of a consumer agrees on what it has
// seen. Seen is the plain interface; Once attaches the effect of the event
// to the same commit as the marker, which is what a consumer should use (a
// crash between marking and acting would lose the event).
type FirestoreDeduper struct {
	fs  *firestore.Client
	col string
	now func() time.Time
}

// NewFirestoreDeduper returns a deduper keeping markers in collection
// (ColReceived when empty). now stamps markers; nil means time.Now.
func NewFirestoreDeduper(fs *firestore.Client, collection string, now func() time.Time) *FirestoreDeduper {
	if collection == "" {
		collection = ColReceived
	}
	if now == nil {
		now = time.Now
	}
	return &FirestoreDeduper{fs: fs, col: collection, now: now}
}

// Seen implements events.Deduper: it creates the marker {collection}/{id}
// if absent and reports whether it already existed.
func (d *FirestoreDeduper) Seen(ctx context.Context, id string) (bool, error) {
	return d.Once(ctx, id, nil, nil)
}

// Once creates the marker {collection}/{id}, holding fields plus "id" and
// "seen_at", and runs effect in the same Firestore transaction, so the
// marker and the effect's writes commit together or not at all. When the
// marker already exists it returns true and nothing is written.
//
// The transaction does not read the marker: it creates it, and a racing
// delivery that committed first makes the commit fail with AlreadyExists,
// discarding effect's writes. (Reading the marker inside the transaction
// would make concurrent deliveries wait on each other's locks, seconds on
// the emulator.) So effect must act only through tx; it may be run for a
// delivery that then turns out to be a duplicate, and again when Firestore
// retries the transaction. A marker that already exists is found by a plain
// read first, so a late re-delivery runs nothing. With a nil effect Once is
// a single create-if-absent write. Errors: CodeInvalid for an id Firestore
// cannot use, CodeTransient when Firestore is unavailable or contended,
// effect's error wrapped (CodeInternal unless it already has a code).
func (d *FirestoreDeduper) Once(ctx context.Context, id string, fields map[string]any,
	effect func(context.Context, *firestore.Transaction) error) (bool, error) {
	if err := checkDocID(id); err != nil {
		return false, err
	}
	ref := d.fs.Collection(d.col).Doc(id)
	doc := map[string]any{"id": id, "seen_at": d.now().UTC()}
	for k, v := range fields {
		doc[k] = v
	}
	if effect == nil {
		_, err := ref.Create(ctx, doc)
		return createResult("sink.Deduper", err)
	}
	if _, err := ref.Get(ctx); err == nil {
		return true, nil
	} else if status.Code(err) != codes.NotFound {
		return false, gcp.Classify("sink.Deduper", err)
	}
	err := d.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		if err := effect(ctx, tx); err != nil {
			return err
		}
		return tx.Create(ref, doc)
	}, firestore.MaxAttempts(txAttempts))
	return createResult("sink.Deduper", err)
}

var _ events.Deduper = (*FirestoreDeduper)(nil)

// FirestoreReplay is an httpsig.ReplayChecker shared by every instance of a
// consumer: each nonce key becomes the document replay/{sha256(key)} with an
// "expires_at" field. Creating it succeeds once; later attempts find it and
// report a replay until it expires. Configure a Firestore TTL policy on
// expires_at so old nonces are deleted; an expired document that is still
// there is treated as absent.
type FirestoreReplay struct {
	fs  *firestore.Client
	col string
	now func() time.Time
}

// NewFirestoreReplay returns a ReplayChecker keeping nonces in collection
// (ColReplay when empty). now decides expiry; nil means time.Now.
func NewFirestoreReplay(fs *firestore.Client, collection string, now func() time.Time) *FirestoreReplay {
	if collection == "" {
		collection = ColReplay
	}
	if now == nil {
		now = time.Now
	}
	return &FirestoreReplay{fs: fs, col: collection, now: now}
}

// replayDoc is the stored form of a nonce. The key itself is not stored:
// the hash is enough to find it again.
type replayDoc struct {
	ExpiresAt time.Time `firestore:"expires_at"`
	CreatedAt time.Time `firestore:"created_at"`
}

// Seen implements httpsig.ReplayChecker. The common case (a new nonce) is
// one create-if-absent write; a found document is checked for expiry and,
// if expired, replaced in a transaction so two racing requests cannot both
// pass. Errors are CodeTransient when Firestore is unavailable (the
// verifier then answers 503 and the sender retries).
func (f *FirestoreReplay) Seen(ctx context.Context, key string, until time.Time) (bool, error) {
	sum := sha256.Sum256([]byte(key))
	ref := f.fs.Collection(f.col).Doc(hex.EncodeToString(sum[:]))
	doc := replayDoc{ExpiresAt: until.UTC(), CreatedAt: f.now().UTC()}
	_, err := ref.Create(ctx, doc)
	if status.Code(err) != codes.AlreadyExists {
		return false, gcp.Classify("sink.Replay", err)
	}
	seen := true
	err = f.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		seen = true
		snap, err := tx.Get(ref)
		if status.Code(err) == codes.NotFound {
			seen = false
			return tx.Create(ref, doc)
		} else if err != nil {
			return err
		}
		var old replayDoc
		if err := snap.DataTo(&old); err == nil && !f.now().After(old.ExpiresAt) {
			return nil
		}
		seen = false
		return tx.Set(ref, doc)
	}, firestore.MaxAttempts(txAttempts))
	if status.Code(err) == codes.AlreadyExists {
		return true, nil
	}
	if err != nil {
		return false, gcp.Classify("sink.Replay", err)
	}
	return seen, nil
}

var _ httpsig.ReplayChecker = (*FirestoreReplay)(nil)

// createResult turns the outcome of a create-if-absent into (existed, err).
func createResult(op string, err error) (bool, error) {
	switch {
	case err == nil:
		return false, nil
	case status.Code(err) == codes.AlreadyExists:
		return true, nil
	}
	return false, gcp.Classify(op, err)
}

// checkDocID refuses ids Firestore cannot use as a document id (a "/" would
// even address another collection).
func checkDocID(id string) error {
	switch {
	case id == "" || id == "." || id == "..":
		return hoadon.Errorf(hoadon.CodeInvalid, "sink: %q is not a usable document id", id)
	case strings.Contains(id, "/") || len(id) > 1500:
		return hoadon.Errorf(hoadon.CodeInvalid, "sink: id %.40q contains / or is too long", id)
	case strings.HasPrefix(id, "__") && strings.HasSuffix(id, "__"):
		return hoadon.Errorf(hoadon.CodeInvalid, "sink: id %q is reserved by Firestore", id)
	}
	return nil
}
