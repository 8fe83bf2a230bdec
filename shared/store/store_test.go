package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

func TestMain(m *testing.M) { firestoretest.Main(m) }

const company = "0100109106"

func newStore(t *testing.T) *store.Store {
	t.Helper()
	return store.New(firestoretest.Client(t), store.WithShards(4))
}

func params(from, to string) hoadon.ImportParams {
	return hoadon.ImportParams{
		TaskType: hoadon.TaskTypeInvoiceImport, CompanyID: company, Username: company,
		From: from, To: to, Flows: hoadon.AllFlows,
	}
}

func create(t *testing.T, s *store.Store, id string, p hoadon.ImportParams, idem string) (hoadon.Import, bool) {
	t.Helper()
	imp, created, err := s.CreateImport(context.Background(), store.CreateRequest{
		Import:         hoadon.Import{ID: id, Params: p, State: hoadon.ImportPending, CreatedAt: time.Now()},
		Login:          store.Login{Username: company, SealedPassword: "v1:sealed-" + id, Digest: "d-" + id},
		IdempotencyKey: idem,
		Events: func(imp hoadon.Import) ([]store.OutboxEvent, error) {
			return []store.OutboxEvent{{ID: "started-" + imp.ID, Type: "vn.hoadon.import.started", Data: []byte(`{}`), To: []string{"s1", "s2"}}}, nil
		},
	})
	if err != nil {
		t.Fatalf("CreateImport(%s): %v", id, err)
	}
	return imp, created
}

func TestCreateImportReturnsLiveImportForSameParams(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	a, created := create(t, s, "imp-a", params("2026-01-01", "2026-02-28"), "")
	if !created || a.ID != "imp-a" {
		t.Fatalf("first create = %s, created %v", a.ID, created)
	}
	b, created := create(t, s, "imp-b", params("2026-01-01", "2026-02-28"), "")
	if created || b.ID != "imp-a" {
		t.Fatalf("same params while live = %s, created %v; want imp-a, false", b.ID, created)
	}
	c, created := create(t, s, "imp-c", params("2026-03-01", "2026-03-31"), "")
	if !created || c.ID != "imp-c" {
		t.Fatalf("other params = %s, created %v", c.ID, created)
	}
	if _, changed, err := s.Finish(ctx, "imp-a", hoadon.ImportCompleted, "", nil); err != nil || !changed {
		t.Fatalf("Finish = %v, %v", changed, err)
	}
	if _, changed, _ := s.Finish(ctx, "imp-a", hoadon.ImportFailed, "late", nil); changed {
		t.Error("second Finish changed a final import")
	}
	d, created := create(t, s, "imp-d", params("2026-01-01", "2026-02-28"), "")
	if !created || d.ID != "imp-d" {
		t.Fatalf("same params after finish = %s, created %v; want a new import", d.ID, created)
	}
	evs, err := s.ImportEvents(ctx, "imp-a")
	if err != nil || len(evs) != 1 {
		t.Errorf("events of imp-a = %v, %v; want exactly the started event", evs, err)
	}
	// A start stores no credentials: the import keeps its own login until
	// it is final.
	if l, err := s.Credentials(ctx, hoadon.DefaultTenant, company); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Errorf("Credentials after starts = %+v %v; want not found", l, err)
	}
	if l, err := s.ImportLogin(ctx, c); err != nil || l.SealedPassword != "v1:sealed-imp-c" || l.Digest != "d-imp-c" {
		t.Errorf("ImportLogin(imp-c) = %+v %v", l, err)
	}
	if l, err := s.ImportLogin(ctx, a); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Errorf("ImportLogin of a final import = %+v %v; want its login gone", l, err)
	}
}

