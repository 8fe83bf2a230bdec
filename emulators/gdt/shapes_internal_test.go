package gdt

import (
	"testing"
	"time"
)

// TestExportShapes checks that a default simulator gives, among the demo
// company's purchase e-invoices of 2026-08 that have an original XML, the shapes
// an accountant's export must handle (the export tests of cmd/server rely on
// it): a replaced pair, a trade-discount line, a KCT line, an invoice in US
// dollars.
func TestExportShapes(t *testing.T) {
	s, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []flow{flowSoldQuery, flowPurchaseQuery} {
		shapes := map[string]int{}
		for _, inv := range s.month(0, 2026, time.August).flows[f] {
			if inv.HSGoc == "" {
				continue
			}
			switch {
			case inv.TThai == 2:
				shapes["replacement"]++
			case inv.TThai == 4:
				shapes["replaced"]++
			case inv.TThai == 5:
				shapes["adjusted"]++
			case inv.Currency == "USD":
				shapes["usd"]++
			}
			for _, l := range inv.Lines {
				switch {
				case l.TChat == 3:
					shapes["discount"]++
				case l.Rate == "KCT":
					shapes["kct"]++
				}
			}
		}
		t.Logf("%s: %v", flowNames[f], shapes)
		if f != flowPurchaseQuery {
			continue
		}
		for _, want := range []string{"replaced", "replacement", "discount", "kct", "usd"} {
			if shapes[want] == 0 {
				t.Errorf("%s 2026-08 of %s has no %s invoice or line", flowNames[f], s.parties[0].MST, want)
			}
		}
	}
}
