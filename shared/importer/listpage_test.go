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
)

// TestPageFetcherRetriesThrottledPages: every other list page the portal
// answers 429; walking a month through pageFetcher still yields every
// invoice of the ground truth and no error — throttled pages are asked again
// with the same cursor instead of failing the window.
func TestPageFetcherRetriesThrottledPages(t *testing.T) {
	pageBackoff = time.Millisecond
	opts := gdtsim.DefaultOptions()
	opts.Companies, opts.InvoicesPerMonth = 1, 15
	srv, err := gdtsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// A proxy in front of the simulator throttles every other list request.
	target, _ := url.Parse(srv.URL())
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	var lists, throttled atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/invoices/sold") && lists.Add(1)%2 == 1 {
			throttled.Add(1)
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	portal, err := gdt.New(gdt.Config{BaseURL: front.URL + target.Path, PageSize: 4, RateLimitWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	co := srv.Companies()[0]
	ctx := context.Background()
	sess, err := portal.Login(ctx, co.MST, co.Password, captcha.NewTable())
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Deps: Deps{Portal: portal, Now: time.Now}}
	from, _ := hoadon.ParseDate("2026-09-01")
	to, _ := hoadon.ParseDate("2026-09-30")
	got := map[string]bool{}
	for inv, err := range gdt.Walk(ctx, s.pageFetcher(sess), hoadon.FlowSoldEInvoice, from, to, portal.WalkOptions()) {
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
	if len(got) != want || throttled.Load() < 3 {
		t.Errorf("listed %d of %d with %d pages throttled", len(got), want, throttled.Load())
	}
}
