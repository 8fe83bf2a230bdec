package schedule

import (
	"context"
	"errors"
	"slices"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// Collection names: tenants/{tenant}/schedules/{id} and
// tenants/{tenant}/schedules/{id}/runs/{day}.
const (
	colTenants   = "tenants"
	colSchedules = "schedules"
	colRuns      = "runs"
)

// Store keeps one tenant's schedules and their run records in Firestore.
type Store struct {
	fs     *firestore.Client
	tenant hoadon.Tenant
}

// NewStore returns the default tenant's Store on a Firestore client; In
// gives another tenant's.
func NewStore(fs *firestore.Client) *Store { return &Store{fs: fs, tenant: hoadon.DefaultTenant} }

// In returns the Store of a tenant's schedules.
func (s *Store) In(t hoadon.Tenant) *Store { return &Store{fs: s.fs, tenant: t.OrDefault()} }

func (s *Store) ref(id string) *firestore.DocumentRef {
	return s.fs.Collection(colTenants).Doc(string(s.tenant)).Collection(colSchedules).Doc(id)
}

func (s *Store) runRef(id, day string) *firestore.DocumentRef {
	return s.ref(id).Collection(colRuns).Doc(day)
}

// Create stores a new schedule; CodeConflict if the id is taken.
func (s *Store) Create(ctx context.Context, sc Schedule) error {
	sc.Tenant = s.tenant
	_, err := s.ref(sc.ID).Create(ctx, sc)
	if status.Code(err) == codes.AlreadyExists {
		return hoadon.Errorf(hoadon.CodeConflict, "schedule %q already exists; delete it first to replace it", sc.ID)
	}
	return gcp.Classify("schedule.Create", err)
}

// Get returns one schedule; CodeNotFound if there is none.
func (s *Store) Get(ctx context.Context, id string) (Schedule, error) {
	snap, err := s.ref(id).Get(ctx)
	if status.Code(err) == codes.NotFound {
		return Schedule{}, hoadon.Errorf(hoadon.CodeNotFound, "no schedule %q", id)
	}
	if err != nil {
		return Schedule{}, gcp.Classify("schedule.Get", err)
	}
	var sc Schedule
	if err := snap.DataTo(&sc); err != nil {
		return Schedule{}, gcp.Classify("schedule.Get", err)
	}
	sc.Tenant = s.tenant
	return sc, nil
}

// List returns every schedule, ordered by id.
func (s *Store) List(ctx context.Context) ([]Schedule, error) {
	return s.list(store.QuerySchedulesByID.On(s.fs.Collection(colTenants).Doc(string(s.tenant))).Documents(ctx), "List")
}

// ListAll returns the schedules of every tenant, for the scheduler's tick.
// Schedules still at the top-level schedules/{id} (before tenants; hoadon
// migrate moves them) are left out.
func (s *Store) ListAll(ctx context.Context) ([]Schedule, error) {
	all, err := s.list(store.QuerySchedulesAllTenants.On(s.fs).Documents(ctx), "ListAll")
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(sc Schedule) bool { return sc.Tenant == "" }), nil
}

func (s *Store) list(it *firestore.DocumentIterator, op string) ([]Schedule, error) {
	defer it.Stop()
	var out []Schedule
	for {
		snap, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, gcp.Classify("schedule."+op, err)
		}
		var sc Schedule
		if err := snap.DataTo(&sc); err != nil {
			return nil, gcp.Classify("schedule."+op, err)
		}
		if p := snap.Ref.Parent.Parent; p != nil && p.Parent.ID == colTenants {
			sc.Tenant = hoadon.Tenant(p.ID)
		} else {
			sc.Tenant = ""
		}
		out = append(out, sc)
	}
}

// Delete removes a schedule and its run records; CodeNotFound if absent.
// A run already started goes on: its import is independent.
func (s *Store) Delete(ctx context.Context, id string) error {
	if _, err := s.ref(id).Delete(ctx, firestore.Exists); err != nil {
		if status.Code(err) == codes.NotFound {
			return hoadon.Errorf(hoadon.CodeNotFound, "no schedule %q", id)
		}
		return gcp.Classify("schedule.Delete", err)
	}
	refs := s.ref(id).Collection(colRuns).DocumentRefs(ctx)
	bw := s.fs.BulkWriter(ctx)
	defer bw.End()
	for {
		r, err := refs.Next()
		if errors.Is(err, iterator.Done) {
			return nil
		}
		if err != nil {
			return gcp.Classify("schedule.Delete runs", err)
		}
		if _, err := bw.Delete(r); err != nil {
			return gcp.Classify("schedule.Delete runs", err)
		}
	}
}

// SetPaused pauses or unpauses a schedule and replaces its note when note is
// not empty. Unpausing sets ActiveSince, so the instants missed while paused
// do not run.
func (s *Store) SetPaused(ctx context.Context, id string, paused bool, note string, now time.Time) (Schedule, error) {
	var out Schedule
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		sc, err := s.txGet(tx, id)
		if err != nil {
			return err
		}
		if sc.Paused && !paused {
			sc.ActiveSince = now.UTC()
		}
		sc.Paused = paused
		if note != "" {
			sc.Note = note
		}
		sc.UpdatedAt = now.UTC()
		out = sc
		return tx.Set(s.ref(id), sc)
	})
	return out, gcp.Classify("schedule.SetPaused", err)
}

