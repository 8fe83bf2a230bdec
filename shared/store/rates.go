package store

import (
	"context"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/gcp"
)

// RateState is a company's adaptive download rate and circuit-breaker state,
// kept in Firestore so every instance agrees.
type RateState struct {
	Rate        float64   `firestore:"rate"`         // current dispatches per second of the company queue
	Failures    int       `firestore:"failures"`     // consecutive failures
	Decreased   time.Time `firestore:"decreased"`    // when the rate was last halved
	PausedUntil time.Time `firestore:"paused_until"` // queue paused by the breaker until then
	UpdatedAt   time.Time `firestore:"updated_at"`
}

// UpdateRate applies change to a company's rate state in a transaction;
// change returns false to leave it. A company without state starts from the
// zero value, which change must initialise.
func (s *Store) UpdateRate(ctx context.Context, company string, change func(*RateState) bool) (RateState, bool, error) {
	ref := s.fs.Collection(colRates).Doc(company)
	var st RateState
	var changed bool
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		st, changed = RateState{}, false
		snap, err := tx.Get(ref)
		if err != nil && !notFound(err) {
			return err
		}
		if snap.Exists() {
			if err := snap.DataTo(&st); err != nil {
				return err
			}
		}
		if changed = change(&st); !changed {
			return nil
		}
		st.UpdatedAt = s.now()
		return tx.Set(ref, st)
	})
	return st, changed, gcp.Classify("store.UpdateRate", err)
}
