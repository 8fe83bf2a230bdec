package gdt_test

import (
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Ensure TLS is verified by default (an unknown CA fails, as a transient
// transport error) and a custom CA pool makes the same server acceptable.
func TestTLSVerifiedAndCustomCA(t *testing.T) {
	srv := httptest.NewTLSServer(reply(200, "application/json", emptyPage))
	t.Cleanup(srv.Close)
	def, err := gdt.New(gdt.Config{BaseURL: srv.URL + "/api"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := gdt.NewSession("u", testToken(t, "u", time.Hour))
	if _, err := def.ListPage(context.Background(), s, marchQuery(hoadon.FlowSoldEInvoice), ""); hoadon.ErrorCode(err) != hoadon.CodeTransient {
		t.Fatalf("self-signed server accepted or misclassified: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	withCA, err := gdt.New(gdt.Config{BaseURL: srv.URL + "/api", RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := withCA.ListPage(context.Background(), s, marchQuery(hoadon.FlowSoldEInvoice), ""); err != nil {
		t.Fatalf("custom CA: %v", err)
	}
}

// Ensure a configured proxy carries the requests.
func TestProxy(t *testing.T) {
	f := newFixture(t)
	f.handle("/query/invoices/sold", reply(200, "application/json", emptyPage))
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		out, err := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(proxy.Close)
	pu, _ := url.Parse(proxy.URL)
	c := f.client(func(cfg *gdt.Config) { cfg.Proxy = pu })
	if _, err := c.ListPage(context.Background(), f.session(), marchQuery(hoadon.FlowSoldEInvoice), ""); err != nil {
		t.Fatal(err)
	}
	if proxied.Load() != 1 || len(f.requests()) != 1 {
		t.Fatalf("proxy saw %d requests, portal %d", proxied.Load(), len(f.requests()))
	}
}
