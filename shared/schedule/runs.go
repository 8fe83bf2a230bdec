package schedule

import (
	"context"
	"errors"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// RunState is where a scheduled run stands.
type RunState string

// Run states. A claimed run whose claim is older than ClaimLease was left by
// a crashed tick and is taken over; a retryable failure is tried again by
// the next tick, up to MaxAttempts.
const (
	RunClaimed RunState = "claimed" // a tick is starting the import
	RunStarted RunState = "started" // the import exists (ImportID)
	RunRetry   RunState = "retry"   // starting failed with a retryable error
	RunFailed  RunState = "failed"  // starting failed for good (Code, Error)
	// RunSkipped: not started, the portal refused the schedule's password
	// and the company's login has not changed since (Code, Error).
	RunSkipped RunState = "skipped"
)

// Run bounds.
const (
	// ClaimLease is how long a claim holds before another tick may take the
	// run over; starting an import takes a second or two.
	ClaimLease = 2 * time.Minute
	// MaxAttempts bounds the starts of one run that fail retryably.
	MaxAttempts = 5
)

// Run is the record of one (schedule, day): created before its import
// starts, so a day starts once however many ticks see it due.
type Run struct {
	Day         string    `firestore:"day" json:"day"`
	ScheduledAt time.Time `firestore:"scheduled_at" json:"scheduled_at"`
	From        string    `firestore:"from" json:"date_range_start"`
	To          string    `firestore:"to" json:"date_range_end"`
	State       RunState  `firestore:"state" json:"state"`
	ImportID    string    `firestore:"import_id" json:"task_id,omitempty"`
	Attempts    int       `firestore:"attempts" json:"attempts"`
	ClaimedAt   time.Time `firestore:"claimed_at" json:"claimed_at"`
	Code        string    `firestore:"code" json:"error_code,omitempty"`
	Error       string    `firestore:"error" json:"error,omitempty"`
}

// claim creates or takes over the run record of a slot. It reports false
// when the run is started, failed for good, or claimed by another tick
// within ClaimLease. The common case is one create-if-absent write, which
// concurrent ticks cannot both win; taking over an existing record is a
// transaction.
func (s *Store) claim(ctx context.Context, id string, slot Slot, now time.Time) (Run, bool, error) {
	ref := s.runRef(id, slot.Day.String())
	run := Run{Day: slot.Day.String(), ScheduledAt: slot.At.UTC(), From: slot.From.String(), To: slot.To.String(),
		State: RunClaimed, ClaimedAt: now.UTC(), Attempts: 1}
	_, err := ref.Create(ctx, run)
	if err == nil {
		return run, true, nil
	}
	if status.Code(err) != codes.AlreadyExists {
		return Run{}, false, gcp.Classify("schedule.claim", err)
	}
	var out Run
	var ok bool
	err = s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		ok = false
		snap, err := tx.Get(ref)
		if err != nil {
			return err
		}
		var cur Run
		if err := snap.DataTo(&cur); err != nil {
			return err
		}
		out = cur
		if !claimable(cur, now) {
			return nil
		}
		cur.State, cur.ClaimedAt, cur.Attempts = RunClaimed, now.UTC(), cur.Attempts+1
		out, ok = cur, true
		return tx.Set(ref, cur)
	})
	return out, ok, gcp.Classify("schedule.claim", err)
}

func claimable(r Run, now time.Time) bool {
	switch r.State {
	case RunClaimed:
		return now.Sub(r.ClaimedAt) >= ClaimLease
	case RunRetry:
		return r.Attempts < MaxAttempts
	}
	return false
}

// settle records how a claimed run ended.
func (s *Store) settle(ctx context.Context, id string, run Run) error {
	_, err := s.runRef(id, run.Day).Set(ctx, run)
	return gcp.Classify("schedule.settle", err)
}

// Runs returns a schedule's newest run records, newest day first.
func (s *Store) Runs(ctx context.Context, id string, limit int) ([]Run, error) {
	it := store.QueryScheduleRunsNewest.On(s.ref(id)).Limit(limit).Documents(ctx)
	defer it.Stop()
	var out []Run
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, gcp.Classify("schedule.Runs", err)
		}
		var r Run
		if err := snap.DataTo(&r); err != nil {
			return nil, gcp.Classify("schedule.Runs", err)
		}
		out = append(out, r)
	}
}

// settledDays returns the days from since on whose runs need nothing more
// (started, or failed for good), in one query, so a tick claims only the
// rest.
func (s *Store) settledDays(ctx context.Context, id, since string) (map[string]bool, error) {
	it := store.QueryScheduleRunsSince.On(s.ref(id), since).Documents(ctx)
	defer it.Stop()
	out := map[string]bool{}
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return out, gcp.Classify("schedule.settledDays", err)
		}
		var r Run
		if err := snap.DataTo(&r); err != nil {
			return out, gcp.Classify("schedule.settledDays", err)
		}
		if r.State == RunStarted || r.State == RunFailed || r.State == RunSkipped {
			out[r.Day] = true
		}
	}
}

// failure records a start error on a run: retryable and internal errors
// leave it for the next tick (up to MaxAttempts), others (bad parameters,
// refused password) end it.
func failure(run Run, err error) Run {
	code := hoadon.ErrorCode(err)
	run.State, run.Code, run.Error = RunFailed, string(code), hoadon.ErrorMessage(err)
	if errors.Is(err, errAwaitingLogin) {
		run.State = RunSkipped
	}
	if (hoadon.Retryable(err) || code == hoadon.CodeInternal) && run.Attempts < MaxAttempts {
		run.State = RunRetry
	}
	if code == hoadon.CodeInternal {
		run.Error = "internal error; see the server log"
	}
	return run
}
