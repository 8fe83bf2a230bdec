package importer

import "github.com/hoadon/hoadon/shared/hoadon"

// importTenant is the tenant of an import. A seam until tenancy (issue 9)
// lands: every import is the default tenant's.
func importTenant(hoadon.Import) hoadon.Tenant { return hoadon.DefaultTenant }
