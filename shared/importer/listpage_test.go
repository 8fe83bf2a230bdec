package importer

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tasksemu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"github.com/hoadon/hoadon/emulators/firestore/firestoretest"
	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/queue"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/throttle"
)

func TestMain(m *testing.M) { firestoretest.Main(m) }

// stormSize is how many list requests in a row the portal answers 429.
const stormSize = 6

// TestDiscoveryStormLowersRateAndRecovers: the portal answers 429 (with
// Retry-After) to the first list requests of a walk, then serves the rest.
// Walking a month through pageFetcher still yields every invoice of the
// ground truth and no error — throttled pages are asked again with the
// same cursor — and the storm lowers the company's stored rate and its
// queue's, which the pages listed afterwards raise again. The policy's
// waits run on a manual clock: nothing sleeps.
func TestDiscoveryStormLowersRateAndRecovers(t *testing.T) {
	opts := gdtsim.DefaultOptions()
	opts.Companies, opts.InvoicesPerMonth = 1, 15
	srv, err := gdtsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	co := srv.Companies()[0]
	ctx := context.Background()
	s, st, qs, clock := throttledService(t)
	// A proxy in front of the simulator throttles the first list requests
	// and notes the stored rate when the storm is over.
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	var lists atomic.Int64
	var afterStorm float64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/invoices/sold") {
			switch n := lists.Add(1); {
			case n <= stormSize:
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			case n == stormSize+1:
				afterStorm = storedRate(t, st, co.MST)
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	portal, err := gdt.New(gdt.Config{BaseURL: front.URL + target.Path, PageSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	s.Portal = portal
	sess, err := portal.Login(ctx, co.MST, co.Password, captcha.NewTable())
	if err != nil {
		t.Fatal(err)
	}
	from, _ := hoadon.ParseDate("2026-09-01")
	to, _ := hoadon.ParseDate("2026-09-30")
	got := map[string]bool{}
	for inv, err := range gdt.Walk(ctx, s.pageFetcher(co.MST, sess), hoadon.FlowSoldEInvoice, from, to, portal.WalkOptions()) {
		if err != nil {
			t.Fatalf("walk: %v", err)
		}
		got[inv.Key.String()] = true
	}
	want := 0
	for _, tr := range srv.Invoices(co.MST, from.Time, to.Time) {
		if tr.Flow != string(hoadon.FlowSoldEInvoice) {
			continue
		}
		want++
		k := hoadon.InvoiceKey{NBMST: tr.NBMST, KHMSHDon: tr.KHMSHDon, KHHDon: tr.KHHDon, SHDon: tr.SHDon}
		if !got[k.String()] {
			t.Errorf("missing %s", k)
		}
	}
	if len(got) != want {
		t.Errorf("listed %d of %d", len(got), want)
	}
	// 429s at 0, 1, 3, 7, 15, 31 s of the manual clock (Retry-After 1 s,
	// then the backoff 2, 4, 8, 16 s): five halvings past the 2 s debounce;
	// the sixth waits 32 s.
	if want := 4.0 / 32; afterStorm != want {
		t.Errorf("stored rate after the storm %v, want %v", afterStorm, want)
	}
	if slept := clock.Slept(); slept != 63*time.Second {
		t.Errorf("waited %v on the policy's clock, want 63s (1+2+4+8+16+32 s)", slept)
	}
	pages := lists.Load() - stormSize
	final := storedRate(t, st, co.MST)
	_, qrate, err := qs.State(ctx, qs.CompanyQueue(co.MST))
	if err != nil {
		t.Fatal(err)
	}
	if want := afterStorm + float64(pages/2)*0.5; final != want || qrate != want {
		t.Errorf("after %d listed pages: stored rate %v, queue rate %v; want %v (a raise of 0.5 every 2 pages)", pages, final, qrate, want)
	}
	t.Logf("rate 4/s → %.3f/s after %d throttled pages → %.3f/s after %d listed pages", afterStorm, stormSize, final, pages)
}

// throttledService is a Service whose rate policy keeps its state in the
// Firestore emulator and its queues in the Cloud Tasks emulator, on a
// manual clock; it raises the rate every 2 successes.
func throttledService(t *testing.T) (*Service, *store.Store, *queue.Queues, *throttle.ManualClock) {
	t.Helper()
	qs := testQueues(t)
	st := store.New(firestoretest.Client(t))
	tc := throttle.DefaultConfig()
	tc.RaiseEvery = 2
	ctl := throttle.New(qs, st, tc)
	clock := throttle.NewManualClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	ctl.SetClock(clock)
	return &Service{Deps: Deps{Throttle: ctl, Log: slog.New(slog.DiscardHandler), Now: time.Now}}, st, qs, clock
}

// testQueues are company queues on a Cloud Tasks emulator of the test's own.
func testQueues(t *testing.T) *queue.Queues {
	t.Helper()
	tasks, err := tasksemu.Start(tasksemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tasks.Close() })
	c, err := gcp.Tasks(context.Background(), tasks.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	qc := queue.DefaultConfig()
	qc.Project, qc.Location = "p", "l"
	return queue.New(c, qc)
}

func storedRate(t *testing.T, st *store.Store, mst string) float64 {
	t.Helper()
	r, _, err := st.UpdateRate(context.Background(), mst, func(*store.RateState) bool { return false })
	if err != nil {
		t.Error(err)
	}
	return r.Rate
}
