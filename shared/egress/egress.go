// Package egress decides where hoadon may send requests a tenant asked for
// (webhook deliveries): https to a public address only, checked when the
// URL is given and again when it is dialled, after DNS resolution, so a
// name that later resolves to a private address (DNS rebinding) is refused
// too. Local mode (HOADON_LOCAL=true) allows anything.
package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Resolver finds the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard checks URLs and dials only public addresses.
type Guard struct {
	Local    bool     // allow any address and http (HOADON_LOCAL=true)
	Resolver Resolver // nil means net.DefaultResolver
}

// ErrNotPublic is wrapped by every refusal of an address.
var ErrNotPublic = errors.New("not a public address")

// blocked are ranges that are not public although net/netip does not
// classify them as private, loopback or link-local.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: embeds an IPv4 address
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fd00:ec2::254/128"),
}

// Public reports whether ip is a global unicast address outside every
// private, loopback, link-local (169.254.169.254, the metadata server, is
// one), multicast and reserved range.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() ||
		ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// CheckURL accepts an absolute https URL, without user information, whose
// host resolves to public addresses only; in local mode any http or https
// URL.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return hoadon.Errorf(hoadon.CodeInvalid, "subscriber URL %q is not an absolute URL", raw)
	}
	if u.User != nil {
		return hoadon.Errorf(hoadon.CodeInvalid, "subscriber URL must not carry user information")
	}
	if g.Local {
		if u.Scheme != "https" && u.Scheme != "http" {
			return hoadon.Errorf(hoadon.CodeInvalid, "subscriber URL %q: scheme must be http or https", raw)
		}
		return nil
	}
	if u.Scheme != "https" {
		return hoadon.Errorf(hoadon.CodeInvalid, "subscriber URL %q must use https", raw)
	}
	if _, err := g.resolve(ctx, u.Hostname()); err != nil {
		return hoadon.Wrap(hoadon.CodeInvalid, err, "subscriber URL "+raw)
	}
	return nil
}

// resolve returns the addresses of host, all of them public, or an error.
func (g Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		r := g.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		if ips, err = r.LookupNetIP(ctx, "ip", host); err != nil {
			return nil, fmt.Errorf("%s does not resolve: %w", host, err)
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("%s has no address", host)
	}
	for _, ip := range ips {
		if !Public(ip) {
			return nil, fmt.Errorf("%s resolves to %s: %w", host, ip, ErrNotPublic)
		}
	}
	return ips, nil
}

// DialContext resolves addr's host, refuses it unless every address is
// public (in local mode it dials anything), and dials the checked
// addresses themselves, so a second resolution cannot return another.
func (g Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if g.Local {
		return d.DialContext(ctx, network, addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// Client is an HTTP client for deliveries: every connection goes through
// the guard, no proxy from the environment (it would dial for us), no
// redirects followed, 30 s per request.
func (g Guard) Client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = g.DialContext
	return &http.Client{Timeout: 30 * time.Second, Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
