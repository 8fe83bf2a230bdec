package gdt

import (
	"encoding/json"
	"testing"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// FuzzDecodePage feeds arbitrary bytes to the list decoder: it must return
// rows or classified errors, never panic.
func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(`{"datas":[{"nbmst":"0100109106","khmshdon":1,"khhdon":"C26TAA","shdon":1,"tdlap":"2026-03-14T17:00:00Z","tgtttbso":1.4727778E7}],"total":1,"state":"ab"}`))
	f.Add([]byte(`{"datas":[],"total":0,"state":null,"time":3}`))
	f.Add([]byte(`{"datas":[{"shdon":"x","tdlap":1773507600000}]}`))
	f.Add([]byte(`<html>Request Rejected</html>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodePage(data, hoadon.FlowSoldEInvoice)
		if err != nil {
			if hoadon.ErrorCode(err) != hoadon.CodeBadData {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		for _, inv := range p.Invoices {
			if inv.Key.Validate() != nil || !json.Valid(inv.Raw) || inv.Date.IsZero() {
				t.Fatalf("invalid invoice accepted: %+v", inv)
			}
		}
	})
}
