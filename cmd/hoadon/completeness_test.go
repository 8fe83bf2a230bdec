package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/wire"
)

func TestPrintCompleteness(t *testing.T) {
	n := func(v int) *int { return &v }
	at := time.Date(2026, 12, 7, 2, 15, 0, 0, time.UTC)
	k := hoadon.InvoiceKey{NBMST: "0312345679", KHMSHDon: 1, KHHDon: "C26TAB", SHDon: 87}
	m := wire.Completeness{Company: "0100000003", From: "2026-10", To: "2026-11", Flagged: 1, Cells: []wire.MonthCell{
		{Month: "2026-10", Flow: hoadon.FlowSoldEInvoice, Listed: n(21), PortalTotal: n(21), Discovered: 21, Stored: 19, Unavailable: 2, StatusChanges: 1, VerifiedAt: at},
		{Month: "2026-10", Flow: hoadon.FlowSoldCashRegister},
		{Month: "2026-11", Flow: hoadon.FlowPurchaseEInvoice, Listed: n(22), PortalTotal: n(22), Discovered: 22, Stored: 20, Unavailable: 1, Failed: 1,
			VerifiedAt: at, Flagged: true, Missing: []wire.MissingInvoice{{Key: k, Date: "2026-11-10", Status: hoadon.StatusFailed, Error: "transient: portal 503"}}},
		{Month: "2026-11", Flow: hoadon.FlowPurchaseCashRegister, Discovered: 3, Stored: 3},
	}}
	var b bytes.Buffer
	if err := printCompleteness(&b, m); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	t.Logf("\n%s", out)
	for _, want := range []string{
		"2026-10  ban_ra_dien_tu         21      21      21          19      2            0       1        2026-12-07 09:15",
		"2026-11  mua_vao_dien_tu        22      22      22          20      1            1       0        2026-12-07 09:15  FLAGGED",
		"2026-11  mua_vao_may_tinh_tien  -       -       3           3       0            0       0        never\n",
		"0100000003 2026-10..2026-11: 3 month-flows with invoices, 1 flagged",
		"missing 2026-11 mua_vao_dien_tu 0312345679_1_C26TAB_87 failed transient: portal 503",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ban_ra_may_tinh_tien") {
		t.Errorf("an empty cell was printed:\n%s", out)
	}
}
