package importer

import (
	"context"
	"crypto/rand"
	"log/slog"
	"testing"
	"time"

	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/secret"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/throttle"
)

// TestSessionCache: the downloads of a running import reuse this process's
// copy of the import's login and of its portal session, without reading
// them from the store again — a session the store no longer holds is still
// served while it is valid — and a token the portal rejected is never
// served again: after dropSession, and for a caller that saw its
// generation rejected, the next session is a new login.
func TestSessionCache(t *testing.T) {
	ctx := context.Background()
	st := store.New(firestoretest.Client(t))
	opts := gdtsim.DefaultOptions()
	opts.Companies = 1
	s, _, imp := importOfSimulated(t, st, opts)

	first, h1, err := s.session(ctx, imp, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The store forgets the token (as when another instance saw it
	// rejected): this process still serves its copy, so nothing was read.
	if err := st.InvalidateSession(ctx, h1.id, h1.gen); err != nil {
		t.Fatal(err)
	}
	again, h2, err := s.session(ctx, imp, 0)
	if err != nil || again.Token != first.Token || h2 != h1 {
		t.Fatalf("second session: %v, held %+v; want the cached token of %+v", err, h2, h1)
	}
	// A caller that saw this generation rejected gets a new login.
	_, h3, err := s.session(ctx, imp, h2.gen)
	if err != nil || h3.gen <= h2.gen {
		t.Fatalf("session after generation %d was rejected: %v, held %+v; want a newer login", h2.gen, err, h3)
	}
	// Dropped here and in the store: the next caller logs in again.
	if err := s.dropSession(ctx, h3); err != nil {
		t.Fatal(err)
	}
	if stored, err := st.Session(ctx, h3.id); err != nil || stored.SealedToken != "" {
		t.Fatalf("stored session after the drop: %+v %v; want no token", stored, err)
	}
	_, h4, err := s.session(ctx, imp, 0)
	if err != nil || h4.gen <= h3.gen {
		t.Fatalf("session after the drop: %v, held %+v; want a login newer than %d", err, h4, h3.gen)
	}
	if _, h5, err := s.session(ctx, imp, 0); err != nil || h5 != h4 {
		t.Fatalf("session after the new login: %v, held %+v; want the cached %+v", err, h5, h4)
	}
}

// importOfSimulated starts a GDT simulator with opts and returns a Service
// on st that logs in to it under the default rate policy (its queues in the
// Cloud Tasks emulator), the simulator and a running import of its first
// company (tenant "acme", September 2026) created with its login.
func importOfSimulated(t *testing.T, st *store.Store, opts gdtsim.Options) (*Service, *gdtsim.Server, hoadon.Import) {
	t.Helper()
	srv, err := gdtsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	co := srv.Companies()[0]
	portal, err := gdt.New(gdt.Config{BaseURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Deps{Store: st, Box: box, Portal: portal, Solver: captcha.NewTable(), Instance: "test", Log: slog.New(slog.DiscardHandler),
		Throttle: throttle.New(testQueues(t), st, throttle.DefaultConfig())})
	imp := hoadon.Import{ID: "imp-" + co.MST, Tenant: "acme", State: hoadon.ImportRunning, CreatedAt: time.Now(),
		Params: hoadon.ImportParams{CompanyID: co.MST, From: "2026-09-01", To: "2026-09-30"}}
	login := store.Login{Username: co.MST, SealedPassword: box.Seal([]byte(co.Password), store.CredentialsLabel(imp.Tenant, co.MST)),
		Digest: store.LoginDigest(box, co.MST, co.MST, []byte(co.Password))}
	if _, _, err := st.CreateImport(context.Background(), store.CreateRequest{Import: imp, Login: login}); err != nil {
		t.Fatal(err)
	}
	return s, srv, imp
}
