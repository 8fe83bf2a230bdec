package store

import (
	"context"
	"strings"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Collections of the layout before tenants, read only by MigrateTenants.
const (
	legacyRegistry    = "registry"    // registry/{mst}/invoices/{id}
	legacyCredentials = "credentials" // credentials/{mst}
)

// MigrateReport counts what a migration moved (or would move).
type MigrateReport struct {
	Imports     int `json:"imports"`     // imports given the default tenant
	Invoices    int `json:"invoices"`    // their invoices, object names rewritten
	Catalogue   int `json:"catalogue"`   // registry entries moved into the default tenant's catalogue
	Credentials int `json:"credentials"` // credentials moved under the default tenant
}

// MigrateTenants moves data from before tenants into the default tenant's
// layout: imports without a tenant get it (their invoices' object names
// renamed by rename), registry/{mst}/invoices/{id} becomes
// tenants/default/companies/{mst}/invoices/{id} and credentials/{mst}
// becomes tenants/default/credentials/{mst}. Running it again finds nothing
// left to move. With dryRun it only counts.
func (s *Store) MigrateTenants(ctx context.Context, dryRun bool, rename func(string) string) (MigrateReport, error) {
	var rep MigrateReport
	if !dryRun {
		if err := s.EnsureDefaultTenant(ctx); err != nil {
			return rep, err
		}
	}
	steps := []func(context.Context, bool, func(string) string, *MigrateReport) error{
		s.migrateImports, s.migrateRegistry, s.migrateCredentials,
	}
	for _, step := range steps {
		if err := step(ctx, dryRun, rename, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func renameObjects(o hoadon.Objects, rename func(string) string) hoadon.Objects {
	return hoadon.Objects{ZIP: rename(o.ZIP), XML: rename(o.XML), JSON: rename(o.JSON)}
}

// migrateImports gives the default tenant to every import without one,
// its invoices first, so an interrupted run repeats the unfinished import.
func (s *Store) migrateImports(ctx context.Context, dryRun bool, rename func(string) string, rep *MigrateReport) error {
	it := s.fs.Collection(colImports).Documents(ctx)
	defer it.Stop()
	for {
		snap, err := it.Next()
		if err == iterator.Done {
			return nil
		}
		if err != nil {
			return gcp.Classify("store.MigrateTenants", err)
		}
		if t, _ := snap.DataAt("tenant"); t != nil && t != "" {
			continue
		}
		rep.Imports++
		n, err := s.migrateImportInvoices(ctx, snap.Ref, dryRun, rename)
		rep.Invoices += n
		if err != nil || dryRun {
			return err
		}
		if _, err := snap.Ref.Update(ctx, []firestore.Update{{Path: "tenant", Value: string(hoadon.DefaultTenant)}}); err != nil {
			return gcp.Classify("store.MigrateTenants", err)
		}
	}
}

func (s *Store) migrateImportInvoices(ctx context.Context, ref *firestore.DocumentRef, dryRun bool, rename func(string) string) (int, error) {
	docs, err := ref.Collection(colInvoices).Documents(ctx).GetAll()
	if err != nil || dryRun {
		return len(docs), gcp.Classify("store.MigrateTenants", err)
	}
	bw := s.fs.BulkWriter(ctx)
	for _, d := range docs {
		var inv hoadon.Invoice
		if err := d.DataTo(&inv); err != nil {
			bw.End()
			return 0, gcp.Classify("store.MigrateTenants", err)
		}
		inv.Tenant, inv.Objects = hoadon.DefaultTenant, renameObjects(inv.Objects, rename)
		if _, err := bw.Set(d.Ref, inv); err != nil {
			bw.End()
			return 0, gcp.Classify("store.MigrateTenants", err)
		}
	}
	bw.End()
	return len(docs), nil
}

// migrateRegistry moves every registry entry into the default tenant's
// catalogue; an entry already there (written after the upgrade) wins.
func (s *Store) migrateRegistry(ctx context.Context, dryRun bool, rename func(string) string, rep *MigrateReport) error {
	companies, err := s.fs.Collection(legacyRegistry).DocumentRefs(ctx).GetAll()
	if err != nil {
		return gcp.Classify("store.MigrateTenants", err)
	}
	for _, c := range companies {
		docs, err := c.Collection(colInvoices).Documents(ctx).GetAll()
		if err != nil {
			return gcp.Classify("store.MigrateTenants", err)
		}
		rep.Catalogue += len(docs)
		if dryRun {
			continue
		}
		for _, d := range docs {
			if err := s.moveRegistryEntry(ctx, c.ID, d, rename); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) moveRegistryEntry(ctx context.Context, company string, d *firestore.DocumentSnapshot, rename func(string) string) error {
	var e CatalogueEntry
	if err := d.DataTo(&e); err != nil {
		return gcp.Classify("store.MigrateTenants", err)
	}
	e.ID, e.Direction, e.Objects = d.Ref.ID, e.Flow.Direction(), renameObjects(e.Objects, rename)
	if e.Date == "" { // the registry kept no date: the object name holds year and month
		e.Date = dateFromObject(e.Objects.XML)
	}
	to := s.catalogueRef(hoadon.DefaultTenant, company, d.Ref.ID)
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		if _, err := tx.Get(to); err == nil {
			return tx.Delete(d.Ref)
		} else if !notFound(err) {
			return err
		}
		if err := tx.Create(to, e); err != nil {
			return err
		}
		return tx.Delete(d.Ref)
	})
	return gcp.Classify("store.MigrateTenants", err)
}

// dateFromObject reads ".../{yyyy}/{mm}/stem.xml" as the first of that month.
func dateFromObject(name string) string {
	parts := strings.Split(name, "/")
	if len(parts) < 3 {
		return ""
	}
	y, m := parts[len(parts)-3], parts[len(parts)-2]
	if len(y) != 4 || len(m) != 2 {
		return ""
	}
	return y + "-" + m + "-01"
}

// migrateCredentials moves credentials/{mst} under the default tenant; a
// value already there (a start after the upgrade) wins.
func (s *Store) migrateCredentials(ctx context.Context, dryRun bool, _ func(string) string, rep *MigrateReport) error {
	docs, err := s.fs.Collection(legacyCredentials).Documents(ctx).GetAll()
	if err != nil {
		return gcp.Classify("store.MigrateTenants", err)
	}
	rep.Credentials += len(docs)
	if dryRun {
		return nil
	}
	for _, d := range docs {
		to := s.credentialsRef(hoadon.DefaultTenant, d.Ref.ID)
		err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
			if _, err := tx.Get(to); notFound(err) {
				if err := tx.Create(to, d.Data()); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			return tx.Delete(d.Ref)
		})
		if err != nil {
			return gcp.Classify("store.MigrateTenants", err)
		}
	}
	return nil
}
