// Package blob stores invoice files and import reports in Google Cloud
// Storage (fake-gcs-server locally). Writes are write-if-absent
// (ifGenerationMatch=0): an invoice's files never change once stored, and a
// retried or duplicated download finds its own earlier write instead of
// overwriting it.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/opcount"
)

// metaSHA256 is the object metadata key holding the SHA-256 of the content,
// so a second writer can tell "same file" from "different file" without
// downloading it.
const metaSHA256 = "sha256"

// Store writes and reads objects in one bucket.
type Store struct {
	bucket *storage.BucketHandle
	name   string
}

// New returns a Store on bucket.
func New(c *storage.Client, bucket string) *Store {
	return &Store{bucket: c.Bucket(bucket), name: bucket}
}

// Bucket returns the bucket name.
func (s *Store) Bucket() string { return s.name }

// URI returns the gs:// address of an object.
func (s *Store) URI(object string) string { return "gs://" + s.name + "/" + object }

// Put writes data to object unless it exists. It returns the SHA-256 of what
// is stored under the name afterwards and whether it was already there. An
// existing object with different content is a conflict: stored invoices are
// immutable.
func (s *Store) Put(ctx context.Context, object string, data []byte, contentType string) (sum string, existed bool, err error) {
	sum = SHA256(data)
	w := s.bucket.Object(object).If(storage.Conditions{DoesNotExist: true}).NewWriter(ctx)
	w.ContentType = contentType
	w.Metadata = map[string]string{metaSHA256: sum}
	w.ChunkSize = 0 // single request: invoice files are small
	opcount.Add(opcount.GCSClassA, 1)
	if _, err := w.Write(data); err != nil {
		w.Close()
		return "", false, gcp.Classify("blob.Put "+object, err)
	}
	err = w.Close()
	if err == nil {
		opcount.Add(opcount.GCSBytesWritten, int64(len(data)))
		return sum, false, nil
	}
	if !preconditionFailed(err) {
		return "", false, gcp.Classify("blob.Put "+object, err)
	}
	opcount.Add(opcount.GCSClassB, 1)
	attrs, err := s.bucket.Object(object).Attrs(ctx)
	if err != nil {
		return "", false, gcp.Classify("blob.Put "+object, err)
	}
	if got := attrs.Metadata[metaSHA256]; got != sum {
		return got, true, hoadon.Errorf(hoadon.CodeConflict, "blob: %s already exists with other content (sha256 %s, new %s)", object, got, sum)
	}
	return sum, true, nil
}

