package api

import (
	"net/http"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// callerTenant is the tenant of the request's caller. A seam until tenancy
// (issue 9) lands: every caller is the default tenant.
func callerTenant(*http.Request) hoadon.Tenant { return hoadon.DefaultTenant }
