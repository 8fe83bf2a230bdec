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
	"path"
	"strconv"

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

// InvoiceObjects names the files of an invoice:
// invoices/{mst}/{direction}/{yyyy}/{mm}/{nbmst}_{khmshdon}_{khhdon}_{shdon}.{zip,xml,json}.
func InvoiceObjects(company string, d hoadon.Direction, date hoadon.Date, k hoadon.InvoiceKey) hoadon.Objects {
	dir := path.Join("invoices", company, string(d), strconv.Itoa(date.Year()), fmt.Sprintf("%02d", int(date.Month())))
	stem := path.Join(dir, k.String())
	return hoadon.Objects{ZIP: stem + ".zip", XML: stem + ".xml", JSON: stem + ".json"}
}

func preconditionFailed(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusPreconditionFailed
}

// Exists reports whether err says the object was already there (a
// write-if-absent that lost to an earlier write).
func Exists(err error) bool { return preconditionFailed(err) }
