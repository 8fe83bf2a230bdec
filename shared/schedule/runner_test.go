package schedule_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/schedule"
	"github.com/hoadon/hoadon/shared/secret"
	"github.com/hoadon/hoadon/shared/store"
)

func TestMain(m *testing.M) { firestoretest.Main(m) }

const mst = "0100109106"

// recorder stands in for the importer: it records each start and answers
// like it does for a repeated Idempotency-Key. fail, when set, answers
// errors instead.
type recorder struct {
	mu    sync.Mutex
	reqs  []importer.StartRequest
	byKey map[string]string
	fail  error
}

func (r *recorder) Start(_ context.Context, req importer.StartRequest) (hoadon.Import, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return hoadon.Import{}, false, r.fail
	}
	if id, ok := r.byKey[req.IdempotencyKey]; ok && req.IdempotencyKey != "" {
		return hoadon.Import{ID: id, Params: req.Params}, false, nil
	}
	r.reqs = append(r.reqs, req)
	id := fmt.Sprintf("imp-%d", len(r.reqs))
	r.byKey[req.IdempotencyKey] = id
	return hoadon.Import{ID: id, Params: req.Params, State: hoadon.ImportPending}, true, nil
}

func (r *recorder) starts() []importer.StartRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]importer.StartRequest(nil), r.reqs...)
}

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(s string)   { c.mu.Lock(); defer c.mu.Unlock(); c.t = vn(s) }

type fixture struct {
	runner *schedule.Runner
	rec    *recorder
	clock  *clock
	box    *secret.Box
	fs     *store.Store
	raw    *firestore.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	fs := firestoretest.Client(t)
	f := &fixture{rec: &recorder{byKey: map[string]string{}}, clock: &clock{}, box: box, fs: store.New(fs), raw: fs}
	f.runner = &schedule.Runner{Store: schedule.NewStore(fs), Box: box, Starter: f.rec,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: f.clock.Now}
	return f
}

func intp(n int) *int { return &n }

// body is a schedule at 06:00 without the weekly recheck (TestWeeklyRecheck
// turns it on).
func body(id string) schedule.CreateRequest {
	return schedule.CreateRequest{ScheduleID: id, TaskType: hoadon.TaskTypeInvoiceImport, Hour: intp(6), Minute: intp(0), RecheckMonths: intp(0),
		TaskParams: schedule.CreateParams{CompanyID: mst, Credentials: &schedule.Credentials{Username: mst, Password: "pw-1"}}}
}

