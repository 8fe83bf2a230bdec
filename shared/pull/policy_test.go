package pull_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/pull"
	"github.com/hoadon/hoadon/shared/throttle"
)

// Ensure pull follows the pipeline's rate policy (shared/throttle): the
// portal answers the first data requests 429 with a Retry-After of 15
// minutes; pull waits the capped ten minutes after each (never the 15),
// halves its rate, completes, and raises the rate again as requests
// succeed. The waits run on a manual clock: nothing sleeps for them.
func TestPullFollowsTheRatePolicy(t *testing.T) {
	srv := startSim(t, func(o *gdtsim.Options) { o.DossierlessShare = 0 })
	const storm = 3
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	var data, throttled atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/invoices/") && data.Add(1) <= storm {
			throttled.Add(1)
			w.Header().Set("Retry-After", "900")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	cfg := config(t, srv, "2026-06-01", "2026-06-30", func(c *gdt.Config) { c.BaseURL = front.URL + target.Path })
	cfg.Throttle.Debounce = 0 // each 429 of the storm halves: 100 → 12.5
	cfg.Throttle.RaiseEvery = 5
	clock := throttle.NewManualClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	cfg.Clock = clock
	truths := truth(srv, cfg)
	sum, err := pull.Run(context.Background(), cfg)
	if err != nil || !sum.OK() {
		t.Fatalf("%s, %v", sum, err)
	}
	checkFiles(t, cfg, truths)
	if throttled.Load() != storm || sum.RateLimited != storm {
		t.Fatalf("%s: %d answered 429, want %d", sum, throttled.Load(), storm)
	}
	// Each 429 holds every start for ten minutes; pacing adds at most a
	// second over the run (under 100 starts at ≥ 12.5/s).
	if slept := clock.Slept(); slept < storm*hoadon.MaxRetryAfter || slept > storm*hoadon.MaxRetryAfter+10*time.Second {
		t.Errorf("waited %v on the policy's clock, want %d × %v plus pacing", slept, storm, hoadon.MaxRetryAfter)
	}
	if sum.LowestRate != 12.5 || sum.Rate <= sum.LowestRate {
		t.Errorf("%s: want the rate halved to 12.5/s by the storm and raised after it", sum)
	}
	t.Logf("%s; waited %v on the policy's clock", sum, clock.Slept())
}
