package schedule

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/secret"
	"github.com/hoadon/hoadon/shared/store"
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
	// Summaries keeps each company's schedule in its summary (nil: not kept).
	Summaries *store.Store
	// Logins tells which logins of a company the portal refused and which
	// it accepted (nil: every run tries the schedule's own).
	Logins Logins
}

// Logins reads what a tenant knows of its logins of a company;
// *store.Store is one.
type Logins interface {
	LoginState(ctx context.Context, tenant hoadon.Tenant, company string) (store.LoginState, error)
}

// New returns the Runner of an importer service: its Firestore, box, clock
// and log.
func New(svc *importer.Service) *Runner {
	return &Runner{Store: NewStore(svc.Store.Client()), Box: svc.Box, Starter: svc, Log: svc.Log, Now: svc.Now, Summaries: svc.Store, Logins: svc.Store}
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

// tickParallel bounds the schedules a tick works on at once: enough to
// start hundreds of schedules due at the same minute well within the Cloud
// Scheduler attempt deadline, few enough for one small instance.
const tickParallel = 8

// Tick starts every due run that has not started yet. Problems with one
// schedule are logged and recorded on its run; only a failure to list the
// schedules fails the tick.
func (r *Runner) Tick(ctx context.Context) (TickReport, error) {
	now := r.Now()
	all, err := r.Store.ListAll(ctx)
	if err != nil {
		return TickReport{}, err
	}
	rep := TickReport{Schedules: len(all), Started: []RunOutcome{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, tickParallel)
	for _, sc := range all {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			outs, due, missed := r.tickOne(ctx, sc, now)
			mu.Lock()
			defer mu.Unlock()
			rep.Started = append(rep.Started, outs...)
			rep.Due += due
			rep.Skipped += missed
		})
	}
	wg.Wait()
	return rep, nil
}

// tickOne starts the due runs of one schedule that are not settled yet.
func (r *Runner) tickOne(ctx context.Context, sc Schedule, now time.Time) (outs []RunOutcome, due, missed int) {
	slots, missed := sc.Due(now)
	if len(slots) == 0 && missed == 0 {
		return nil, 0, 0
	}
	st := r.Store.In(sc.Tenant)
	if missed > 0 { // after downtime: count what falls out of the window, before the runs move LastScheduled
		if err := st.noteMissed(ctx, sc.ID, now); err != nil {
			r.Log.WarnContext(ctx, "schedule: counting skipped runs", "schedule", sc.ID, "err", err)
		}
	}
	settled := map[string]bool{}
	if len(slots) > 0 {
		var err error
		if settled, err = st.settledDays(ctx, sc.ID, slots[0].Day.String()); err != nil {
			r.Log.WarnContext(ctx, "schedule: reading runs", "schedule", sc.ID, "err", err) // claim decides
		}
	}
	var fresh bool
	for _, slot := range slots {
		if settled[slot.Day.String()] {
			continue
		}
		if !fresh { // paused or deleted since the list?
			cur, err := st.Get(ctx, sc.ID)
			if err != nil || cur.Paused {
				return outs, len(slots), missed
			}
			fresh = true
		}
		if out, ok := r.runSlot(ctx, sc, slot, now); ok {
			outs = append(outs, out)
		}
	}
	return outs, len(slots), missed
}

// runSlot claims a slot and, if this tick won it, starts its import.
func (r *Runner) runSlot(ctx context.Context, sc Schedule, slot Slot, now time.Time) (RunOutcome, bool) {
	st := r.Store.In(sc.Tenant)
	run, ok, err := st.claim(ctx, sc.ID, slot, now)
	if err != nil {
		r.Log.WarnContext(ctx, "schedule: claiming a run", "schedule", sc.ID, "day", slot.Day.String(), "err", err)
		return RunOutcome{}, false
	}
	if !ok {
		return RunOutcome{}, false
	}
	imp, created, err := r.start(ctx, sc, slot.From, slot.To, sc.ID+"/"+run.Day, sc.Export)
	if err != nil && ctx.Err() != nil {
		// the tick itself was cut short: leave the claim to expire, the next
		// tick takes it over with the same Idempotency-Key
		r.Log.WarnContext(ctx, "schedule: tick ended while starting a run", "schedule", sc.ID, "day", run.Day, "err", err)
		return RunOutcome{}, false
	}
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
	}
	if serr := st.settle(ctx, sc.ID, run); serr != nil {
		log.ErrorContext(ctx, "schedule: recording the run", "err", serr) // the claim expires and the next tick repeats the start idempotently
	}
	if run.State != RunRetry {
		if aerr := st.advance(ctx, sc.ID, slot.At, run.State == RunStarted); aerr != nil {
			log.WarnContext(ctx, "schedule: recording the run on the schedule", "err", aerr)
		}
	}
	if run.State == RunStarted && sc.RecheckDue(slot) {
		r.recheck(ctx, sc, slot, run.Day)
	}
	return out, true
}

