package auth

import (
	"context"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Principal is the caller of the task API: an API key or an allowed Google
// account, with the tenant it belongs to, its role and its optional company
// allow-list. GuardPublic puts it in the request context.
type Principal struct {
	hoadon.Access
	Name  string // the key's name or the account's e-mail
	KeyID string // the API key's id; empty for an ID token
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller GuardPublic found; false when the
// request went through no guard (then the caller may reach nothing).
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// accessOf completes what a stored key or a configured principal says:
// nothing about the tenant means the default tenant with the admin role, as
// every key and principal had before tenants existed.
func accessOf(tenant hoadon.Tenant, role hoadon.Role, companies []string) hoadon.Access {
	if tenant == "" {
		return hoadon.AdminOf(hoadon.DefaultTenant)
	}
	if role == "" {
		role = hoadon.RoleViewer
	}
	return hoadon.Access{Tenant: tenant, Role: role, Companies: companies}
}

// ParseAccess validates a tenant, a role and a company allow-list as an
// operator gives them.
func ParseAccess(tenant, role string, companies []string) (hoadon.Access, error) {
	t, err := hoadon.ParseTenant(tenant)
	if err != nil {
		return hoadon.Access{}, err
	}
	r, err := hoadon.ParseRole(role)
	if err != nil {
		return hoadon.Access{}, err
	}
	var list []string
	for _, c := range companies {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if err := hoadon.ValidateMST(c); err != nil {
			return hoadon.Access{}, err
		}
		list = append(list, c)
	}
	return hoadon.Access{Tenant: t, Role: r, Companies: list}, nil
}

// ParsePrincipals reads HOADON_API_PRINCIPALS entries: "email" (the default
// tenant, admin) or "email=tenant:role[:MST+MST...]". It returns each
// account's principal by lower-case e-mail.
func ParsePrincipals(entries []string) (map[string]Principal, error) {
	out := map[string]Principal{}
	for _, e := range entries {
		email, spec, scoped := strings.Cut(strings.TrimSpace(e), "=")
		email = strings.ToLower(strings.TrimSpace(email))
		if email == "" {
			continue
		}
		p := Principal{Access: hoadon.AdminOf(hoadon.DefaultTenant), Name: email}
		if scoped {
			parts := strings.Split(spec, ":")
			if len(parts) < 2 || len(parts) > 3 {
				return nil, hoadon.Errorf(hoadon.CodeInvalid, "HOADON_API_PRINCIPALS entry for %s: want email=tenant:role[:MST+MST]", email)
			}
			var companies []string
			if len(parts) == 3 {
				companies = strings.Split(parts[2], "+")
			}
			acc, err := ParseAccess(parts[0], parts[1], companies)
			if err != nil {
				return nil, hoadon.Errorf(hoadon.CodeInvalid, "HOADON_API_PRINCIPALS entry for %s: %s", email, hoadon.ErrorMessage(err))
			}
			p.Access = acc
		}
		out[email] = p
	}
	return out, nil
}