// create stores a schedule created at the clock's time.
func (f *fixture) create(t *testing.T, req schedule.CreateRequest) schedule.Schedule {
	t.Helper()
	sc, pw, err := req.Validate(f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	sc.SealedPassword = f.box.Seal([]byte(pw), "credentials/"+mst)
	if err := f.runner.Store.Create(context.Background(), sc); err != nil {
		t.Fatal(err)
	}
	return sc
}

func (f *fixture) tick(t *testing.T) schedule.TickReport {
	t.Helper()
	rep, err := f.runner.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestTickStartsOncePerDay(t *testing.T) {
	f := newFixture(t)
	f.clock.Set("2026-11-20 09:00")
	f.create(t, body("daily"))
	f.clock.Set("2026-11-21 05:59")
	if rep := f.tick(t); len(rep.Started) != 0 {
		t.Fatalf("before the hour: started %v", rep.Started)
	}
	f.clock.Set("2026-11-21 06:02")
	var wg sync.WaitGroup
	for range 4 { // concurrent ticks
		wg.Go(func() { f.tick(t) })
	}
	wg.Wait()
	f.clock.Set("2026-11-21 18:00") // late, repeated tick
	f.tick(t)
	got := f.rec.starts()
	if len(got) != 1 {
		t.Fatalf("%d imports started, want 1: %+v", len(got), got)
	}
	r := got[0]
	if r.Params.From != "2026-11-20" || r.Params.To != "2026-11-20" || r.IdempotencyKey != "daily/2026-11-20" || r.Password != "pw-1" {
		t.Fatalf("start = %+v", r)
	}
	runs, err := f.runner.Store.Runs(context.Background(), "daily", 10)
	if err != nil || len(runs) != 1 || runs[0].State != schedule.RunStarted || runs[0].ImportID != "imp-1" {
		t.Fatalf("runs = %+v, %v", runs, err)
	}
	sc, _ := f.runner.Store.Get(context.Background(), "daily")
	if sc.NumActions != 1 {
		t.Fatalf("num_actions = %d", sc.NumActions)
	}
	f.clock.Set("2026-11-22 06:00")
	f.tick(t)
	if got := f.rec.starts(); len(got) != 2 || got[1].Params.From != "2026-11-21" {
		t.Fatalf("next day: %+v", got)
	}
}

func TestTickCatchUpLookbackAndPause(t *testing.T) {
	f := newFixture(t)
	f.clock.Set("2026-11-01 12:00")
	req := body("lb")
	req.TaskParams.LookbackDays = intp(2)
	f.create(t, req)
	f.clock.Set("2026-11-02 06:00")
	f.tick(t)                       // the run of the 1st
	f.clock.Set("2026-11-10 08:00") // down from the 2nd to the 10th
	rep := f.tick(t)
	var froms []string
	for _, r := range f.rec.starts() {
		froms = append(froms, r.Params.From+".."+r.Params.To)
	}
	want := []string{"2026-10-30..2026-11-01", "2026-11-05..2026-11-07", "2026-11-06..2026-11-08", "2026-11-07..2026-11-09"}
	if !equal(froms, want) {
		t.Fatalf("ranges %v, want %v", froms, want)
	}
	if rep.Skipped != 5 { // the instants of the 3rd..7th
		t.Fatalf("skipped %d, want 5", rep.Skipped)
	}
	if sc, _ := f.runner.Store.Get(context.Background(), "lb"); sc.NumSkipped != 5 {
		t.Fatalf("num_skipped = %d", sc.NumSkipped)
	}
	if rep := f.tick(t); rep.Skipped != 0 || len(rep.Started) != 0 {
		t.Fatalf("repeat tick: %+v", rep)
	}

	ctx := context.Background()
	if _, err := f.runner.Store.SetPaused(ctx, "lb", true, "holiday", f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.clock.Set("2026-11-12 06:00")
	if rep := f.tick(t); len(rep.Started) != 0 || rep.Due != 0 {
		t.Fatalf("paused tick: %+v", rep)
	}
	imp, created, err := f.runner.Trigger(ctx, hoadon.AdminOf(hoadon.DefaultTenant), "lb") // trigger works when paused
	if err != nil || !created || imp.Params.From != "2026-11-09" || imp.Params.To != "2026-11-11" {
		t.Fatalf("trigger: %+v %v %v", imp.Params, created, err)
	}
	f.clock.Set("2026-11-12 07:00")
	sc, err := f.runner.Store.SetPaused(ctx, "lb", false, "", f.clock.Now())
	if err != nil || sc.Paused || sc.Note != "holiday" {
		t.Fatalf("unpause: %+v %v", sc, err)
	}
	n := len(f.rec.starts())
	if rep := f.tick(t); len(rep.Started) != 0 { // instants while paused do not run
		t.Fatalf("after unpause: %+v", rep)
	}
	f.clock.Set("2026-11-13 06:00")
	f.tick(t)
	if got := f.rec.starts(); len(got) != n+1 || got[n].Params.To != "2026-11-12" {
		t.Fatalf("first run after unpause: %+v", got[n:])
	}
}

func TestTickFailures(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.Set("2026-11-01 12:00")
	f.create(t, body("f"))
	f.clock.Set("2026-11-02 06:00")
	f.rec.fail = hoadon.Errorf(hoadon.CodeTransient, "firestore unavailable")
	f.tick(t)
	runs, _ := f.runner.Store.Runs(ctx, "f", 1)
	if len(runs) != 1 || runs[0].State != schedule.RunRetry || runs[0].Attempts != 1 {
		t.Fatalf("after a transient failure: %+v", runs)
	}
	f.rec.fail = nil
	f.tick(t)
	runs, _ = f.runner.Store.Runs(ctx, "f", 1)
	if len(f.rec.starts()) != 1 || runs[0].State != schedule.RunStarted || runs[0].Attempts != 2 {
		t.Fatalf("retry: starts %d, run %+v", len(f.rec.starts()), runs)
	}

	f.clock.Set("2026-11-03 06:00")
	f.rec.fail = hoadon.Errorf(hoadon.CodeInvalid, "task_params.flows: bad")
	f.tick(t)
	f.rec.fail = nil
	f.tick(t)
	runs, _ = f.runner.Store.Runs(ctx, "f", 1)
	if len(f.rec.starts()) != 1 || runs[0].Day != "2026-11-02" || runs[0].State != schedule.RunFailed || runs[0].Code != "invalid" {
		t.Fatalf("permanent failure: starts %d, run %+v", len(f.rec.starts()), runs)
	}
}

// TestRefusedPasswordIsNotRetried: once the portal refused a schedule's
// password (the tenant's record of refused logins holds its digest), its
// runs are skipped, with the reason on the run, whether or not that
// password was ever the stored one; once the portal accepts another login
// of the company, the next run starts with it and the schedule keeps it.
// A schedule whose password was not refused goes ahead.
func TestRefusedPasswordIsNotRetried(t *testing.T) {
	f := newFixture(t)
	f.runner.Logins = f.fs
	ctx := context.Background()
	login := func(pw string) store.Login {
		return store.Login{Username: mst, SealedPassword: f.box.Seal([]byte(pw), "credentials/"+mst), Digest: store.LoginDigest(f.box, mst, mst, []byte(pw))}
	}
	f.clock.Set("2026-11-01 12:00")
	f.create(t, body("pw"))
	// the portal refused pw-1, never accepted (no stored login)
	if err := f.fs.MarkCredentialsInvalid(ctx, hoadon.DefaultTenant, mst, login("pw-1"), "invalid_credentials"); err != nil {
		t.Fatal(err)
	}
	for _, day := range []string{"2026-11-02 06:00", "2026-11-03 06:00"} {
		f.clock.Set(day)
		f.tick(t)
	}
	runs, _ := f.runner.Store.Runs(ctx, "pw", 5)
	if len(f.rec.starts()) != 0 || len(runs) != 2 {
		t.Fatalf("refused password: starts %d, runs %+v", len(f.rec.starts()), runs)
	}
	for _, r := range runs {
		if r.State != schedule.RunSkipped || r.Code != string(hoadon.CodeBadCredentials) || !strings.Contains(r.Error, "skipped until the company's credentials change") {
			t.Errorf("run %+v; want skipped, invalid_credentials, with why", r)
		}
	}
	// a schedule with another password goes ahead
	req := body("pw2")
	req.TaskParams.Credentials.Password = "pw-2"
	f.clock.Set("2026-11-03 12:00")
	f.create(t, req)
	f.clock.Set("2026-11-04 06:00")
	f.tick(t)
	got := f.rec.starts()
	if len(got) != 1 || got[0].Password != "pw-2" {
		t.Fatalf("another password: %d starts", len(got))
	}
	// the portal accepts pw-3 (an import with the right password): the
	// refused schedule starts with it, and keeps it
	if err := f.fs.AcceptLogin(ctx, hoadon.DefaultTenant, mst, login("pw-3")); err != nil {
		t.Fatal(err)
	}
	f.clock.Set("2026-11-05 06:00")
	f.tick(t)
	got = f.rec.starts()
	byPw := map[string]int{}
	for _, g := range got[1:] {
		byPw[g.Password]++
	}
	if len(got) != 3 || byPw["pw-3"] != 1 || byPw["pw-2"] != 1 {
		t.Fatalf("after a new login was accepted: starts %+v", got)
	}
	sc, err := f.runner.Store.Get(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if pw, err := f.box.Open(sc.SealedPassword, "credentials/"+mst); err != nil || string(pw) != "pw-3" {
		t.Errorf("the schedule keeps %q %v; want pw-3", pw, err)
	}
	// the stored login refused in turn: skipped again
	if err := f.fs.MarkCredentialsInvalid(ctx, hoadon.DefaultTenant, mst, login("pw-3"), "locked"); err != nil {
		t.Fatal(err)
	}
	f.clock.Set("2026-11-06 06:00")
	f.tick(t)
	runs, _ = f.runner.Store.Runs(ctx, "pw", 1)
	if runs[0].State != schedule.RunSkipped || !strings.Contains(runs[0].Error, "locked") {
		t.Errorf("stored login refused: run %+v", runs[0])
	}
}

func TestStore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.Set("2026-11-01 12:00")
	f.create(t, body("b"))
	f.create(t, body("a"))
	sc, pw, _ := body("a").Validate(f.clock.Now())
	sc.SealedPassword = f.box.Seal([]byte(pw), "credentials/"+mst)
	if err := f.runner.Store.Create(ctx, sc); hoadon.ErrorCode(err) != hoadon.CodeConflict {
		t.Fatalf("duplicate id: %v", err)
	}
	all, err := f.runner.Store.List(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "a" || all[1].ID != "b" {
		t.Fatalf("List = %+v, %v", all, err)
	}
	if all[0].SealedPassword == "" || all[0].SealedPassword == "pw-1" {
		t.Fatalf("password stored as %q", all[0].SealedPassword)
	}
	f.clock.Set("2026-11-02 06:00")
	f.tick(t)
	if err := f.runner.Store.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.runner.Store.Get(ctx, "a"); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Fatalf("Get after delete: %v", err)
	}
	if runs, err := f.runner.Store.Runs(ctx, "a", 10); err != nil || len(runs) != 0 {
		t.Fatalf("runs after delete: %+v %v", runs, err)
	}
	if err := f.runner.Store.Delete(ctx, "a"); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := f.runner.Store.SetPaused(ctx, "zz", true, "", f.clock.Now()); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Fatalf("pause unknown: %v", err)
	}
	if _, _, err := f.runner.Trigger(ctx, hoadon.AdminOf(hoadon.DefaultTenant), "zz"); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Fatalf("trigger unknown: %v", err)
	}
}

func TestCrashedClaimIsTakenOver(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.Set("2026-11-01 12:00")
	f.create(t, body("c"))
	// a tick claimed the 1st at 06:00:30, started the import and crashed
	// before recording it
	f.rec.Start(ctx, importer.StartRequest{IdempotencyKey: "c/2026-11-01"})
	_, err := f.raw.Doc("tenants/default/schedules/c/runs/2026-11-01").Set(ctx, schedule.Run{Day: "2026-11-01", State: schedule.RunClaimed,
		Attempts: 1, ClaimedAt: vn("2026-11-02 06:00").Add(30 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set("2026-11-02 06:01")
	if rep := f.tick(t); len(rep.Started) != 0 {
		t.Fatalf("claim within its lease taken over: %+v", rep)
	}
	f.clock.Set("2026-11-02 06:03")
	rep := f.tick(t)
	if len(rep.Started) != 1 || rep.Started[0].Created || rep.Started[0].ImportID != "imp-1" {
		t.Fatalf("takeover: %+v", rep.Started)
	}
	if n := len(f.rec.starts()); n != 1 {
		t.Fatalf("%d imports, want 1", n)
	}
}

var ticksN = 3

func TestConcurrentTicksManySchedules(t *testing.T) {
	f := newFixture(t)
	f.clock.Set("2026-11-01 12:00")
	for i := range 20 {
		f.create(t, body(fmt.Sprintf("s%02d", i)))
	}
	f.clock.Set("2026-11-02 06:00")
	var wg sync.WaitGroup
	t0 := time.Now()
	for range ticksN {
		wg.Go(func() { f.tick(t) })
	}
	wg.Wait()
	t.Logf("ticks took %s", time.Since(t0))
	keys := map[string]bool{}
	for _, r := range f.rec.starts() {
		keys[r.IdempotencyKey] = true
	}
	if len(f.rec.starts()) != 20 || len(keys) != 20 {
		t.Fatalf("%d starts, %d distinct keys; want 20", len(f.rec.starts()), len(keys))
	}
}

func TestRetriesAreBounded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.Set("2026-11-01 12:00")
	f.create(t, body("r"))
	f.clock.Set("2026-11-02 06:00")
	f.rec.fail = hoadon.Errorf(hoadon.CodeTransient, "unavailable")
	for range schedule.MaxAttempts + 2 {
		f.tick(t)
	}
	runs, _ := f.runner.Store.Runs(ctx, "r", 1)
	if len(runs) != 1 || runs[0].State != schedule.RunFailed || runs[0].Attempts != schedule.MaxAttempts {
		t.Fatalf("after %d failing ticks: %+v", schedule.MaxAttempts+2, runs)
	}
}

// cancelling records the start and cancels the tick's context, as a
// Cloud Scheduler deadline would.
type cancelling struct {
	*recorder
	cancel context.CancelFunc
}

func (c cancelling) Start(ctx context.Context, req importer.StartRequest) (hoadon.Import, bool, error) {
	c.cancel()
	return hoadon.Import{}, false, ctx.Err()
}

func TestCutTickLeavesTheClaim(t *testing.T) {
	f := newFixture(t)
	f.clock.Set("2026-11-01 12:00")
	f.create(t, body("cut"))
	f.clock.Set("2026-11-02 06:00")
	ctx, cancel := context.WithCancel(context.Background())
	f.runner.Starter = cancelling{f.rec, cancel}
	f.runner.Tick(ctx)
	f.runner.Starter = f.rec
	runs, _ := f.runner.Store.Runs(context.Background(), "cut", 1)
	if len(runs) != 1 || runs[0].State != schedule.RunClaimed {
		t.Fatalf("cut tick: %+v", runs)
	}
	f.clock.Set("2026-11-02 06:03") // after the lease
	f.tick(t)
	if got := f.rec.starts(); len(got) != 1 || got[0].IdempotencyKey != "cut/2026-11-01" {
		t.Fatalf("takeover: %+v", got)
	}
}

func TestWeeklyRecheck(t *testing.T) {
	f := newFixture(t)
	f.clock.Set("2026-11-27 09:00")
	weekly := body("weekly")
	weekly.RecheckMonths = nil // the default, 2
	f.create(t, weekly)
	f.create(t, body("off"))
	bad := body("bad")
	bad.RecheckMonths = intp(13)
	if _, _, err := bad.Validate(f.clock.Now()); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Fatalf("recheck_months 13: %v", err)
	}
	for _, at := range []string{"2026-11-28 06:05", "2026-11-29 06:05"} { // days Friday and Saturday
		f.clock.Set(at)
		f.tick(t)
	}
	if got := f.rec.starts(); len(got) != 4 {
		t.Fatalf("Saturday and Sunday: %d starts, want 4 daily imports: %+v", len(got), got)
	}
	f.clock.Set("2026-11-30 06:05") // Monday: its day is a Sunday
	f.tick(t)
	f.clock.Set("2026-11-30 07:00") // a repeated tick starts nothing more
	f.tick(t)
	var rechecks []importer.StartRequest
	for _, r := range f.rec.starts() {
		if r.Params.From != r.Params.To {
			rechecks = append(rechecks, r)
		}
	}
	if n := len(f.rec.starts()); n != 7 || len(rechecks) != 1 {
		t.Fatalf("Monday: %d starts, %d rechecks; want 6 daily + 1 recheck: %+v", n, len(rechecks), f.rec.starts())
	}
	r := rechecks[0]
	if r.Params.From != "2026-09-01" || r.Params.To != "2026-10-31" || r.IdempotencyKey != "weekly/2026-11-29/recheck" || r.Password != "pw-1" {
		t.Fatalf("recheck start %+v", r)
	}
	sc, _ := f.runner.Store.Get(context.Background(), "weekly")
	if sc.View(f.clock.Now()).TaskParams.RecheckMonths != 2 {
		t.Errorf("view: recheck_months %d", sc.View(f.clock.Now()).TaskParams.RecheckMonths)
	}
}

// TestMigrateLegacy: a schedule stored before tenants (schedules/{id}) is
// not run from there; once migrated it is the default tenant's, with its
// runs, and runs again; another tenant does not see it.
func TestMigrateLegacy(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clock.Set("2026-11-01 12:00")
	sc, pw, err := body("old").Validate(f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	sc.SealedPassword = f.box.Seal([]byte(pw), "credentials/"+mst)
	if _, err := f.raw.Doc("schedules/old").Set(ctx, sc); err != nil {
		t.Fatal(err)
	}
	if _, err := f.raw.Doc("schedules/old/runs/2026-10-31").Set(ctx, schedule.Run{Day: "2026-10-31", State: schedule.RunStarted}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set("2026-11-02 06:01")
	if rep := f.tick(t); rep.Schedules != 0 {
		t.Fatalf("tick ran a schedule from the old place: %+v", rep)
	}
	if n, err := f.runner.Store.MigrateLegacy(ctx, true); err != nil || n != 1 {
		t.Fatalf("dry run = %d, %v", n, err)
	}
	if n, err := f.runner.Store.MigrateLegacy(ctx, false); err != nil || n != 1 {
		t.Fatalf("migration = %d, %v", n, err)
	}
	runs, err := f.runner.Store.Runs(ctx, "old", 10)
	if err != nil || len(runs) != 1 || runs[0].Day != "2026-10-31" {
		t.Errorf("runs after migration = %+v, %v", runs, err)
	}
	if _, err := f.runner.Get(ctx, hoadon.Access{Tenant: "acme", Role: hoadon.RoleAdmin}, hoadon.PermRead, "old"); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Errorf("another tenant reads it: %v", err)
	}
	if rep := f.tick(t); rep.Schedules != 1 || len(rep.Started) != 1 {
		t.Errorf("tick after migration = %+v", rep)
	}
	if n, err := f.runner.Store.MigrateLegacy(ctx, false); err != nil || n != 0 {
		t.Errorf("second run = %d, %v", n, err)
	}
}

// TestExportOption: a schedule with export starts its daily imports with
// Export (the import writes its workbooks and sends export.ready when it
// completes), one without does not; the option is stored and shown.
func TestExportOption(t *testing.T) {
	f := newFixture(t)
	f.clock.Set("2026-11-20 09:00")
	with := body("with-export")
	with.Export = true
	f.create(t, with)
	f.create(t, body("without"))
	f.clock.Set("2026-11-21 06:05")
	f.tick(t)
	got := map[string]bool{}
	for _, r := range f.rec.starts() {
		got[strings.Split(r.IdempotencyKey, "/")[0]] = r.Export
	}
	if len(got) != 2 || !got["with-export"] || got["without"] {
		t.Fatalf("starts' export: %v", got)
	}
	for id, want := range map[string]bool{"with-export": true, "without": false} {
		sc, err := f.runner.Store.Get(context.Background(), id)
		if err != nil || sc.Export != want || sc.View(f.clock.Now()).TaskParams.Export != want {
			t.Errorf("%s: stored export %v, shown %v, want %v (%v)", id, sc.Export, sc.View(f.clock.Now()).TaskParams.Export, want, err)
		}
	}
}
