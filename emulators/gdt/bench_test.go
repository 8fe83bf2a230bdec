package gdt_test

import (
	"net/http"
	"testing"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// BenchmarkImportCompanyMonthOverHTTP runs what an import does for one
// company-month (login, list the four flows with size 50, export every
// invoice) against 100 companies × 250 invoices per flow-month over real
// loopback HTTP, and reports exports per second.
func BenchmarkImportCompanyMonthOverHTTP(b *testing.B) {
	srv, err := gdtsim.Start(gdtsim.Options{Seed: 1, Companies: 100, InvoicesPerMonth: 250, DossierlessShare: 0.1, RequireRequestID: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	flows := [][2]string{{"query", "sold"}, {"sco-query", "sold"}, {"query", "purchase"}, {"sco-query", "purchase"}}
	exports := 0
	for i := 0; b.Loop(); i++ {
		tok := login(b, srv, i%100)
		for _, f := range flows {
			rows, _ := walk(b, srv, tok, f[0], f[1], searchFor(march, marchEnd, ""), 50)
			for _, r := range rows {
				if r.HSGoc == nil {
					continue
				}
				if res := get(b, srv.URL()+"/"+f[0]+"/invoices/export-xml?"+keyQuery(r), tok); res.status != http.StatusOK {
					b.Fatalf("export: %d", res.status)
				}
				exports++
			}
		}
	}
	b.ReportMetric(float64(exports)/b.Elapsed().Seconds(), "exports/s")
}
