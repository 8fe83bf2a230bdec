package gdt_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// rewrite is a transport that edits requests on their way out, to make the
// client send what it never would (a missing request-id, an empty number,
// a two-month range) so the simulator's real answers can be classified.
type rewrite func(*http.Request)

func (f rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	f(r)
	return http.DefaultTransport.RoundTrip(r)
}

type constSolver string

func (s constSolver) Solve(context.Context, []byte) (string, error) { return string(s), nil }

// firstWith returns the first ground-truth invoice of flow with or without
// XML.
func firstWith(t *testing.T, srv *gdtsim.Server, mst string, flow hoadon.Flow, hasXML bool) hoadon.InvoiceKey {
	t.Helper()
	from, to := dates("2026-03-01", "2026-03-31")
	for _, tr := range srv.Invoices(mst, from.Time, to.Time) {
		if tr.Flow == string(flow) && tr.HasXML == hasXML {
			return hoadon.InvoiceKey{NBMST: tr.NBMST, KHMSHDon: tr.KHMSHDon, KHHDon: tr.KHHDon, SHDon: tr.SHDon}
		}
	}
	t.Fatalf("no %s invoice with has_xml=%v in March", flow, hasXML)
	return hoadon.InvoiceKey{}
}

// Ensure login refusals are classified from the simulator's answers:
// wrong captcha (after three fresh captchas), wrong password, lock-out.
func TestSimLoginErrors(t *testing.T) {
	ctx := context.Background()
	srv := startSim(t, func(o *gdtsim.Options) { o.LockoutThreshold = 2 })
	co, victim := srv.Companies()[0], srv.Companies()[1]
	c := simClient(t, srv.URL())
	if _, err := c.Login(ctx, co.MST, co.Password, constSolver("222222")); hoadon.ErrorCode(err) != hoadon.CodeWrongCaptcha {
		t.Errorf("wrong captcha: %v", err)
	}
	if n := srv.Stats().Total("/captcha"); n != gdt.MaxCaptchaAttempts {
		t.Errorf("%d captchas fetched, want %d", n, gdt.MaxCaptchaAttempts)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.Login(ctx, victim.MST, "wrong", captcha.NewTable()); hoadon.ErrorCode(err) != hoadon.CodeBadCredentials {
			t.Errorf("bad password %d: %v", i, err)
		}
	}
	if _, err := c.Login(ctx, victim.MST, victim.Password, captcha.NewTable()); hoadon.ErrorCode(err) != hoadon.CodeLocked {
		t.Errorf("locked account: %v", err)
	}
}

// Ensure invoice-level answers are classified: no dossier, unknown invoice,
// NumberFormatException for an empty number, range over one month.
func TestSimDataErrors(t *testing.T) {
	ctx := context.Background()
	srv := startSim(t, func(o *gdtsim.Options) { o.DossierlessShare = 0.3 })
	co := srv.Companies()[0]
	c := simClient(t, srv.URL())
	s := simLogin(t, c, co)
	withXML := firstWith(t, srv, co.MST, hoadon.FlowSoldEInvoice, true)
	if _, err := c.ExportXML(ctx, s, hoadon.FlowSoldEInvoice, firstWith(t, srv, co.MST, hoadon.FlowSoldEInvoice, false)); hoadon.ErrorCode(err) != hoadon.CodeNoDossier {
		t.Errorf("no dossier: %v", err)
	}
	files, err := c.ExportXML(ctx, s, hoadon.FlowSoldEInvoice, withXML)
	if _, xml, ok := gdt.InvoiceXML(files); err != nil || !ok || !strings.Contains(string(xml), "<HDon") {
		t.Errorf("export-xml: %v, entries %v", err, keys(files))
	}
	missing := testKey
	missing.SHDon = 99999999
	if _, err := c.Detail(ctx, s, hoadon.FlowSoldEInvoice, missing); hoadon.ErrorCode(err) != hoadon.CodeNotFound {
		t.Errorf("unknown invoice: %v", err)
	}
	emptyNumber := simClient(t, srv.URL(), func(cfg *gdt.Config) {
		cfg.HTTPClient = &http.Client{Transport: rewrite(func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "khmshdon=1", "khmshdon=", 1)
		})}
	})
	if _, err := emptyNumber.Detail(ctx, s, hoadon.FlowSoldEInvoice, withXML); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("NumberFormatException: %v", err)
	}
	twoMonths := simClient(t, srv.URL(), func(cfg *gdt.Config) {
		cfg.HTTPClient = &http.Client{Transport: rewrite(func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "tdlap=ge=01/03/2026", "tdlap=ge=01/01/2026", 1)
		})}
	})
	if _, err := twoMonths.ListPage(ctx, s, marchQuery(hoadon.FlowSoldEInvoice), ""); hoadon.ErrorCode(err) != hoadon.CodeInvalid ||
		!strings.Contains(err.Error(), "1 tháng") {
		t.Errorf("range too long: %v", err)
	}
}

