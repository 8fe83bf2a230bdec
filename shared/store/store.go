// Package store keeps the facts of every import in Firestore: imports, the
// invoices of each import keyed by their natural key, each tenant's
// catalogue of stored invoices per company and its sealed credentials,
// portal sessions, the event outbox and the adaptive-rate state of each
// company.
//
// Layout (tenant-owned data lives under tenants/{tenant}):
//
//	imports/{id}                                       an import; field tenant names its owner
//	imports/{id}/invoices/{invoiceID}, /shards/{n}     its invoices and progress counters
//	imports/{id}/credentials/login                     the sealed login it was started with, until final
//	tenants/{tenant}                                   name, created
//	tenants/{tenant}/credentials/{mst}                 sealed portal login the portal last accepted
//	tenants/{tenant}/companies/{mst}/invoices/{id}     the catalogue: invoices stored or known unavailable
//	sessions/{mst}_{digest}, rates/{mst}               per portal account (a session per login), shared by tenants
//	active/{fingerprint}, idempotency/{hash}, outbox/{eventID}
//
// Every state change is a transaction that moves a document from one status
// to the next exactly once, updates the progress counters and writes the
// events that report it, so a request that arrives twice, or after a crash,
// changes nothing the second time. Progress is kept in a few counter shards
// per import rather than one hot document: Firestore sustains about one write
// per second on a single document.
package store

import (
	"fmt"
	"hash/fnv"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Collection names.
const (
	colImports     = "imports"
	colInvoices    = "invoices" // subcollection of an import
	colShards      = "shards"   // subcollection of an import
	colActive      = "active"
	colIdempotency = "idempotency"
	colTenants     = "tenants"
	colCompanies   = "companies"   // tenants/{t}/companies/{mst}; its invoices form the catalogue
	colIndex       = "index"       // tenants/{t}/index/companies: the tenant's list of companies
	colCredentials = "credentials" // tenants/{t}/credentials/{mst}
	colSessions    = "sessions"
	colOutbox      = "outbox"
	colRates       = "rates"
)

// DefaultShards is the number of counter shards per import: enough for the
// handful of concurrent downloads a company queue allows, few enough that a
// status read is one small query.
const DefaultShards = 8

// Store is the Firestore-backed store. It is safe for concurrent use.
type Store struct {
	fs     *firestore.Client
	shards int
	now    func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithShards sets the number of counter shards of new imports.
func WithShards(n int) Option { return func(s *Store) { s.shards = max(1, n) } }

// New returns a Store on a Firestore client.
func New(fs *firestore.Client, opts ...Option) *Store {
	s := &Store{fs: fs, shards: DefaultShards, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Client returns the underlying Firestore client.
func (s *Store) Client() *firestore.Client { return s.fs }

func (s *Store) importRef(id string) *firestore.DocumentRef {
	return s.fs.Collection(colImports).Doc(id)
}

func (s *Store) invoiceRef(importID, invoiceID string) *firestore.DocumentRef {
	return s.importRef(importID).Collection(colInvoices).Doc(invoiceID)
}

func (s *Store) tenantRef(t hoadon.Tenant) *firestore.DocumentRef {
	return s.fs.Collection(colTenants).Doc(string(t.OrDefault()))
}

// catalogueRef is a tenant's record of one invoice of a company.
func (s *Store) catalogueRef(t hoadon.Tenant, company, invoiceID string) *firestore.DocumentRef {
	return s.catalogueCol(t, company).Doc(invoiceID)
}

func (s *Store) credentialsRef(t hoadon.Tenant, company string) *firestore.DocumentRef {
	return s.tenantRef(t).Collection(colCredentials).Doc(company)
}

func (s *Store) shardRef(importID, invoiceID string) *firestore.DocumentRef {
	h := fnv.New32a()
	h.Write([]byte(invoiceID))
	return s.shardRefN(importID, int(h.Sum32()%uint32(s.shards)))
}

func (s *Store) shardRefN(importID string, n int) *firestore.DocumentRef {
	return s.importRef(importID).Collection(colShards).Doc(fmt.Sprintf("s%02d", n))
}

// notFound reports whether err is Firestore's NotFound.
func notFound(err error) bool { return status.Code(err) == codes.NotFound }
