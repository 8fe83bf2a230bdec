package store

import (
	"fmt"

	"cloud.google.com/go/firestore"
)

// Every Firestore query the code of shared/ runs is declared here, once,
// and built from its declaration (Query.On): nothing else in shared/ calls
// Where, OrderBy or CollectionGroup (queries_test.go checks the sources).
// The composite index each query needs is derived from the declaration
// (Query.Index), and terraform/ checks that terraform/firestore.tf declares
// exactly those indexes, with the right fields, order and scope.
//
// To add a query: declare it below, add it to Queries, build it with On in
// the method that runs it, then run `go test ./terraform/`: it names the
// google_firestore_index to add (or remove) when the query needs one.
// Limit, Select, cursors and aggregations are applied to On's result; they
// need no index of their own.

// Query declares one Firestore query: where it runs and what it filters and
// sorts on.
type Query struct {
	// Name says what the query is for; unique.
	Name string
	// Collection is the collection id (the last segment of its path).
	Collection string
	// Group makes it a collection-group query (every collection with that
	// id, through the client); otherwise it runs on one collection.
	Group bool
	// Equal are the fields compared with ==, in the order On takes values.
	Equal []string
	// Range is the one field compared with RangeOp (<, <=, >, >=, !=, or
	// "in" with a list, which indexes like an equality after the others);
	// its value comes after the Equal values.
	Range, RangeOp string
	// Order is the sort order.
	Order []Order
}

// Order is one sort key of a query.
type Order struct {
	Field string
	Desc  bool
}

// Asc and Desc build sort keys.
func Asc(field string) Order  { return Order{Field: field} }
func Desc(field string) Order { return Order{Field: field, Desc: true} }

// The queries of shared/, by package. Field names are the stored documents'
// (firestore tags).
var (
	// shared/store
	QueryImportsOfTenant           = Query{Name: "imports of a tenant newest first", Collection: colImports, Equal: []string{"tenant"}, Order: []Order{Desc("created_at")}}
	QueryImportsOfTenantCompany    = Query{Name: "imports of a tenant's company newest first", Collection: colImports, Equal: []string{"tenant", "params.company_id"}, Order: []Order{Desc("created_at")}}
	QueryTenantsByID               = Query{Name: "tenants by id", Collection: colTenants, Order: []Order{Asc(firestore.DocumentID)}}
	QueryImportsInState            = Query{Name: "imports in a state", Collection: colImports, Equal: []string{"state"}}
	QueryInvoicesOfImport          = Query{Name: "invoices of an import", Collection: colInvoices}
	QueryInvoicesInStatus          = Query{Name: "invoices of an import in a status", Collection: colInvoices, Equal: []string{"status"}}
	QueryInvoicesStale             = Query{Name: "invoices of an import in a status untouched since", Collection: colInvoices, Equal: []string{"status"}, Range: "updated_at", RangeOp: "<"}
	QueryOutboxPending             = Query{Name: "undelivered events older than", Collection: colOutbox, Equal: []string{"done"}, Range: "created_at", RangeOp: "<", Order: []Order{Asc("created_at")}}
	QueryOutboxOfImport            = Query{Name: "events of an import in order", Collection: colOutbox, Equal: []string{"import_id"}, Order: []Order{Asc("created_at")}}
	QueryOutboxUndeliveredOfImport = Query{Name: "undelivered events of an import", Collection: colOutbox, Equal: []string{"import_id", "done"}}
	QueryAPIKeyByID                = Query{Name: "API key by id", Collection: "apikeys", Equal: []string{"id"}}
	QueryAPIKeysNewest             = Query{Name: "API keys newest first", Collection: "apikeys", Order: []Order{Desc("created_at")}}
	QuerySinkReceived              = Query{Name: "events received", Collection: "received"}
	QuerySinkOfImport              = Query{Name: "events received for an import", Collection: "received", Equal: []string{"import_id"}}
	QuerySinkRecorded              = Query{Name: "events recorded (not bare markers)", Collection: "received", Range: "type", RangeOp: ">"}
	QuerySchedulesByID             = Query{Name: "a tenant's schedules by id", Collection: "schedules", Order: []Order{Asc(firestore.DocumentID)}}
	QuerySchedulesAllTenants       = Query{Name: "schedules of every tenant", Collection: "schedules", Group: true}
	QueryScheduleRunsNewest        = Query{Name: "runs of a schedule newest first", Collection: "runs", Order: []Order{Desc("day")}}
	QueryScheduleRunsSince         = Query{Name: "runs of a schedule since a day", Collection: "runs", Range: "day", RangeOp: ">="}
	QuerySubscriptionsByID         = Query{Name: "a tenant's subscriptions by id", Collection: colSubscriptions, Order: []Order{Asc(firestore.DocumentID)}}
	QueryCompaniesByMST            = Query{Name: "a tenant's company summaries by tax code", Collection: colCompanies, Order: []Order{Asc(firestore.DocumentID)}}
	QueryCatalogueUnsettled        = Query{Name: "catalogue entries of a month and flow in some statuses", Collection: colInvoices, Equal: []string{"month", "flow"}, Range: "status", RangeOp: "in"}
	QueryCataloguePeriod           = Query{Name: "catalogue entries of a direction from a date on, by date (an export)", Collection: colInvoices, Equal: []string{"direction"}, Range: "date", RangeOp: ">=", Order: []Order{Asc("date")}}
)