// TestLoginsAreStoredOnlyWhenAccepted: a refused login marks the stored one
// invalid only when it is that login; an accepted one replaces it; a stored
// login from before digests still reads and matches by its sealed value.
func TestLoginsAreStoredOnlyWhenAccepted(t *testing.T) {
	fs, ctx := firestoretest.Client(t), context.Background()
	s := store.New(fs)
	good := store.Login{Username: company, SealedPassword: "v1:good", Digest: "dg"}
	bad := store.Login{Username: company, SealedPassword: "v1:bad", Digest: "db"}
	if err := s.AcceptLogin(ctx, "acme", company, good); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkCredentialsInvalid(ctx, "acme", company, bad, "invalid_credentials"); err != nil {
		t.Fatal(err)
	}
	if l, err := s.Credentials(ctx, "acme", company); err != nil || l != good {
		t.Fatalf("after another login was refused: %+v %v; want %+v", l, err, good)
	}
	if _, err := s.Credentials(ctx, hoadon.DefaultTenant, company); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Errorf("another tenant's credentials: %v", err)
	}
	if err := s.MarkCredentialsInvalid(ctx, "acme", company, good, "locked"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Credentials(ctx, "acme", company); hoadon.ErrorCode(err) != hoadon.CodeBadCredentials {
		t.Errorf("the stored login refused: %v; want invalid_credentials", err)
	}
	if st, err := s.LoginState(ctx, "acme", company); err != nil || !st.IsRefused("db") || !st.IsRefused("dg") || st.Usable() || st.Reason != "locked" {
		t.Errorf("login state after two refusals: %+v %v", st, err)
	}
	if err := s.AcceptLogin(ctx, "acme", company, good); err != nil {
		t.Fatal(err)
	}
	if l, err := s.Credentials(ctx, "acme", company); err != nil || l != good {
		t.Errorf("accepted again: %+v %v", l, err)
	}
	// the accepted login leaves the refused ones, the other stays refused
	if st, err := s.LoginState(ctx, "acme", company); err != nil || !st.IsRefused("db") || st.IsRefused("dg") || !st.Usable() {
		t.Errorf("login state after the accept: %+v %v", st, err)
	}
	// a refusal with no login ever accepted is recorded, and stores none
	if err := s.MarkCredentialsInvalid(ctx, "initech", company, bad, "invalid_credentials"); err != nil {
		t.Fatal(err)
	}
	if st, err := s.LoginState(ctx, "initech", company); err != nil || !st.IsRefused("db") || st.Usable() {
		t.Errorf("refused first login: %+v %v", st, err)
	}
	if _, err := s.Credentials(ctx, "initech", company); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Errorf("credentials after a refused first login: %v; want not found", err)
	}
	// A document from before digests: matched by its very sealed value.
	legacy := store.Login{Username: company, SealedPassword: "v1:legacy"}
	if _, err := fs.Doc("tenants/globex/credentials/"+company).Set(ctx, map[string]any{"username": company, "password": "v1:legacy"}); err != nil {
		t.Fatal(err)
	}
	if l, err := s.Credentials(ctx, "globex", company); err != nil || l != legacy {
		t.Fatalf("legacy credentials = %+v %v", l, err)
	}
	if err := s.MarkCredentialsInvalid(ctx, "globex", company, bad, "invalid_credentials"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Credentials(ctx, "globex", company); err != nil {
		t.Errorf("legacy login after another was refused: %v", err)
	}
	if err := s.MarkCredentialsInvalid(ctx, "globex", company, legacy, "invalid_credentials"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Credentials(ctx, "globex", company); hoadon.ErrorCode(err) != hoadon.CodeBadCredentials {
		t.Errorf("legacy login refused: %v", err)
	}
}

func TestIdempotencyKey(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	a, _ := create(t, s, "imp-1", params("2026-01-01", "2026-01-31"), "key-1")
	if _, _, err := s.Finish(ctx, a.ID, hoadon.ImportCompleted, "", nil); err != nil {
		t.Fatal(err)
	}
	// The same key returns the same import even after it finished.
	b, created := create(t, s, "imp-2", params("2026-01-01", "2026-01-31"), "key-1")
	if created || b.ID != "imp-1" {
		t.Errorf("replayed key = %s, created %v; want imp-1", b.ID, created)
	}
	_, _, err := s.CreateImport(ctx, store.CreateRequest{
		Import:         hoadon.Import{ID: "imp-3", Params: params("2026-02-01", "2026-02-28"), State: hoadon.ImportPending},
		IdempotencyKey: "key-1",
	})
	if hoadon.ErrorCode(err) != hoadon.CodeConflict {
		t.Errorf("key reused with other params: err = %v, want conflict", err)
	}
}

// addDiscovered records invoices listed by an import.
func addDiscovered(t *testing.T, s *store.Store, importID string, invs []hoadon.Invoice) ([]hoadon.Invoice, error) {
	t.Helper()
	imp, err := s.Import(context.Background(), importID)
	if err != nil {
		t.Fatalf("Import(%s): %v", importID, err)
	}
	return s.AddDiscovered(context.Background(), imp, invs, nil)
}

func invoice(n int, flow hoadon.Flow) hoadon.Invoice {
	k := hoadon.InvoiceKey{NBMST: company, KHMSHDon: 1, KHHDon: "C26TAA", SHDon: int64(n)}
	return hoadon.Invoice{ID: k.ID(company, flow.Direction()), Key: k, Flow: flow, Date: "2026-01-02"}
}

func TestInvoiceLifecycleAndCounts(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	create(t, s, "imp", params("2026-01-01", "2026-01-31"), "")
	var invs []hoadon.Invoice
	for i := 1; i <= 130; i++ { // more than one transaction batch
		invs = append(invs, invoice(i, hoadon.FlowSoldEInvoice))
	}
	pending, err := addDiscovered(t, s, "imp", invs)
	if err != nil || len(pending) != 130 {
		t.Fatalf("AddDiscovered = %d pending, %v", len(pending), err)
	}
	// Discovery repeated (a workflow retry): nothing new, all still pending.
	pending, err = addDiscovered(t, s, "imp", invs)
	if err != nil || len(pending) != 130 {
		t.Fatalf("repeated AddDiscovered = %d pending, %v", len(pending), err)
	}
	outcomes := []hoadon.InvoiceStatus{hoadon.StatusStored, hoadon.StatusUnavailable, hoadon.StatusFailed}
	for i, inv := range invs[:30] {
		if _, ok, err := s.BeginDownload(ctx, "imp", inv.ID); err != nil || !ok {
			t.Fatalf("BeginDownload: %v %v", ok, err)
		}
		st := outcomes[i%3]
		_, changed, err := s.CompleteDownload(ctx, hoadon.Invoice{ImportID: "imp", ID: inv.ID}, store.Outcome{Status: st, SHA256: "abc"}, func(inv hoadon.Invoice) ([]store.OutboxEvent, error) {
			return []store.OutboxEvent{{ID: "ev-" + inv.ID, Type: "vn.hoadon.invoice." + string(inv.Status)}}, nil
		})
		if err != nil || !changed {
			t.Fatalf("CompleteDownload: %v %v", changed, err)
		}
	}
	if _, ok, _ := s.BeginDownload(ctx, "imp", invs[0].ID); ok {
		t.Error("BeginDownload of a stored invoice said proceed")
	}
	c, err := s.Counts(ctx, "imp")
	if err != nil {
		t.Fatal(err)
	}
	want := map[hoadon.InvoiceStatus]int{hoadon.StatusDiscovered: 100, hoadon.StatusStored: 10, hoadon.StatusUnavailable: 10, hoadon.StatusFailed: 10}
	for st, n := range want {
		if c.Status[st] != n {
			t.Errorf("count %s = %d, want %d (all: %v)", st, c.Status[st], n, c.Status)
		}
	}
	if c.Status[hoadon.StatusDownloading] != 0 || c.Total != 130 || c.Pending() != 100 {
		t.Errorf("downloading %d total %d pending %d", c.Status[hoadon.StatusDownloading], c.Total, c.Pending())
	}
	if c.PerFlow[hoadon.FlowSoldEInvoice][hoadon.StatusStored] != 10 {
		t.Errorf("per flow = %v", c.PerFlow)
	}
	evs, _ := s.ImportEvents(ctx, "imp")
	if len(evs) != 31 { // started + 30 outcomes
		t.Errorf("events = %d, want 31", len(evs))
	}
}

func TestRegistrySkipsAndForce(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	create(t, s, "first", params("2026-01-01", "2026-01-31"), "")
	inv := invoice(7, hoadon.FlowPurchaseEInvoice)
	if _, err := addDiscovered(t, s, "first", []hoadon.Invoice{inv}); err != nil {
		t.Fatal(err)
	}
	s.BeginDownload(ctx, "first", inv.ID)
	if _, _, err := s.CompleteDownload(ctx, hoadon.Invoice{ImportID: "first", ID: inv.ID}, store.Outcome{Status: hoadon.StatusStored}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Finish(ctx, "first", hoadon.ImportCompleted, "", nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id          string
		force       bool
		wantPending int
		want        hoadon.InvoiceStatus
	}{{"second", false, 0, hoadon.StatusSkipped}, {"forced", true, 1, hoadon.StatusDiscovered}} {
		p := params("2026-01-01", "2026-01-31")
		p.Force = tc.force
		create(t, s, tc.id, p, "")
		pending, err := addDiscovered(t, s, tc.id, []hoadon.Invoice{inv})
		if err != nil || len(pending) != tc.wantPending {
			t.Fatalf("%s: pending %d, %v", tc.id, len(pending), err)
		}
		got, err := s.Invoice(ctx, tc.id, inv.ID)
		if err != nil || got.Status != tc.want {
			t.Errorf("%s: status %s, %v; want %s", tc.id, got.Status, err, tc.want)
		}
	}
}

func TestUnavailableIsRegisteredToo(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	create(t, s, "first", params("2026-01-01", "2026-01-31"), "")
	inv := invoice(9, hoadon.FlowSoldEInvoice)
	addDiscovered(t, s, "first", []hoadon.Invoice{inv})
	s.BeginDownload(ctx, "first", inv.ID)
	if _, _, err := s.CompleteDownload(ctx, hoadon.Invoice{ImportID: "first", ID: inv.ID}, store.Outcome{Status: hoadon.StatusUnavailable}, nil); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Registered(ctx, hoadon.DefaultTenant, company, inv.ID); err != nil || !ok {
		t.Errorf("unavailable invoice not registered: %v %v", ok, err)
	}
	failed := invoice(10, hoadon.FlowSoldEInvoice)
	addDiscovered(t, s, "first", []hoadon.Invoice{failed})
	s.CompleteDownload(ctx, hoadon.Invoice{ImportID: "first", ID: failed.ID}, store.Outcome{Status: hoadon.StatusFailed}, nil)
	if ok, _ := s.Registered(ctx, hoadon.DefaultTenant, company, failed.ID); ok {
		t.Error("a failed invoice was registered: later imports would never retry it")
	}
}

func TestConcurrentCompleteChangesOnce(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	create(t, s, "imp", params("2026-01-01", "2026-01-31"), "")
	inv := invoice(1, hoadon.FlowSoldEInvoice)
	addDiscovered(t, s, "imp", []hoadon.Invoice{inv})
	// Three deliveries of the same task all start before any finishes.
	for i := 0; i < 3; i++ {
		if _, ok, err := s.BeginDownload(ctx, "imp", inv.ID); err != nil || !ok {
			t.Fatalf("BeginDownload %d: %v %v", i, ok, err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	changed := 0
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := s.CompleteDownload(ctx, hoadon.Invoice{ImportID: "imp", ID: inv.ID}, store.Outcome{Status: hoadon.StatusStored}, nil)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				changed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	c, _ := s.Counts(ctx, "imp")
	if changed != 1 || c.Status[hoadon.StatusStored] != 1 || c.Total != 1 {
		t.Errorf("changed %d times; counts %v", changed, c.Status)
	}
	got, _ := s.Invoice(ctx, "imp", inv.ID)
	if got.Attempts != 3 {
		t.Errorf("attempts = %d, want 3", got.Attempts)
	}
}

func TestLoginIsSingleFlight(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	company := store.SessionID(company, "digest-of-the-login")
	_, ok, err := s.AcquireLogin(ctx, company, "a", 0, time.Minute)
	if err != nil || !ok {
		t.Fatalf("a: %v %v", ok, err)
	}
	if _, ok, _ := s.AcquireLogin(ctx, company, "b", 0, time.Minute); ok {
		t.Fatal("b acquired a held lease")
	}
	if _, err := s.SaveSession(ctx, company, "b", "tok", time.Now().Add(time.Hour)); hoadon.ErrorCode(err) != hoadon.CodeConflict {
		t.Errorf("SaveSession by non-holder: %v", err)
	}
	ss, err := s.SaveSession(ctx, company, "a", "tok", time.Now().Add(time.Hour))
	if err != nil || ss.Generation != 1 {
		t.Fatalf("SaveSession = %+v, %v", ss, err)
	}
	got, ok, _ := s.AcquireLogin(ctx, company, "b", 0, time.Minute)
	if ok || got.SealedToken != "tok" {
		t.Errorf("b after save: acquired %v token %q; want the saved session", ok, got.SealedToken)
	}
	// b found the token rejected (generation 1): it may log in again.
	if _, ok, _ := s.AcquireLogin(ctx, company, "b", 1, time.Minute); !ok {
		t.Error("b could not replace a stale generation")
	}
	if err := s.ReleaseLogin(ctx, company, "b", hoadon.CodeBadCredentials, "wrong password"); err != nil {
		t.Fatal(err)
	}
	ss, _ = s.Session(ctx, company)
	if ss.FailCode != string(hoadon.CodeBadCredentials) || ss.LeaseHolder != "" {
		t.Errorf("after release: %+v", ss)
	}
	if err := s.InvalidateSession(ctx, company, 1); err != nil {
		t.Fatal(err)
	}
	if ss, _ = s.Session(ctx, company); ss.SealedToken != "" {
		t.Error("InvalidateSession kept the token")
	}
}

// TestSessionsArePerLogin: the session of one login is not another's.
func TestSessionsArePerLogin(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	right, wrong := store.SessionID(company, "right"), store.SessionID(company, "wrong")
	if right == wrong {
		t.Fatalf("one session id %q for two logins", right)
	}
	if _, ok, err := s.AcquireLogin(ctx, right, "a", 0, time.Minute); err != nil || !ok {
		t.Fatalf("acquire: %v %v", ok, err)
	}
	if _, err := s.SaveSession(ctx, right, "a", "tok", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ss, ok, err := s.AcquireLogin(ctx, wrong, "b", 0, time.Minute)
	if err != nil || !ok || ss.SealedToken != "" {
		t.Fatalf("another login got %+v, acquired %v, %v; want its own login", ss, ok, err)
	}
	if err := s.ReleaseLogin(ctx, wrong, "b", hoadon.CodeBadCredentials, "wrong password"); err != nil {
		t.Fatal(err)
	}
	if ss, _ := s.Session(ctx, right); ss.SealedToken != "tok" || ss.FailCode != "" || ss.Generation != 1 {
		t.Errorf("the accepted login's session after the refusal: %+v", ss)
	}
}

func TestOutboxPendingAndDelivered(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s := store.New(firestoretest.Client(t), store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	create(t, s, "imp", params("2026-01-01", "2026-01-31"), "")
	later := now.Add(time.Second)
	ev, _ := s.PendingEvents(ctx, later, 10)
	if len(ev) != 1 || ev[0].Tenant != hoadon.DefaultTenant || len(ev[0].To) != 2 {
		t.Fatalf("pending = %+v; want one event of the default tenant owed to s1 and s2", ev)
	}
	s.MarkDelivered(ctx, ev[0].ID, "s1", nil) // the event's own To decides
	if ev, _ := s.PendingEvents(ctx, later, 10); len(ev) != 1 {
		t.Error("event left pending list after one of two subscribers")
	}
	s.MarkDelivered(ctx, ev[0].ID, "s2", nil)
	if ev, _ := s.PendingEvents(ctx, later, 10); len(ev) != 0 {
		t.Error("delivered event still pending")
	}
	_, delivered, err := s.Event(ctx, ev[0].ID)
	if err != nil || len(delivered) != 2 {
		t.Errorf("delivered = %v, %v", delivered, err)
	}
}

func TestStaleAndRates(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	now := t0
	s := store.New(firestoretest.Client(t), store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	create(t, s, "imp", params("2026-01-01", "2026-01-31"), "")
	var invs []hoadon.Invoice
	for i := 0; i < 5; i++ {
		invs = append(invs, invoice(i, hoadon.FlowSoldEInvoice))
	}
	addDiscovered(t, s, "imp", invs)
	now = t0.Add(time.Hour)
	s.BeginDownload(ctx, "imp", invs[0].ID) // touched now: not stale
	stale, err := s.Stale(ctx, "imp", t0.Add(time.Minute), 10)
	if err != nil || len(stale) != 4 {
		t.Errorf("Stale = %d, %v; want 4", len(stale), err)
	}
	st, changed, err := s.UpdateRate(ctx, company, func(r *store.RateState) bool {
		if r.Rate == 0 {
			r.Rate = 5
		}
		r.Rate /= 2
		return true
	})
	if err != nil || !changed || st.Rate != 2.5 {
		t.Errorf("UpdateRate = %+v %v %v", st, changed, err)
	}
	if diff := cmp.Diff(fmt.Sprint(2.5), fmt.Sprint(st.Rate)); diff != "" {
		t.Error(diff)
	}
}
