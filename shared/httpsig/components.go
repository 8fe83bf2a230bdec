package httpsig

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// message is the request as the signature base sees it. The sender and the
// receiver hold the same request in different shapes (absolute URL and empty
// Host on the client; path-only URL, Host set and maybe TLS terminated by a
// proxy on the server), so the derived components are computed from here.
type message struct {
	r         *http.Request
	scheme    string // "http" or "https", lower case
	targetURI string // pinned "@target-uri"; "" rebuilds it from the request
}

func newMessage(r *http.Request, trustForwardedProto bool) message {
	scheme := strings.ToLower(r.URL.Scheme)
	if scheme == "" {
		scheme = "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if p := r.Header.Get("X-Forwarded-Proto"); trustForwardedProto && p != "" {
			scheme = strings.ToLower(strings.TrimSpace(strings.Split(p, ",")[0]))
		}
	}
	return message{r: r, scheme: scheme}
}

// authority is the request's host[:port], lower case, default port omitted
// (RFC 9421 §2.2.3 and RFC 9110 §4.2.3 normalisation).
func (m message) authority() string {
	host := m.r.Host
	if host == "" {
		host = m.r.URL.Host
	}
	host = strings.ToLower(host)
	if h, port, err := net.SplitHostPort(host); err == nil {
		if (m.scheme == "http" && port == "80") || (m.scheme == "https" && port == "443") {
			if strings.Contains(h, ":") {
				return "[" + h + "]"
			}
			return h
		}
	}
	return host
}

// path is the escaped absolute path, "/" when empty (RFC 9421 §2.2.6).
func (m message) path() string {
	if p := m.r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// query is "?" plus the raw query, "?" alone when there is none (§2.2.7).
func (m message) query() string { return "?" + m.r.URL.RawQuery }

// requestTarget is the origin-form request target: path plus query.
func (m message) requestTarget() string {
	if m.r.URL.RawQuery == "" && !m.r.URL.ForceQuery {
		return m.path()
	}
	return m.path() + m.query()
}

// value returns the canonical value of one covered component (RFC 9421 §2.1
// for fields, §2.2 for derived components).
func (m message) value(name string) (string, error) {
	switch name {
	case "@method":
		return m.r.Method, nil
	case "@target-uri":
		if m.targetURI != "" {
			return m.targetURI, nil
		}
		return m.scheme + "://" + m.authority() + m.requestTarget(), nil
	case "@authority":
		return m.authority(), nil
	case "@scheme":
		return m.scheme, nil
	case "@request-target":
		return m.requestTarget(), nil
	case "@path":
		return m.path(), nil
	case "@query":
		return m.query(), nil
	}
	if strings.HasPrefix(name, "@") {
		return "", fmt.Errorf("derived component %q is not supported", name)
	}
	return m.field(name)
}

// field canonicalises a header field: every line trimmed of surrounding
// whitespace, lines joined with ", ". Content-Length, which net/http keeps
// out of the header map on the client side, is taken from the request.
func (m message) field(name string) (string, error) {
	lines := m.r.Header.Values(name)
	if len(lines) == 0 && name == "content-length" && m.r.ContentLength > 0 {
		return strconv.FormatInt(m.r.ContentLength, 10), nil
	}
	if len(lines) == 0 {
		return "", fmt.Errorf("covered field %q is not in the message", name)
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			return "", fmt.Errorf("field %q contains a line break", name)
		}
		out[i] = strings.Trim(l, " \t")
	}
	return strings.Join(out, ", "), nil
}