// Queries lists every declared query; the index derivation test reads it.
var Queries = []Query{
	QueryTenantsByID, QueryImportsOfTenant, QueryImportsOfTenantCompany, QueryImportsInState,
	QueryInvoicesOfImport, QueryInvoicesInStatus, QueryInvoicesStale,
	QueryOutboxPending, QueryOutboxOfImport, QueryOutboxUndeliveredOfImport,
	QueryAPIKeyByID, QueryAPIKeysNewest,
	QuerySinkReceived, QuerySinkOfImport, QuerySinkRecorded,
	QuerySchedulesByID, QuerySchedulesAllTenants, QueryScheduleRunsNewest, QueryScheduleRunsSince,
	QueryCatalogueUnsettled, QueryCataloguePeriod, QuerySubscriptionsByID, QueryCompaniesByMST,
}

// Parent is what a query runs under: the client (top-level collections and
// collection groups) or a document (its subcollections).
type Parent interface {
	Collection(id string) *firestore.CollectionRef
}

// On builds the query under parent: the Equal values in order, then the
// Range value. A wrong number of values, or a group query under a
// document, is a programming error and panics (the tests run every query).
func (q Query) On(parent Parent, values ...any) firestore.Query {
	want := len(q.Equal)
	if q.Range != "" {
		want++
	}
	if len(values) != want {
		panic(fmt.Sprintf("store: query %q takes %d values, got %d", q.Name, want, len(values)))
	}
	var fq firestore.Query
	if q.Group {
		c, ok := parent.(*firestore.Client)
		if !ok {
			panic(fmt.Sprintf("store: query %q is a collection-group query: run it on the client", q.Name))
		}
		fq = c.CollectionGroup(q.Collection).Query
	} else {
		fq = parent.Collection(q.Collection).Query
	}
	for i, f := range q.Equal {
		fq = fq.Where(f, "==", values[i])
	}
	if q.Range != "" {
		fq = fq.Where(q.Range, q.RangeOp, values[len(q.Equal)])
	}
	for _, o := range q.Order {
		dir := firestore.Asc
		if o.Desc {
			dir = firestore.Desc
		}
		fq = fq.OrderBy(o.Field, dir)
	}
	return fq
}

// Index is a composite index: scope, collection and fields in order.
type Index struct {
	Collection string
	Group      bool
	Fields     []Order
}

// Index derives the composite index the query needs, or reports false when
// Firestore's automatic single-field indexes serve it: equality filters
// alone (merged), or one range/sort field alone. Otherwise the index holds
// the equality fields (ascending), then the range field, then the sort
// fields, each once; a range field that is also the first sort key takes
// that key's direction, as Firestore requires. The document id sorts last
// implicitly and is never an index field.
func (q Query) Index() (Index, bool) {
	var fields []Order
	seen := map[string]bool{firestore.DocumentID: true}
	add := func(o Order) {
		if !seen[o.Field] {
			seen[o.Field] = true
			fields = append(fields, o)
		}
	}
	for _, f := range q.Equal {
		add(Asc(f))
	}
	if q.Range != "" {
		r := Asc(q.Range)
		if len(q.Order) > 0 && q.Order[0].Field == q.Range {
			r = q.Order[0]
		}
		add(r)
	}
	for _, o := range q.Order {
		add(o)
	}
	if len(fields) == len(q.Equal) || len(fields) < 2 {
		return Index{}, false
	}
	return Index{Collection: q.Collection, Group: q.Group, Fields: fields}, true
}
