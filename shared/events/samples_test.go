package events_test

import (
	"time"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
)

const (
	importID = "imp-0101234565-202610-sold"
	mst      = "0101234565"
)

var (
	at  = time.Date(2026, 11, 25, 3, 4, 5, 0, time.UTC)
	key = hoadon.InvoiceKey{NBMST: "0101234565", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 42}
)

// samples holds one payload per event type, in catalogue order; the golden
// files in testdata/golden are their JSON.
var samples = []events.Data{
	events.ImportStarted{ImportID: importID, CompanyMST: mst, From: "2026-10-01", To: "2026-10-31",
		Flows: []hoadon.Flow{hoadon.FlowSoldEInvoice, hoadon.FlowSoldCashRegister}},
	events.DiscoveryCompleted{ImportID: importID, CompanyMST: mst, Discovered: 12, ToDownload: 10, Skipped: 2,
		Flows: []events.FlowCount{{Flow: hoadon.FlowSoldEInvoice, Discovered: 9}, {Flow: hoadon.FlowSoldCashRegister, Discovered: 3}}},
	events.InvoiceStored{ImportID: importID, CompanyMST: mst, Flow: hoadon.FlowSoldEInvoice, Direction: hoadon.Sold, Invoice: key,
		Objects: events.Objects{
			Zip:  "companies/0101234565/sold/2026/10/0101234565_1_C26TAA_42.zip",
			XML:  "companies/0101234565/sold/2026/10/0101234565_1_C26TAA_42.xml",
			JSON: "companies/0101234565/sold/2026/10/0101234565_1_C26TAA_42.json"},
		XMLSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
	events.InvoiceFailed{ImportID: importID, CompanyMST: mst, Flow: hoadon.FlowSoldEInvoice, Direction: hoadon.Sold, Invoice: key,
		Code: hoadon.CodeBadData, Reason: "export-xml: ZIP has no XML entry", Attempts: 5},
	events.InvoiceUnavailable{ImportID: importID, CompanyMST: mst, Flow: hoadon.FlowSoldCashRegister, Direction: hoadon.Sold, Invoice: key,
		Reason: "no original dossier on the portal"},
	events.InvoiceStatusChanged{ImportID: importID, CompanyMST: mst, Flow: hoadon.FlowSoldEInvoice, Direction: hoadon.Sold, Invoice: key,
		Old: 1, New: 4, Related: &hoadon.InvoiceKey{NBMST: "0101234565", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 57}},
	events.InvoiceSignatureInvalid{ImportID: importID, CompanyMST: mst, Flow: hoadon.FlowSoldEInvoice, Direction: hoadon.Sold, Invoice: key,
		Signature: "invalid", Reason: `the seller's signature is invalid: reference "#data": digest does not match: the content changed after signing`},
	events.ImportCompleted{ImportID: importID, CompanyMST: mst,
		Counts:   events.Counts{Discovered: 12, Stored: 9, Skipped: 2, Unavailable: 1},
		Manifest: "imports/" + importID + "/manifest.json", Summary: "imports/" + importID + "/summary.json",
		StartedAt: at.Add(-time.Hour), FinishedAt: at},
	events.ImportFailed{ImportID: importID, CompanyMST: mst, Code: hoadon.CodeBadCredentials,
		Reason: "portal refused the credentials", Counts: events.Counts{}},
	events.ImportCancelled{ImportID: importID, CompanyMST: mst, Counts: events.Counts{Discovered: 12, Stored: 4}},
	events.ExportReady{ImportID: importID, CompanyMST: mst, Direction: hoadon.Sold, From: "2026-10-01", To: "2026-10-31",
		Object: "tenants/default/exports/0101234565/" + importID + "/0101234565_sold_2026-10-01_2026-10-31.xlsx", Invoices: 9},
}