// Ensure firewall blocks (JSON 403 and HTML 200), 429 with Retry-After,
// outages and expired tokens are classified, and that the client's own
// requests (with request-id) are never blocked.
func TestSimInfrastructureErrors(t *testing.T) {
	ctx := context.Background()
	for _, html := range []bool{false, true} {
		srv := startSim(t, func(o *gdtsim.Options) { o.WAFHTMLReject = html })
		noID := simClient(t, srv.URL(), func(cfg *gdt.Config) {
			cfg.HTTPClient = &http.Client{Transport: rewrite(func(r *http.Request) { r.Header.Del("request-id") })}
		})
		if _, err := noID.Captcha(ctx); hoadon.ErrorCode(err) != hoadon.CodeBlocked {
			t.Errorf("firewall (html=%v): %v", html, err)
		}
	}
	var clockOffset atomic.Int64
	srv := startSim(t, func(o *gdtsim.Options) {
		o.Now = func() time.Time { return time.Now().Add(time.Duration(clockOffset.Load())) }
	})
	c := simClient(t, srv.URL())
	s := simLogin(t, c, srv.Companies()[0])
	march := marchQuery(hoadon.FlowSoldEInvoice)
	srv.SetFaults(gdtsim.FaultOptions{RateLimitShare: 1})
	_, err := c.ListPage(ctx, s, march, "")
	if hoadon.ErrorCode(err) != hoadon.CodeRateLimited || hoadon.ErrorRetryAfter(err) < time.Second {
		t.Errorf("rate limit: %v (retry after %v)", err, hoadon.ErrorRetryAfter(err))
	}
	for _, f := range []gdtsim.FaultOptions{{ServerErrorShare: 1}, {Down: true}, {DropShare: 1}} {
		srv.SetFaults(f)
		if _, err := c.ListPage(ctx, s, march, ""); hoadon.ErrorCode(err) != hoadon.CodeTransient {
			t.Errorf("fault %+v: %v", f, err)
		}
	}
	srv.SetFaults(gdtsim.FaultOptions{})
	if _, err := c.ListPage(ctx, s, march, ""); err != nil {
		t.Errorf("after faults: %v", err)
	}
	clockOffset.Store(int64(25 * time.Hour))
	if _, err := c.ListPage(ctx, s, march, ""); hoadon.ErrorCode(err) != hoadon.CodeSessionExpired {
		t.Errorf("expired token: %v", err)
	}
	if st := srv.Stats(); st.Count("/query/invoices/sold", 403) != 0 || st.Count("/captcha", 403) != 0 {
		t.Errorf("firewall blocked the client's own requests (request-id missing?):\n%s", st)
	}
}

// Ensure the token's lifetime is read from the simulator's real JWT.
func TestSimTokenExpiry(t *testing.T) {
	srv := startSim(t, func(o *gdtsim.Options) { o.TokenTTL = 90 * time.Minute })
	s := simLogin(t, simClient(t, srv.URL()), srv.Companies()[0])
	if d := s.ExpiresAt.Sub(s.IssuedAt); d != 90*time.Minute {
		t.Errorf("exp − iat = %v, want 90m", d)
	}
	if s.Expired(time.Hour) || !s.Expired(2*time.Hour) {
		t.Errorf("Expired margins wrong for %v", s)
	}
}

// Ensure a portal slower than the client's timeout gives a transient error
// (the download is retried later), not a hang.
func TestSimTimeoutIsTransient(t *testing.T) {
	srv := startSim(t, func(o *gdtsim.Options) {
		o.ExportLatency = gdtsim.Latency{Min: 2 * time.Second, Max: 2 * time.Second}
	})
	co := srv.Companies()[0]
	c := simClient(t, srv.URL(), func(cfg *gdt.Config) { cfg.ExportTimeout = 100 * time.Millisecond })
	s := simLogin(t, c, co)
	key := firstWith(t, srv, co.MST, hoadon.FlowSoldEInvoice, true) // before the clock starts: the truth signs every invoice
	start := time.Now()
	_, err := c.ExportXML(context.Background(), s, hoadon.FlowSoldEInvoice, key)
	if hoadon.ErrorCode(err) != hoadon.CodeTransient || time.Since(start) > time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
}
