package schedule

import (
	"bytes"
	"context"
	"log/slog"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/secret"
)

// Starter starts an import; *importer.Service is one.
type Starter interface {
	Start(ctx context.Context, req importer.StartRequest) (hoadon.Import, bool, error)
}

// Runner starts the runs of schedules: on a tick, the due ones; on a
// trigger, one at once.
type Runner struct {
	Store   *Store
	Box     *secret.Box
	Starter Starter
	Log     *slog.Logger
	Now     func() time.Time
}

// New returns the Runner of an importer service: its Firestore, box, clock
// and log.
func New(svc *importer.Service) *Runner {
	return &Runner{Store: NewStore(svc.Store.Client()), Box: svc.Box, Starter: svc, Log: svc.Log, Now: svc.Now}
}

// TickReport says what one tick did.
type TickReport struct {
	Schedules int          `json:"schedules"` // schedules looked at
	Due       int          `json:"due"`       // runs due (including those already started)
	Started   []RunOutcome `json:"started"`   // runs this tick claimed, with their outcome
	Skipped   int          `json:"skipped"`   // instants beyond the catch-up window, not run
}

// RunOutcome is one run a tick or trigger handled.
type RunOutcome struct {
	ScheduleID string   `json:"schedule_id"`
	Day        string   `json:"day"`
	State      RunState `json:"state"`
	ImportID   string   `json:"task_id,omitempty"`
	Created    bool     `json:"created"`
	Error      string   `json:"error,omitempty"`
}

// Tick starts every due run that has not started yet. Problems with one
// schedule are logged and recorded on its run; only a failure to list the
// schedules fails the tick.
func (r *Runner) Tick(ctx context.Context) (TickReport, error) {
	now := r.Now()
	all, err := r.Store.List(ctx)
	if err != nil {
		return TickReport{}, err
	}
	rep := TickReport{Schedules: len(all), Started: []RunOutcome{}}
	for _, sc := range all {
		due, missed := sc.Due(now)
		rep.Due += len(due)
		rep.Skipped += missed
		for _, slot := range due {
			if out, ok := r.runSlot(ctx, sc, slot, now); ok {
				rep.Started = append(rep.Started, out)
			}
		}
		if len(due) > 0 || missed > 0 {
			newest := now.Add(-CatchUpWindow)
			if len(due) > 0 {
				newest = due[len(due)-1].At
			}
			if err := r.Store.noteTick(ctx, sc.ID, newest, now); err != nil {
				r.Log.WarnContext(ctx, "schedule: recording the tick", "schedule", sc.ID, "err", err)
			}
		}
	}
	return rep, nil
}

// runSlot claims a slot and, if this tick won it, starts its import.
func (r *Runner) runSlot(ctx context.Context, sc Schedule, slot Slot, now time.Time) (RunOutcome, bool) {
	run, ok, err := r.Store.claim(ctx, sc.ID, slot, now)
	if err != nil {
		r.Log.WarnContext(ctx, "schedule: claiming a run", "schedule", sc.ID, "day", slot.Day.String(), "err", err)
		return RunOutcome{}, false
	}
	if !ok {
		return RunOutcome{}, false
	}
	imp, created, err := r.start(ctx, sc, slot.From, slot.To, sc.ID+"/"+run.Day)
	switch {
	case err != nil && imp.ID == "":
		run = failure(run, err)
	case err != nil: // the import exists but its workflow did not start: it is failed, visible in the task API
		run = failure(run, err)
		run.State, run.ImportID = RunFailed, imp.ID
	default:
		run.State, run.ImportID, run.Code, run.Error = RunStarted, imp.ID, "", ""
	}
	out := RunOutcome{ScheduleID: sc.ID, Day: run.Day, State: run.State, ImportID: run.ImportID, Created: created, Error: run.Error}
	log := r.Log.With("schedule", sc.ID, "company", sc.Params.CompanyID, "day", run.Day, "state", run.State, "import", run.ImportID)
	if err != nil {
		log.WarnContext(ctx, "schedule: run did not start", "attempt", run.Attempts, "err", err)
	} else {
		log.InfoContext(ctx, "schedule: run started", "from", run.From, "to", run.To, "created", created)
		if cerr := r.Store.countAction(ctx, sc.ID); cerr != nil {
			log.WarnContext(ctx, "schedule: counting the action", "err", cerr)
		}
	}
	if serr := r.Store.settle(ctx, sc.ID, run); serr != nil {
		log.ErrorContext(ctx, "schedule: recording the run", "err", serr) // the claim expires and the next tick repeats the start idempotently
	}
	return out, true
}

// Trigger starts an import of a schedule at once, for yesterday (and the
// lookback) as of now, paused or not. It writes no run record, so the
// scheduled run of the same day still happens; an identical import still
// running is returned instead of a second one (created false).
func (r *Runner) Trigger(ctx context.Context, id string) (hoadon.Import, bool, error) {
	sc, err := r.Store.Get(ctx, id)
	if err != nil {
		return hoadon.Import{}, false, err
	}
	slot := SlotAt(r.Now(), sc.LookbackDays)
	imp, created, err := r.start(ctx, sc, slot.From, slot.To, "")
	if err != nil {
		return imp, created, err
	}
	if cerr := r.Store.countAction(ctx, sc.ID); cerr != nil {
		r.Log.WarnContext(ctx, "schedule: counting the action", "schedule", sc.ID, "err", cerr)
	}
	return imp, created, nil
}

// start opens the schedule's password and starts the import of from..to.
func (r *Runner) start(ctx context.Context, sc Schedule, from, to hoadon.Date, idemKey string) (hoadon.Import, bool, error) {
	pw, err := r.Box.Open(sc.SealedPassword, where(sc.Params.CompanyID))
	if err != nil {
		return hoadon.Import{}, false, err
	}
	if err := r.refused(ctx, sc.Params.CompanyID, pw); err != nil {
		return hoadon.Import{}, false, err
	}
	p := sc.Params
	p.From, p.To = from.String(), to.String()
	return r.Starter.Start(ctx, importer.StartRequest{Params: p, Password: string(pw), IdempotencyKey: idemKey})
}

// refused fails with CodeBadCredentials when the portal already refused
// this very password for the company: trying it daily would lock the
// account. A different password (the schedule was created again, or a
// manual import stored another one) goes ahead.
func (r *Runner) refused(ctx context.Context, company string, pw []byte) error {
	sealed, reason, err := r.Store.refusedPassword(ctx, company)
	if err != nil || sealed == "" {
		return err
	}
	stored, err := r.Box.Open(sealed, where(company))
	if err != nil || !bytes.Equal(stored, pw) {
		return nil // unreadable or another password: the importer decides
	}
	return hoadon.Errorf(hoadon.CodeBadCredentials, "the portal refused this schedule's password for %s (%s); delete the schedule and create it again with the right password", company, reason)
}
