package pull_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/pull"
)

// Ensure a portal that answers 429 to a large share of requests (with
// Retry-After), plus some 5xx and dropped connections, still yields every
// invoice with nothing failed.
func TestPullSurvives429AndOutages(t *testing.T) {
	srv := startSim(t, func(o *gdtsim.Options) {
		o.InvoicesPerMonth = 2
		o.Faults = gdtsim.FaultOptions{RateLimitShare: 0.3, ServerErrorShare: 0.1, DropShare: 0.05}
	})
	cfg := config(t, srv, "2026-06-01", "2026-06-30")
	truths := truth(srv, cfg)
	sum, err := pull.Run(context.Background(), cfg)
	if err != nil || !sum.OK() {
		t.Fatalf("%s, %v\n%s", sum, err, srv.Stats())
	}
	checkFiles(t, cfg, truths)
	if sum.Listed != len(truths) || sum.RateLimited == 0 || sum.LowestRate >= cfg.Throttle.InitialRate {
		t.Fatalf("%s: want %d listed, some 429s seen and the rate lowered for them\n%s", sum, len(truths), srv.Stats())
	}
	t.Logf("%s", sum)
}

// stripEvery is a transport that drops the request-id header from every
// nth request, which the simulator's WAF (like the portal's) blocks.
type stripEvery struct {
	n     int
	count atomic.Int64
}

func (s *stripEvery) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.count.Add(1)%int64(s.n) == 0 {
		r = r.Clone(r.Context())
		r.Header.Del("request-id")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// Ensure firewall blocks — the 403 JSON and the HTML page with status 200 —
// are backed off from and retried rather than parsed or failed.
func TestPullSurvivesFirewallBlocks(t *testing.T) {
	for _, html := range []bool{false, true} {
		srv := startSim(t, func(o *gdtsim.Options) { o.InvoicesPerMonth = 2; o.WAFHTMLReject = html })
		strip := &stripEvery{n: 3}
		cfg := config(t, srv, "2026-06-01", "2026-06-30", func(c *gdt.Config) {
			c.HTTPClient = &http.Client{Transport: strip}
		})
		truths := truth(srv, cfg)
		sum, err := pull.Run(context.Background(), cfg)
		if err != nil || !sum.OK() || sum.RateLimited == 0 {
			t.Fatalf("html=%v: %s, %v\n%s", html, sum, err, srv.Stats())
		}
		checkFiles(t, cfg, truths)
	}
}

// Ensure a token that expires during the run is replaced (before expiry
// where possible, after a 401 otherwise) without failing any invoice.
func TestPullReloginOnShortTokens(t *testing.T) {
	srv := startSim(t, func(o *gdtsim.Options) {
		o.TokenTTL = time.Second
		o.InvoicesPerMonth = 6
		o.DossierlessShare = 0
		o.ExportLatency = gdtsim.Latency{Min: 60 * time.Millisecond, Max: 60 * time.Millisecond}
	})
	cfg := config(t, srv, "2026-07-01", "2026-07-31")
	cfg.Concurrency = 1 // 24 downloads × 60 ms > 1.4 s: the run outlives the first token
	truths := truth(srv, cfg)
	sum, err := pull.Run(context.Background(), cfg)
	if err != nil || !sum.OK() {
		t.Fatalf("%s, %v\n%s", sum, err, srv.Stats())
	}
	checkFiles(t, cfg, truths)
	if sum.Logins < 2 {
		t.Fatalf("%s: want re-logins with 1 s tokens", sum)
	}
	t.Logf("%s", sum)
}

// Ensure a wrong password stops the run at once: one authenticate call, no
// retry (accounts lock), no secret in the error.
func TestPullBadPassword(t *testing.T) {
	srv := startSim(t, nil)
	cfg := config(t, srv, "2026-06-01", "2026-06-30")
	cfg.Password = "not-the-password"
	_, err := pull.Run(context.Background(), cfg)
	if hoadon.ErrorCode(err) != hoadon.CodeBadCredentials {
		t.Fatalf("err = %v, want bad credentials", err)
	}
	if n := srv.Stats().Total("/security-taxpayer/authenticate"); n != 1 {
		t.Errorf("%d authenticate calls, want 1", n)
	}
	if strings.Contains(err.Error(), "not-the-password") {
		t.Errorf("error leaks the password: %v", err)
	}
}

// Ensure bad configuration is a clear error before any request.
func TestPullInvalidConfig(t *testing.T) {
	srv := startSim(t, nil)
	good := config(t, srv, "2026-06-01", "2026-06-30")
	for name, mod := range map[string]func(*pull.Config){
		"no password":      func(c *pull.Config) { c.Password = "" },
		"reversed period":  func(c *pull.Config) { c.From, c.To = c.To, c.From },
		"path in username": func(c *pull.Config) { c.Username = "../etc" },
		"unknown flow":     func(c *pull.Config) { c.Flows = []hoadon.Flow{"nope"} },
		"no solver":        func(c *pull.Config) { c.Solver = nil },
		"no output":        func(c *pull.Config) { c.OutDir = "" },
	} {
		cfg := good
		mod(&cfg)
		if _, err := pull.Run(context.Background(), cfg); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
	if n := srv.Stats().Total("/captcha"); n != 0 {
		t.Errorf("%d captcha calls for invalid configs", n)
	}
}

// Ensure an interrupted run stops promptly, counts nothing as failed,
// leaves no partial file, and a re-run completes the period.
func TestPullInterruptedThenResumed(t *testing.T) {
	srv := startSim(t, func(o *gdtsim.Options) {
		o.DossierlessShare = 0
		o.ExportLatency = gdtsim.Latency{Min: 100 * time.Millisecond, Max: 100 * time.Millisecond}
	})
	cfg := config(t, srv, "2026-08-01", "2026-08-31")
	cfg.Flows = []hoadon.Flow{hoadon.FlowSoldEInvoice}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for srv.InFlight(cfg.Username) == 0 && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond) // polling a condition, not synchronising by sleep
		}
		cancel()
	}()
	sum, err := pull.Run(ctx, cfg)
	if !errors.Is(err, context.Canceled) || sum.Failed != 0 {
		t.Fatalf("interrupted run: %s, %v", sum, err)
	}
	sum, err = pull.Run(context.Background(), cfg)
	if err != nil || !sum.OK() {
		t.Fatalf("resumed run: %s, %v", sum, err)
	}
	var sold []gdtsim.Truth
	for _, tr := range truth(srv, cfg) {
		if tr.Flow == string(hoadon.FlowSoldEInvoice) {
			sold = append(sold, tr)
		}
	}
	if n := checkFiles(t, cfg, sold); n != len(sold) || sum.Stored+sum.Skipped != len(sold) {
		t.Fatalf("resumed run: %s; %d files of %d", sum, n, len(sold))
	}
}