// recheck starts the weekly recheck of a schedule's past months beside a
// run. Its Idempotency-Key ("{id}/{day}/recheck") makes a repeated run
// start it once; a failure is logged, the next week tries again.
func (r *Runner) recheck(ctx context.Context, sc Schedule, slot Slot, day string) {
	from, to := importer.RecheckWindow(slot.At, sc.Recheck())
	imp, _, err := r.start(ctx, sc, from, to, sc.ID+"/"+day+"/recheck", false)
	log := r.Log.With("schedule", sc.ID, "company", sc.Params.CompanyID, "from", from.String(), "to", to.String())
	if err != nil {
		log.WarnContext(ctx, "schedule: the weekly recheck did not start", "err", err)
		return
	}
	log.InfoContext(ctx, "schedule: weekly recheck started", "import", imp.ID)
}

// Trigger starts an import of a schedule at once, for yesterday (and the
// lookback) as of now, paused or not. It writes no run record, so the
// scheduled run of the same day still happens; an identical import still
// running is returned instead of a second one (created false).
func (r *Runner) Trigger(ctx context.Context, acc hoadon.Access, id string) (hoadon.Import, bool, error) {
	sc, err := r.Get(ctx, acc, hoadon.PermOperate, id)
	if err != nil {
		return hoadon.Import{}, false, err
	}
	slot := SlotAt(r.Now(), sc.LookbackDays)
	imp, created, err := r.start(ctx, sc, slot.From, slot.To, "", sc.Export)
	if err != nil {
		return imp, created, err
	}
	if cerr := r.Store.In(sc.Tenant).countAction(ctx, sc.ID); cerr != nil {
		r.Log.WarnContext(ctx, "schedule: counting the action", "schedule", sc.ID, "err", cerr)
	}
	return imp, created, nil
}

// start opens the schedule's login and starts the import of from..to
// (writing its workbooks when it completes, with export).
func (r *Runner) start(ctx context.Context, sc Schedule, from, to hoadon.Date, idemKey string, export bool) (hoadon.Import, bool, error) {
	username, pw, err := r.login(ctx, sc)
	if err != nil {
		return hoadon.Import{}, false, err
	}
	p := sc.Params
	p.Username, p.From, p.To = username, from.String(), to.String()
	return r.Starter.Start(ctx, importer.StartRequest{Tenant: sc.Tenant, Params: p, Password: string(pw), IdempotencyKey: idemKey, Export: export})
}

// errAwaitingLogin marks a run not started because the portal refused the
// schedule's login and the company's login has not changed since.
var errAwaitingLogin = errors.New("runs are skipped until the company's credentials change (an import, or the console's password update, with the right password)")

// login is the login a run starts with. The portal refused the schedule's
// own login (compared by digest, the tenant's record of refused logins)?
// Then the company's stored login if the portal accepted another one since,
// which the schedule keeps from then on; else the run is skipped
// (errAwaitingLogin): trying a refused password each run would count
// towards the portal's account lock.
func (r *Runner) login(ctx context.Context, sc Schedule) (string, []byte, error) {
	company := sc.Params.CompanyID
	label := store.CredentialsLabel(sc.Tenant, company)
	pw, err := r.Box.Open(sc.SealedPassword, label)
	if err != nil || r.Logins == nil {
		return sc.Params.Username, pw, err
	}
	st, err := r.Logins.LoginState(ctx, sc.Tenant, company)
	if err != nil {
		return "", nil, err
	}
	if !st.IsRefused(store.LoginDigest(r.Box, company, sc.Params.Username, pw)) {
		return sc.Params.Username, pw, nil
	}
	if !st.Usable() {
		return "", nil, hoadon.Errorf(hoadon.CodeBadCredentials, "the portal refused this schedule's password for %s (%s); %w", company, st.Reason, errAwaitingLogin)
	}
	stored, err := r.Box.Open(st.Stored.SealedPassword, label)
	if err != nil {
		return "", nil, err
	}
	if err := r.Store.In(sc.Tenant).adoptLogin(ctx, sc.ID, st.Stored.Username, st.Stored.SealedPassword); err != nil {
		r.Log.WarnContext(ctx, "schedule: keeping the company's new login", "schedule", sc.ID, "err", err)
	}
	r.Log.InfoContext(ctx, "schedule: the portal refused its password; it takes the company's login accepted since", "schedule", sc.ID, "company", company)
	return st.Stored.Username, stored, nil
}
