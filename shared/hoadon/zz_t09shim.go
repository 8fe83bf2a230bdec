package hoadon

// TEMPORARY until issue 9 lands: the tenant type.

type Tenant string

const DefaultTenant Tenant = "default"

func (t Tenant) OrDefault() Tenant {
	if t == "" {
		return DefaultTenant
	}
	return t
}
