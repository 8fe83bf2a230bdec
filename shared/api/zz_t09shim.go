package api

import (
	"net/http"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// TEMPORARY until issue 9 lands: the caller's tenant.
func callerTenant(r *http.Request) hoadon.Tenant { return hoadon.DefaultTenant }
