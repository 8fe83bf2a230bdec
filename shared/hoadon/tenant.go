package hoadon

import (
	"regexp"
	"slices"
)

// Tenant is the organisation that owns imports, schedules, credentials,
// invoices, files and webhook subscriptions: an accounting firm, one
// company's finance team, an integrator's customer. Every API key and every
// allowed Google principal belongs to exactly one tenant. Two tenants may
// import the same company, each with its own credentials and files.
type Tenant string

// DefaultTenant owns everything of a single-team deployment: keys and
// principals without a tenant, data from before tenants existed.
const DefaultTenant Tenant = "default"

var tenantPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ParseTenant validates a tenant id: lower-case letters, digits and '-',
// 1 to 63 characters, not starting with '-'.
func ParseTenant(s string) (Tenant, error) {
	if !tenantPattern.MatchString(s) {
		return "", Errorf(CodeInvalid, "tenant %q: want 1 to 63 lower-case letters, digits or '-', starting with a letter or digit", truncate(s, 80))
	}
	return Tenant(s), nil
}

// Valid reports whether t is a well-formed tenant id.
func (t Tenant) Valid() bool { return tenantPattern.MatchString(string(t)) }

// OrDefault returns t, or DefaultTenant for the empty tenant of records
// written before tenants existed.
func (t Tenant) OrDefault() Tenant {
	if t == "" {
		return DefaultTenant
	}
	return t
}

// Role is what a principal may do within its tenant.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin    Role = "admin"    // everything an operator may, plus keys, companies and subscriptions
	RoleOperator Role = "operator" // start, cancel, schedule and read
	RoleViewer   Role = "viewer"   // read only
)

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleOperator, RoleViewer:
		return r, nil
	}
	return "", Errorf(CodeInvalid, "role %q: want admin, operator or viewer", truncate(s, 40))
}

// Permission is a class of actions a role grants.
type Permission int

// Permissions. Each role holds its own and every lower one.
const (
	PermRead    Permission = iota // read imports, invoices, events, schedules
	PermOperate                   // start and cancel imports, manage schedules
	PermAdmin                     // manage keys, companies and subscriptions
)

func (p Permission) String() string {
	return [...]string{"read", "operate", "admin"}[p]
}

// Grants reports whether the role holds a permission.
func (r Role) Grants(p Permission) bool {
	switch r {
	case RoleAdmin:
		return true
	case RoleOperator:
		return p <= PermOperate
	case RoleViewer:
		return p == PermRead
	}
	return false
}

// Access is what one caller may reach: its tenant, its role and, when
// Companies is not empty, only those companies (tax codes).
type Access struct {
	Tenant    Tenant
	Role      Role
	Companies []string
}

// AdminOf is full access to a tenant: the access of keys and principals
// from before tenants existed, of internal callers and of local mode.
func AdminOf(t Tenant) Access { return Access{Tenant: t, Role: RoleAdmin} }

// Allow checks that the caller's role holds p; a refusal is CodeForbidden.
func (a Access) Allow(p Permission) error {
	if !a.Tenant.Valid() {
		return Errorf(CodeForbidden, "the caller belongs to no valid tenant")
	}
	if !a.Role.Grants(p) {
		return Errorf(CodeForbidden, "role %s may not %s", a.Role, p)
	}
	return nil
}

// CompanyAllowed reports whether the caller may reach a company.
func (a Access) CompanyAllowed(mst string) bool {
	return len(a.Companies) == 0 || slices.Contains(a.Companies, mst)
}

// AllowCompany checks permission p on one company: CodeForbidden when the
// role lacks p or the company is not on the caller's allow-list.
func (a Access) AllowCompany(p Permission, mst string) error {
	if err := a.Allow(p); err != nil {
		return err
	}
	if !a.CompanyAllowed(mst) {
		return Errorf(CodeForbidden, "this key may not reach company %s", truncate(mst, 20))
	}
	return nil
}

// Owns reports whether a record of tenant t belongs to the caller; records
// from before tenants existed belong to the default tenant.
func (a Access) Owns(t Tenant) bool { return t.OrDefault() == a.Tenant }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
