package egress_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/hoadon/hoadon/shared/egress"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// fakeDNS answers from a table; unknown names do not resolve.
type fakeDNS map[string][]string

func (f fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

var dns = fakeDNS{
	"hooks.example.com":        {"93.184.215.14"},
	"v6.example.com":           {"2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
	"localhost":                {"127.0.0.1", "::1"},
	"internal.example.com":     {"10.1.2.3"},
	"mixed.example.com":        {"93.184.215.14", "192.168.1.10"},
	"metadata.google.internal": {"169.254.169.254"},
	"cgnat.example.com":        {"100.64.0.1"},
	"mapped.example.com":       {"::ffff:127.0.0.1"},
}

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		url   string
		local bool
		ok    bool
	}{
		{"https://hooks.example.com/events", false, true},
		{"https://hooks.example.com:8443/events", false, true},
		{"https://v6.example.com/", false, true},
		{"https://93.184.215.14/hook", false, true},
		{"http://hooks.example.com/events", false, false}, // not https
		{"ftp://hooks.example.com/", false, false},
		{"hooks.example.com/events", false, false}, // not absolute
		{"https:///events", false, false},
		{"https://user:pw@hooks.example.com/", false, false}, // user information
		{"https://localhost/", false, false},
		{"https://127.0.0.1/", false, false},
		{"https://[::1]/", false, false},
		{"https://0.0.0.0/", false, false},
		{"https://10.0.0.1/", false, false},
		{"https://172.16.5.4/", false, false},
		{"https://192.168.0.1/", false, false},
		{"https://[fd12::1]/", false, false}, // unique local
		{"https://169.254.169.254/computeMetadata/v1/", false, false},
		{"https://metadata.google.internal/", false, false},
		{"https://[fe80::1]/", false, false},
		{"https://[::ffff:10.0.0.1]/", false, false}, // IPv4-mapped private
		{"https://mapped.example.com/", false, false},
		{"https://cgnat.example.com/", false, false},
		{"https://224.0.0.1/", false, false},
		{"https://255.255.255.255/", false, false},
		{"https://internal.example.com/", false, false},
		{"https://mixed.example.com/", false, false},   // one private address is enough
		{"https://nowhere.example.com/", false, false}, // does not resolve
		{"http://127.0.0.1:8080/sink", true, true},     // local mode
		{"http://localhost:8080/sink", true, true},
		{"ftp://127.0.0.1/", true, false},
	} {
		err := egress.Guard{Local: tc.local, Resolver: dns}.CheckURL(ctx, tc.url)
		if (err == nil) != tc.ok {
			t.Errorf("CheckURL(%q, local=%v) = %v, want ok=%v", tc.url, tc.local, err, tc.ok)
		}
		if err != nil && hoadon.ErrorCode(err) != hoadon.CodeInvalid {
			t.Errorf("CheckURL(%q): code %s, want invalid", tc.url, hoadon.ErrorCode(err))
		}
	}
}

// TestDeliveryTimeCheck: a URL accepted when it resolved to a public
// address is refused when its name now resolves to a private one (DNS
// rebinding): the request never leaves. Local mode reaches the same server.
func TestDeliveryTimeCheck(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	rebinding := fakeDNS{"hooks.example.com": {"93.184.215.14"}}
	g := egress.Guard{Resolver: rebinding}
	if err := g.CheckURL(context.Background(), "https://hooks.example.com/events"); err != nil {
		t.Fatalf("accepted at creation: %v", err)
	}
	for _, private := range []string{"127.0.0.1", "10.0.0.7", "169.254.169.254"} {
		rebinding["hooks.example.com"] = []string{private}
		_, err := g.Client().Get("http://hooks.example.com:" + port + "/events")
		if !errors.Is(err, egress.ErrNotPublic) {
			t.Errorf("resolving to %s: err = %v, want ErrNotPublic", private, err)
		}
	}
	if _, err := g.Client().Get(srv.URL); !errors.Is(err, egress.ErrNotPublic) {
		t.Errorf("loopback literal: err = %v, want ErrNotPublic", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the private server got %d requests", n)
	}
	resp, err := egress.Guard{Local: true}.Client().Get(srv.URL)
	if err != nil {
		t.Fatalf("local mode: %v", err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Errorf("local mode: %d requests reached the server, want 1", hits.Load())
	}
}
