package importer

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
	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/secret"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/throttle"
)

// TestLogin429FeedsTheRatePolicy: the portal answers 429 with Retry-After
// 30 to the login's captcha request. The login fails rate_limited, the
// company's stored rate is halved like after a 429 on a list page or a
// download, and the next login of the company on this instance first waits
// out the 30 s (on the policy's manual clock) before it reaches the portal,
// then logs in.
func TestLogin429FeedsTheRatePolicy(t *testing.T) {
	opts := gdtsim.DefaultOptions()
	opts.Companies = 1
	srv, err := gdtsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	co := srv.Companies()[0]
	ctx := context.Background()
	s, st, _, clock := throttledService(t)
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	var captchas atomic.Int64
	var sleptAtSecond time.Duration
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/captcha") {
			if captchas.Add(1) == 1 {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			sleptAtSecond = clock.Slept()
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	if s.Portal, err = gdt.New(gdt.Config{BaseURL: front.URL + target.Path}); err != nil {
		t.Fatal(err)
	}
	if s.Box, err = secret.NewBox(make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	s.Store, s.Solver, s.Instance = st, captcha.NewTable(), "test"
	imp := hoadon.Import{ID: "imp-429", Tenant: hoadon.DefaultTenant, Params: hoadon.ImportParams{CompanyID: co.MST}}
	l := store.Login{Username: co.MST, SealedPassword: s.Box.Seal([]byte(co.Password), store.CredentialsLabel(imp.Tenant, co.MST)),
		Digest: store.LoginDigest(s.Box, co.MST, co.MST, []byte(co.Password))}
	initial := throttle.DefaultConfig().InitialRate

	_, _, err = s.sessionOf(ctx, imp, l, 0)
	if hoadon.ErrorCode(err) != hoadon.CodeRateLimited {
		t.Fatalf("login against a 429: %v; want rate_limited", err)
	}
	if got := storedRate(t, st, co.MST); got != initial/2 {
		t.Errorf("stored rate after the login's 429: %v; want %v (halved from %v)", got, initial/2, initial)
	}
	if _, _, err := s.sessionOf(ctx, imp, l, 0); err != nil {
		t.Fatalf("second login: %v", err)
	}
	if sleptAtSecond != 30*time.Second {
		t.Errorf("the second login reached the portal after %v on the policy's clock; want the 30 s Retry-After", sleptAtSecond)
	}
	if n := captchas.Load(); n != 2 {
		t.Errorf("%d captcha requests; want 2", n)
	}
}
