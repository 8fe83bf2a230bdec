package store

import (
	"context"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// RecordSignatures replaces the signature results of a stored catalogue
// entry whose XML is still the one checked (sha256). It reports false,
// changing nothing, when the entry is no longer stored or holds other XML
// (a forced download stored it again meanwhile, and verified it).
func (s *Store) RecordSignatures(ctx context.Context, t hoadon.Tenant, company, invoiceID, sha256 string, sigs []xmlsig.Result, warning string) (bool, error) {
	ref := s.catalogueRef(t, company, invoiceID)
	var done bool
	err := s.fs.RunTransaction(ctx, func(ctx context.Context, tx *firestore.Transaction) error {
		snap, err := tx.Get(ref)
		if err != nil {
			return err
		}
		var e CatalogueEntry
		if err := snap.DataTo(&e); err != nil {
			return err
		}
		if done = e.Status == hoadon.StatusStored && e.SHA256 == sha256; !done {
			return nil
		}
		return tx.Update(ref, []firestore.Update{{Path: "signatures", Value: sigs}, {Path: "signature_warning", Value: warning}})
	})
	return done, gcp.Classify("store.RecordSignatures", err)
}
