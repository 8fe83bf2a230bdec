package store_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hoadon/hoadon/shared/store"
)

// queryMethods are the firestore methods that make a query needing an
// index; only queries.go may call them.
var queryMethods = []string{"Where", "WhereEntity", "OrderBy", "CollectionGroup", "FindNearest"}

// undeclaredQueries lists the calls of queryMethods in one Go source file.
func undeclaredQueries(name string, src any) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && slices.Contains(queryMethods, sel.Sel.Name) {
				out = append(out, fmt.Sprintf("%s: %s builds a Firestore query outside shared/store/queries.go", fset.Position(call.Pos()), sel.Sel.Name))
			}
		}
		return true
	})
	return out, nil
}

// TestEveryQueryIsDeclared: no code of shared/ or functions/ builds a
// Firestore query except through the declarations of queries.go.
func TestEveryQueryIsDeclared(t *testing.T) {
	var problems []string
	for _, root := range []string{"..", "../../functions"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || filepath.Base(p) == "queries.go" {
				return err
			}
			found, err := undeclaredQueries(p, nil)
			problems = append(problems, found...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(problems) > 0 {
		t.Errorf("declare these queries in shared/store/queries.go and build them with Query.On:\n%s", strings.Join(problems, "\n"))
	}
	// The check finds a query built by hand.
	broken := "package x\nfunc f(c C) { c.Collection(\"imports\").Where(\"state\", \"==\", \"running\").OrderBy(\"created_at\", 1) }\n"
	found, err := undeclaredQueries("broken.go", broken)
	if err != nil || len(found) != 2 {
		t.Errorf("a hand-built query is not reported: %v %v", found, err)
	}
}

// TestQueryTable: names are unique and every declaration is in Queries.
func TestQueryTable(t *testing.T) {
	names := map[string]bool{}
	for _, q := range store.Queries {
		if q.Name == "" || q.Collection == "" || names[q.Name] {
			t.Errorf("query %+v: empty or duplicate name, or no collection", q)
		}
		names[q.Name] = true
		if (q.Range == "") != (q.RangeOp == "") {
			t.Errorf("query %q: Range and RangeOp go together", q.Name)
		}
	}
	src, err := os.ReadFile("queries.go")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(src), "= Query{Name:"); n != len(store.Queries) {
		t.Errorf("queries.go declares %d queries, Queries lists %d", n, len(store.Queries))
	}
}

// TestIndexDerivation: the rules of Firestore's index selection, on cases
// whose answer the Firestore documentation gives.
func TestIndexDerivation(t *testing.T) {
	a, d := store.Asc, store.Desc
	cases := []struct {
		q    store.Query
		want []store.Order // nil: single-field indexes serve it
	}{
		{store.Query{Collection: "c"}, nil},
		{store.Query{Collection: "c", Equal: []string{"a", "b"}}, nil},    // index merging
		{store.Query{Collection: "c", Order: []store.Order{d("t")}}, nil}, // one field
		{store.Query{Collection: "c", Range: "t", RangeOp: "<"}, nil},     // one field
		{store.Query{Collection: "c", Equal: []string{"a"}, Order: []store.Order{a("a")}}, nil},
		{store.Query{Collection: "c", Equal: []string{"a"}, Order: []store.Order{d("t")}}, []store.Order{a("a"), d("t")}},
		{store.Query{Collection: "c", Equal: []string{"s"}, Range: "u", RangeOp: "<"}, []store.Order{a("s"), a("u")}},
		{store.Query{Collection: "c", Range: "u", RangeOp: ">", Order: []store.Order{d("u"), a("x")}}, []store.Order{d("u"), a("x")}},
		{store.Query{Collection: "c", Order: []store.Order{a("x"), d("y")}}, []store.Order{a("x"), d("y")}},
		{store.Query{Collection: "c", Equal: []string{"a"}, Order: []store.Order{a("__name__")}}, nil},
	}
	for _, c := range cases {
		ix, ok := c.q.Index()
		if ok != (c.want != nil) || (ok && !cmp.Equal(ix.Fields, c.want)) {
			t.Errorf("%+v: index %v %v, want %v", c.q, ok, ix.Fields, c.want)
		}
	}
	// The lost-task sweep queries one import's invoices: a collection-scoped index.
	ix, ok := store.QueryInvoicesStale.Index()
	if !ok || ix.Group || ix.Collection != "invoices" {
		t.Errorf("stale invoices index = %+v %v; want collection-scoped on invoices", ix, ok)
	}
}
