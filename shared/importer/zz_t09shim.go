package importer

import "github.com/hoadon/hoadon/shared/hoadon"

// TEMPORARY until issue 9 lands.
func importTenant(imp hoadon.Import) hoadon.Tenant { return hoadon.DefaultTenant }
