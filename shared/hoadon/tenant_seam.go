package hoadon

// This file is a seam until tenancy (issue 9) lands: its tenant.go
// replaces it (delete this file then).

// Tenant names the organisation that owns imports, the catalogue and
// completeness. Until tenancy lands every caller is the default tenant.
type Tenant string

// DefaultTenant is the tenant of a single-team deployment.
const DefaultTenant Tenant = "default"

// OrDefault returns the tenant, or DefaultTenant when empty.
func (t Tenant) OrDefault() Tenant {
	if t == "" {
		return DefaultTenant
	}
	return t
}
