package terraform_test

// The Firestore composite indexes: derived from the query declarations of
// shared/store (store.Queries, each query's Index), compared with the
// google_firestore_index resources of the configuration, both ways.

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/store"
)

// indexKey names an index by scope, collection and fields, the way both
// sides are compared: "COLLECTION invoices (status ASCENDING, updated_at ASCENDING)".
func indexKey(ix store.Index) string {
	scope := "COLLECTION"
	if ix.Group {
		scope = "COLLECTION_GROUP"
	}
	var fields []string
	for _, f := range ix.Fields {
		dir := "ASCENDING"
		if f.Desc {
			dir = "DESCENDING"
		}
		fields = append(fields, f.Field+" "+dir)
	}
	return fmt.Sprintf("%s %s (%s)", scope, ix.Collection, strings.Join(fields, ", "))
}

// declaredIndexes reads the google_firestore_index resources: key → resource name.
func declaredIndexes(c *tfConfig) (map[string]string, []string) {
	out := map[string]string{}
	var problems []string
	for _, r := range c.blocks(".", "resource", "google_firestore_index") {
		name := r.Labels[1]
		coll, ok := literalString(attrExpr(r.Body, "collection"))
		if !ok {
			problems = append(problems, fmt.Sprintf("google_firestore_index.%s: collection must be a literal", name))
			continue
		}
		ix := store.Index{Collection: coll}
		scope := "COLLECTION" // the provider's default
		if e := attrExpr(r.Body, "query_scope"); e != nil {
			scope, _ = literalString(e)
		}
		switch scope {
		case "COLLECTION":
		case "COLLECTION_GROUP":
			ix.Group = true
		default:
			problems = append(problems, fmt.Sprintf("google_firestore_index.%s: query_scope %q", name, scope))
		}
		for _, f := range nestedBlocks(r.Body, "fields") {
			path, _ := literalString(attrExpr(f.Body, "field_path"))
			order, _ := literalString(attrExpr(f.Body, "order"))
			if order != "ASCENDING" && order != "DESCENDING" {
				problems = append(problems, fmt.Sprintf("google_firestore_index.%s: field %q needs order ASCENDING or DESCENDING (got %q)", name, path, order))
			}
			ix.Fields = append(ix.Fields, store.Order{Field: path, Desc: order == "DESCENDING"})
		}
		out[indexKey(ix)] = name
	}
	return out, problems
}

// checkIndexes: the configuration declares exactly the indexes the queries need.
func checkIndexes(c *tfConfig, queries []store.Query) []string {
	have, problems := declaredIndexes(c)
	need := map[string][]string{} // key → query names
	for _, q := range queries {
		if ix, ok := q.Index(); ok {
			need[indexKey(ix)] = append(need[indexKey(ix)], q.Name)
		}
	}
	for _, k := range sortedKeys(need) {
		if _, ok := have[k]; !ok {
			problems = append(problems, fmt.Sprintf("missing index %s, needed by %q", k, need[k]))
		}
	}
	var extra []string
	for k, name := range have {
		if _, ok := need[k]; !ok {
			extra = append(extra, fmt.Sprintf("google_firestore_index.%s (%s) serves no declared query", name, k))
		}
	}
	sort.Strings(extra)
	return append(problems, extra...)
}

func TestFirestoreIndexesMatchQueries(t *testing.T) {
	expectNone(t, "firestore indexes", checkIndexes(load(t), store.Queries))

	// The fault the review found: the stale-invoice index declared for the
	// collection group while the query runs on one import's invoices.
	broken := snippet(t, map[string]string{"firestore.tf": `
resource "google_firestore_index" "invoices_by_status" {
  collection  = "invoices"
  query_scope = "COLLECTION_GROUP"
  fields {
    field_path = "status"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "ASCENDING"
  }
}
`})
	problems := checkIndexes(broken, []store.Query{store.QueryInvoicesStale})
	expectProblem(t, problems, "missing index COLLECTION invoices (status ASCENDING, updated_at ASCENDING)")
	expectProblem(t, problems, "google_firestore_index.invoices_by_status (COLLECTION_GROUP invoices")
	// A wrong direction is a missing index too.
	broken = snippet(t, map[string]string{"firestore.tf": `
resource "google_firestore_index" "imports_by_company" {
  collection = "imports"
  fields {
    field_path = "tenant"
    order      = "ASCENDING"
  }
  fields {
    field_path = "params.company_id"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "ASCENDING"
  }
}
`})
	expectProblem(t, checkIndexes(broken, []store.Query{store.QueryImportsOfTenantCompany}), "missing index COLLECTION imports (tenant ASCENDING, params.company_id ASCENDING, created_at DESCENDING)")
}