func (s *Store) txGet(tx *firestore.Transaction, id string) (Schedule, error) {
	snap, err := tx.Get(s.ref(id))
	if status.Code(err) == codes.NotFound {
		return Schedule{}, hoadon.Errorf(hoadon.CodeNotFound, "no schedule %q", id)
	}
	if err != nil {
		return Schedule{}, err
	}
	var sc Schedule
	return sc, snap.DataTo(&sc)
}

// noteMissed counts the scheduled instants since LastScheduled that fell
// out of the catch-up window unrun, and moves LastScheduled past them. It
// runs only after downtime; the transaction keeps concurrent ticks from
// counting an instant twice.
func (s *Store) noteMissed(ctx context.Context, id string, now time.Time) error {
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		sc, err := s.txGet(tx, id)
		if err != nil {
			return err
		}
		sc.Paused = false
		_, missed := sc.Due(now)
		if missed == 0 {
			return nil
		}
		seen := sc.ActiveSince.Add(-time.Nanosecond)
		if sc.LastScheduled.After(seen) {
			seen = sc.LastScheduled
		}
		ts := Times(sc.Hour, sc.Minute, seen, now.Add(-CatchUpWindow))
		return tx.Update(s.ref(id), []firestore.Update{
			{Path: "last_scheduled", Value: ts[len(ts)-1].UTC()},
			{Path: "num_skipped", Value: firestore.Increment(missed)},
		})
	})
	if hoadon.ErrorCode(err) == hoadon.CodeNotFound {
		return nil // deleted meanwhile
	}
	return gcp.Classify("schedule.noteMissed", err)
}

// advance records a settled run on its schedule: LastScheduled moves to its
// instant and, when it started an import, NumActions grows. Only the tick
// that won the run writes this, so it needs no transaction.
func (s *Store) advance(ctx context.Context, id string, at time.Time, started bool) error {
	ups := []firestore.Update{{Path: "last_scheduled", Value: at.UTC()}}
	if started {
		ups = append(ups, firestore.Update{Path: "num_actions", Value: firestore.Increment(1)})
	}
	_, err := s.ref(id).Update(ctx, ups)
	if status.Code(err) == codes.NotFound {
		return nil
	}
	return gcp.Classify("schedule.advance", err)
}

// countAction adds one to the schedule's started imports.
func (s *Store) countAction(ctx context.Context, id string) error {
	_, err := s.ref(id).Update(ctx, []firestore.Update{{Path: "num_actions", Value: firestore.Increment(1)}})
	if status.Code(err) == codes.NotFound {
		return nil
	}
	return gcp.Classify("schedule.countAction", err)
}

// adoptLogin makes a schedule start with the company's login the portal
// accepted (username and password sealed for credentials/{mst}), once the
// portal refused the schedule's own.
func (s *Store) adoptLogin(ctx context.Context, id, username, sealed string) error {
	_, err := s.ref(id).Update(ctx, []firestore.Update{{Path: "params.username", Value: username}, {Path: "password", Value: sealed}})
	if status.Code(err) == codes.NotFound {
		return nil
	}
	return gcp.Classify("schedule.adoptLogin", err)
}

// MigrateLegacy moves schedules from before tenants (schedules/{id} and
// their runs) under the default tenant; a schedule already there wins.
// With dryRun it only counts. Running it again finds nothing to move.
func (s *Store) MigrateLegacy(ctx context.Context, dryRun bool) (int, error) {
	docs, err := s.fs.Collection(colSchedules).Documents(ctx).GetAll()
	if err != nil || dryRun {
		return len(docs), gcp.Classify("schedule.MigrateLegacy", err)
	}
	dst := s.In(hoadon.DefaultTenant)
	for _, d := range docs {
		var sc Schedule
		if err := d.DataTo(&sc); err != nil {
			return 0, gcp.Classify("schedule.MigrateLegacy", err)
		}
		sc.Tenant = hoadon.DefaultTenant
		if err := dst.Create(ctx, sc); err != nil && hoadon.ErrorCode(err) != hoadon.CodeConflict {
			return 0, err
		}
		runs, err := d.Ref.Collection(colRuns).Documents(ctx).GetAll()
		if err != nil {
			return 0, gcp.Classify("schedule.MigrateLegacy", err)
		}
		bw := s.fs.BulkWriter(ctx)
		for _, r := range runs {
			bw.Create(dst.runRef(sc.ID, r.Ref.ID), r.Data())
			bw.Delete(r.Ref)
		}
		bw.End()
		if _, err := d.Ref.Delete(ctx); err != nil {
			return 0, gcp.Classify("schedule.MigrateLegacy", err)
		}
	}
	return len(docs), nil
}
