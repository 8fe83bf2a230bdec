package schedule

import (
	"context"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// The methods in this file serve the schedule API: each takes the caller's
// access and reaches only its tenant's schedules. Another tenant's schedule
// is "not found"; a role without the permission or a company outside the
// caller's allow-list is CodeForbidden.

// Get returns one of the caller's schedules, checking permission p.
func (r *Runner) Get(ctx context.Context, acc hoadon.Access, p hoadon.Permission, id string) (Schedule, error) {
	if err := acc.Allow(p); err != nil {
		return Schedule{}, err
	}
	if err := ValidateID(id); err != nil {
		return Schedule{}, err
	}
	sc, err := r.Store.In(acc.Tenant).Get(ctx, id)
	if err != nil {
		return Schedule{}, err
	}
	if !acc.CompanyAllowed(sc.Params.CompanyID) {
		return Schedule{}, hoadon.Errorf(hoadon.CodeForbidden, "this key may not reach company %s", sc.Params.CompanyID)
	}
	return sc, nil
}

// Create validates a create request and stores the schedule for the
// caller's tenant, its password sealed.
func (r *Runner) Create(ctx context.Context, acc hoadon.Access, req CreateRequest) (Schedule, error) {
	if err := acc.Allow(hoadon.PermOperate); err != nil {
		return Schedule{}, err
	}
	sc, password, err := req.Validate(r.Now())
	if err != nil {
		return Schedule{}, err
	}
	if err := acc.AllowCompany(hoadon.PermOperate, sc.Params.CompanyID); err != nil {
		return Schedule{}, err
	}
	sc.Tenant = acc.Tenant
	sc.SealedPassword = r.Box.Seal([]byte(password), store.CredentialsLabel(acc.Tenant, sc.Params.CompanyID))
	if err := r.Store.In(acc.Tenant).Create(ctx, sc); err != nil {
		return Schedule{}, err
	}
	r.noteSchedule(ctx, sc, false)
	return sc, nil
}

// noteSchedule keeps the company summary's schedule and next run.
func (r *Runner) noteSchedule(ctx context.Context, sc Schedule, deleted bool) {
	if r.Summaries == nil {
		return
	}
	id, next := sc.ID, sc.Next(r.Now())
	if deleted {
		id = ""
	}
	if err := r.Summaries.NoteSchedule(ctx, sc.Tenant, sc.Params.CompanyID, id, next); err != nil {
		r.Log.WarnContext(ctx, "updating the company's schedule", "company", sc.Params.CompanyID, "err", err)
	}
}

// List returns the caller's schedules (of its allowed companies).
func (r *Runner) List(ctx context.Context, acc hoadon.Access) ([]Schedule, error) {
	if err := acc.Allow(hoadon.PermRead); err != nil {
		return nil, err
	}
	all, err := r.Store.In(acc.Tenant).List(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, sc := range all {
		if acc.CompanyAllowed(sc.Params.CompanyID) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// Describe returns one of the caller's schedules with its newest runs.
func (r *Runner) Describe(ctx context.Context, acc hoadon.Access, id string, runs int) (View, error) {
	sc, err := r.Get(ctx, acc, hoadon.PermRead, id)
	if err != nil {
		return View{}, err
	}
	recent, err := r.Store.In(acc.Tenant).Runs(ctx, id, runs)
	if err != nil {
		return View{}, err
	}
	v := sc.View(r.Now())
	v.RecentRuns = recent
	return v, nil
}

// Delete removes one of the caller's schedules and its run records.
func (r *Runner) Delete(ctx context.Context, acc hoadon.Access, id string) error {
	sc, err := r.Get(ctx, acc, hoadon.PermOperate, id)
	if err != nil {
		return err
	}
	if err := r.Store.In(acc.Tenant).Delete(ctx, id); err != nil {
		return err
	}
	r.noteSchedule(ctx, sc, true)
	return nil
}

// SetPaused pauses or resumes one of the caller's schedules.
func (r *Runner) SetPaused(ctx context.Context, acc hoadon.Access, id string, paused bool, note string) (Schedule, error) {
	if _, err := r.Get(ctx, acc, hoadon.PermOperate, id); err != nil {
		return Schedule{}, err
	}
	if err := ValidateNote(note); err != nil {
		return Schedule{}, err
	}
	sc, err := r.Store.In(acc.Tenant).SetPaused(ctx, id, paused, note, r.Now())
	if err == nil {
		r.noteSchedule(ctx, sc, false)
	}
	return sc, err
}