// Get reads an object whole.
func (s *Store) Get(ctx context.Context, object string) ([]byte, error) {
	opcount.Add(opcount.GCSClassB, 1)
	r, err := s.bucket.Object(object).NewReader(ctx)
	if err != nil {
		return nil, gcp.Classify("blob.Get "+object, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	return data, gcp.Classify("blob.Get "+object, err)
}

// Writer opens a streaming write-if-absent writer, for large reports such
// as a manifest.
func (s *Store) Writer(ctx context.Context, object, contentType string) *storage.Writer {
	w := s.bucket.Object(object).If(storage.Conditions{DoesNotExist: true}).NewWriter(ctx)
	w.ContentType = contentType
	opcount.Add(opcount.GCSClassA, 1)
	return w
}

// List returns the names of the objects under prefix.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	it := s.bucket.Objects(ctx, &storage.Query{Prefix: prefix})
	var out []string
	for {
		if len(out)%1000 == 0 { // a list call returns up to 1,000 names
			opcount.Add(opcount.GCSClassA, 1)
		}
		a, err := it.Next()
		if err == iterator.Done {
			return out, nil
		}
		if err != nil {
			return nil, gcp.Classify("blob.List "+prefix, err)
		}
		out = append(out, a.Name)
	}
}

// SHA256 returns the hex SHA-256 of data.
func SHA256(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Object layout. Everything a tenant owns lives under tenants/{tenant}/:
//
//	tenants/{tenant}/invoices/{mst}/{direction}/{yyyy}/{mm}/{nbmst}_{khmshdon}_{khhdon}_{shdon}.{zip,xml,json}
//	tenants/{tenant}/imports/{id}/{manifest.ndjson,summary.json}
//	tenants/{tenant}/exports/{mst}/{import id}/{mst}_{direction}_{from}_{to}.xlsx
//
// InvoiceObjects and ImportObject are the only places that build these
// names; each part is validated, so nothing the portal sends can name an
// object outside the tenant's company prefix.

// CompanyPrefix is where a tenant's files of a company live, ending in "/".
func CompanyPrefix(t hoadon.Tenant, company string) (string, error) {
	if !t.Valid() {
		return "", hoadon.Errorf(hoadon.CodeInvalid, "blob: tenant %q is not valid", t)
	}
	if err := hoadon.ValidateMST(company); err != nil {
		return "", err
	}
	return "tenants/" + string(t) + "/invoices/" + company + "/", nil
}

// InvoiceObjects names the files of an invoice. The key comes from the
// portal and must pass InvoiceKey.CheckPortal; direction and date are ours.
func InvoiceObjects(t hoadon.Tenant, company string, d hoadon.Direction, date hoadon.Date, k hoadon.InvoiceKey) (hoadon.Objects, error) {
	prefix, err := CompanyPrefix(t, company)
	if err != nil {
		return hoadon.Objects{}, err
	}
	if d != hoadon.Sold && d != hoadon.Purchase {
		return hoadon.Objects{}, hoadon.Errorf(hoadon.CodeInvalid, "blob: direction %q is not sold or purchase", d)
	}
	if date.IsZero() || date.Year() < 2000 || date.Year() > 2999 {
		return hoadon.Objects{}, hoadon.Errorf(hoadon.CodeInvalid, "blob: invoice date %v out of range", date)
	}
	if err := k.CheckPortal(); err != nil {
		return hoadon.Objects{}, err
	}
	stem := fmt.Sprintf("%s%s/%04d/%02d/%s", prefix, d, date.Year(), int(date.Month()), k)
	return hoadon.Objects{ZIP: stem + ".zip", XML: stem + ".xml", JSON: stem + ".json"}, nil
}

// ExportPrefix is where an import's exports of a company live, ending in
// "/": tenants/{tenant}/exports/{mst}/{import id}/.
func ExportPrefix(t hoadon.Tenant, company, importID string) (string, error) {
	if !t.Valid() {
		return "", hoadon.Errorf(hoadon.CodeInvalid, "blob: tenant %q is not valid", t)
	}
	if err := hoadon.ValidateMST(company); err != nil {
		return "", err
	}
	if err := hoadon.ValidateID("blob: import id", importID); err != nil {
		return "", err
	}
	return "tenants/" + string(t) + "/exports/" + company + "/" + importID + "/", nil
}

// ImportPrefix is where the reports of a tenant's import live, ending in "/".
func ImportPrefix(t hoadon.Tenant, importID string) (string, error) {
	if !t.Valid() {
		return "", hoadon.Errorf(hoadon.CodeInvalid, "blob: tenant %q is not valid", t)
	}
	if err := hoadon.ValidateID("blob: import id", importID); err != nil {
		return "", err
	}
	return "tenants/" + string(t) + "/imports/" + importID + "/", nil
}

func preconditionFailed(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusPreconditionFailed
}

// Exists reports whether err says the object was already there (a
// write-if-absent that lost to an earlier write).
func Exists(err error) bool { return preconditionFailed(err) }

// legacyPrefixes are the object prefixes from before tenants.
var legacyPrefixes = []string{"invoices/", "imports/"}

// MigratedName is where an object named before tenants lives now: under
// the default tenant. Other names are returned as they are.
func MigratedName(name string) string {
	for _, p := range legacyPrefixes {
		if strings.HasPrefix(name, p) {
			return "tenants/" + string(hoadon.DefaultTenant) + "/" + name
		}
	}
	return name
}

// MigrateLegacy moves every object from before tenants (invoices/...,
// imports/...) to MigratedName: copied (keeping its metadata), then
// deleted. An object already at the new name is kept when its SHA-256
// matches and reported as a conflict otherwise. With dryRun it only
// counts.
func (s *Store) MigrateLegacy(ctx context.Context, dryRun bool) (int, error) {
	n := 0
	for _, p := range legacyPrefixes {
		names, err := s.List(ctx, p)
		if err != nil {
			return n, err
		}
		n += len(names)
		if dryRun {
			continue
		}
		for _, name := range names {
			if err := s.move(ctx, name, MigratedName(name)); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (s *Store) move(ctx context.Context, from, to string) error {
	src := s.bucket.Object(from)
	_, err := s.bucket.Object(to).If(storage.Conditions{DoesNotExist: true}).CopierFrom(src).Run(ctx)
	if preconditionFailed(err) {
		a, aerr := src.Attrs(ctx)
		b, berr := s.bucket.Object(to).Attrs(ctx)
		if aerr != nil || berr != nil {
			return gcp.Classify("blob: move "+from, errors.Join(aerr, berr))
		}
		if a.Metadata[metaSHA256] != b.Metadata[metaSHA256] {
			return hoadon.Errorf(hoadon.CodeConflict, "blob: %s and %s differ; resolve by hand", from, to)
		}
	} else if err != nil {
		return gcp.Classify("blob: move "+from, err)
	}
	return gcp.Classify("blob: move "+from, src.Delete(ctx))
}

// Open reads an object as a stream, for files too large to hold whole.
func (s *Store) Open(ctx context.Context, object string) (io.ReadCloser, error) {
	opcount.Add(opcount.GCSClassB, 1)
	r, err := s.bucket.Object(object).NewReader(ctx)
	if err != nil {
		return nil, gcp.Classify("blob.Open "+object, err)
	}
	return r, nil
}
