package importer

import (
	"context"

	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// ReverifyReport counts what Reverify checked of one company.
type ReverifyReport struct {
	Tenant   hoadon.Tenant `json:"tenant"`
	Company  string        `json:"company"`
	Checked  int           `json:"checked"`  // stored invoices whose XML was verified
	Valid    int           `json:"valid"`    // … whose seller signature is valid
	Warnings int           `json:"warnings"` // … with a warning on the seller's signature (missing, invalid, foreign)
	Updated  int           `json:"updated"`  // catalogue entries whose results were written
	Skipped  int           `json:"skipped"`  // entries stored again meanwhile (already verified by that download)
	// Unreadable names the stored XML objects that are missing or not an
	// invoice (at most 50): left as they are.
	Unreadable []string `json:"unreadable,omitempty"`
	DryRun     bool     `json:"dry_run"`
}

// Reverify verifies the signatures of every invoice a tenant's catalogue of
// a company stores, from the stored XML, and records the results on the
// entries: for invoices stored before downloads verified signatures, or
// after the trust store changed. No event is sent and no file changes; dry
// only counts.
func Reverify(ctx context.Context, st *store.Store, blobs *blob.Store, v *xmlsig.Verifier, t hoadon.Tenant, company string, dry bool) (ReverifyReport, error) {
	rep := ReverifyReport{Tenant: t.OrDefault(), Company: company, DryRun: dry}
	if err := hoadon.ValidateMST(company); err != nil {
		return rep, err
	}
	err := st.Catalogue(ctx, t, company, func(e store.CatalogueEntry) error {
		if e.Status != hoadon.StatusStored {
			return nil
		}
		out, err := reverifyEntry(ctx, blobs, v, e)
		if c := hoadon.ErrorCode(err); c == hoadon.CodeBadData || c == hoadon.CodeNotFound {
			if len(rep.Unreadable) < 50 {
				rep.Unreadable = append(rep.Unreadable, e.Objects.XML+": "+err.Error())
			}
			return nil
		}
		if err != nil {
			return err
		}
		rep.Checked++
		if out.Signature == string(xmlsig.StatusValid) {
			rep.Valid++
		}
		if out.Warning != "" {
			rep.Warnings++
		}
		if dry {
			return nil
		}
		ok, err := st.RecordSignatures(ctx, t, company, e.ID, e.SHA256, out.Signatures, out.Warning)
		if ok {
			rep.Updated++
		} else if err == nil {
			rep.Skipped++
		}
		return err
	})
	return rep, err
}

// reverifyEntry verifies one entry's stored XML as a download does.
func reverifyEntry(ctx context.Context, blobs *blob.Store, v *xmlsig.Verifier, e store.CatalogueEntry) (store.Outcome, error) {
	if e.Objects.XML == "" {
		return store.Outcome{}, hoadon.Errorf(hoadon.CodeBadData, "stored invoice %s names no XML object", e.Key)
	}
	data, err := blobs.Get(ctx, e.Objects.XML)
	if err != nil {
		return store.Outcome{}, err
	}
	parsed, err := einvoice.ParseWith(data, einvoice.Options{Verifier: v})
	if err != nil {
		return store.Outcome{}, err
	}
	return verified(parsed), nil
}
