package store

import (
	"context"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// TenantInfo is tenants/{id}.
type TenantInfo struct {
	ID        hoadon.Tenant `firestore:"id" json:"id"`
	Name      string        `firestore:"name" json:"name"`
	CreatedAt time.Time     `firestore:"created_at" json:"created_at"`
}

// CreateTenant records a new tenant; CodeConflict when it exists.
func (s *Store) CreateTenant(ctx context.Context, t hoadon.Tenant, name string) (TenantInfo, error) {
	if _, err := hoadon.ParseTenant(string(t)); err != nil {
		return TenantInfo{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = string(t)
	}
	if len(name) > 200 {
		return TenantInfo{}, hoadon.Errorf(hoadon.CodeInvalid, "a tenant's name is at most 200 bytes")
	}
	info := TenantInfo{ID: t, Name: name, CreatedAt: s.now().UTC()}
	_, err := s.tenantRef(t).Create(ctx, info)
	if status.Code(err) == codes.AlreadyExists {
		return TenantInfo{}, hoadon.Errorf(hoadon.CodeConflict, "tenant %s already exists", t)
	}
	return info, gcp.Classify("store.CreateTenant", err)
}

// EnsureDefaultTenant records the default tenant if it is not recorded yet.
func (s *Store) EnsureDefaultTenant(ctx context.Context) error {
	_, err := s.CreateTenant(ctx, hoadon.DefaultTenant, "default")
	if hoadon.ErrorCode(err) == hoadon.CodeConflict {
		return nil
	}
	return err
}

// TenantExists reports whether a tenant is recorded; the default tenant
// always exists.
func (s *Store) TenantExists(ctx context.Context, t hoadon.Tenant) (bool, error) {
	if t == hoadon.DefaultTenant {
		return true, nil
	}
	_, err := s.tenantRef(t).Get(ctx)
	if notFound(err) {
		return false, nil
	}
	return err == nil, gcp.Classify("store.TenantExists", err)
}

// Tenants lists every recorded tenant by id.
func (s *Store) Tenants(ctx context.Context) ([]TenantInfo, error) {
	docs, err := QueryTenantsByID.On(s.fs).Documents(ctx).GetAll()
	if err != nil {
		return nil, gcp.Classify("store.Tenants", err)
	}
	out := make([]TenantInfo, 0, len(docs))
	for _, d := range docs {
		var ti TenantInfo
		if err := d.DataTo(&ti); err != nil {
			return nil, gcp.Classify("store.Tenants", err)
		}
		out = append(out, ti)
	}
	return out, nil
}

// Catalogue calls fn for every invoice in a tenant's catalogue of a company
// (stored or known unavailable), in id order.
func (s *Store) Catalogue(ctx context.Context, tenant hoadon.Tenant, company string, fn func(CatalogueEntry) error) error {
	return eachDoc(s.catalogueCol(tenant, company).Documents(ctx), "store.Catalogue", fn)
}
