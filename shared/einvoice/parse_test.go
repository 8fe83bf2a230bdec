package einvoice_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the parser's output")

// numEqual compares Num values by presence and exact value.
var numEqual = cmp.Comparer(func(a, b einvoice.Num) bool {
	return a.Valid() == b.Valid() && a.Decimal().Equal(b.Decimal())
})

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, name string) *einvoice.Invoice {
	t.Helper()
	inv, err := einvoice.Parse(readFixture(t, name))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return inv
}

func codes(ws []einvoice.Warning) []string {
	out := []string{}
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

// Ensure every fixture parses to its golden JSON and to exactly the
// expected warnings (none for the consistent ones).
func TestGolden(t *testing.T) {
	tests := []struct {
		file string
		want []string // warning codes in order
	}{
		{"vat_8_kct_discount.xml", nil},
		{"vat_8_kct_discount_oneline.xml", nil},
		{"sales_tltthue.xml", nil},
		{"mtt_cash_register.xml", nil},
		{"replacement.xml", nil},
		{"adjustment_negative.xml", nil},
		{"note_only.xml", nil},
		{"vendor_extras.xml", nil},
		{"household_business.xml", nil},
		{"trade_discount_zero.xml", nil},
		{"signed.xml", nil},
		{"arithmetic_error.xml", []string{"bad_date", "buyer_mst", einvoice.WarnLineAmount,
			einvoice.WarnRateTax, einvoice.WarnRateMissing, einvoice.WarnTotalPayable}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			inv := mustParse(t, tc.file)
			if diff := cmp.Diff(append([]string{}, tc.want...), codes(inv.Warnings)); diff != "" {
				t.Errorf("warning codes (-want +got):\n%s\n%v", diff, inv.Warnings)
			}
			got, err := inv.JSON()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(tc.file, ".xml")+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("JSON differs from %s (-want +got):\n%s", golden, diff)
			}
			var back einvoice.Invoice
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("JSON does not read back: %v", err)
			}
			if diff := cmp.Diff(inv, &back, numEqual); diff != "" {
				t.Errorf("JSON round trip (-parsed +read back):\n%s", diff)
			}
		})
	}
}

// Ensure layout, element order, number formatting and DLHDon Id do not
// change the parsed invoice.
func TestLayoutDoesNotMatter(t *testing.T) {
	pretty := mustParse(t, "vat_8_kct_discount.xml")
	oneLine := mustParse(t, "vat_8_kct_discount_oneline.xml")
	if pretty.DLHDonID != "DuLieuKy" || oneLine.DLHDonID != "_10754842" {
		t.Errorf("DLHDon ids = %q, %q", pretty.DLHDonID, oneLine.DLHDonID)
	}
	ignoreID := cmpopts.IgnoreFields(einvoice.Invoice{}, "DLHDonID")
	if diff := cmp.Diff(pretty, oneLine, numEqual, ignoreID); diff != "" {
		t.Errorf("pretty vs one-line (-pretty +oneline):\n%s", diff)
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		file string
		want hoadon.InvoiceKey
	}{
		{"vat_8_kct_discount.xml", hoadon.InvoiceKey{NBMST: "0101234565", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 128}},
		{"mtt_cash_register.xml", hoadon.InvoiceKey{NBMST: "0309876547", KHMSHDon: 1, KHHDon: "C26MAB", SHDon: 123}},
		{"replacement.xml", hoadon.InvoiceKey{NBMST: "0101234565-001", KHMSHDon: 1, KHHDon: "K26TAA", SHDon: 52}},
		{"sales_tltthue.xml", hoadon.InvoiceKey{NBMST: "001099012345", KHMSHDon: 2, KHHDon: "C26THB", SHDon: 42}},
		{"adjustment_negative.xml", hoadon.InvoiceKey{NBMST: "0101234565", KHMSHDon: 1, KHHDon: "C26TAA", SHDon: 61}},
	}
	for _, tc := range tests {
		if got := mustParse(t, tc.file).Key(); got != tc.want {
			t.Errorf("%s: Key() = %+v, want %+v", tc.file, got, tc.want)
		}
	}
}

// Ensure the details §10.4 lists come through: exact decimals, line kinds,
// related invoice, MTT code without signatures, extras at every level.
func TestDetails(t *testing.T) {
	vat := mustParse(t, "vat_8_kct_discount.xml")
	if got := vat.Lines[3]; got.TChat != einvoice.LineDiscount || got.ThTien.String() != "47000" || got.SLuong.Valid() {
		t.Errorf("discount line = %+v", got)
	}
	if got := vat.Lines[4]; got.TChat != einvoice.LineNote || got.STT != 0 || got.ThTien.Valid() {
		t.Errorf("note line = %+v", got)
	}
	if vat.MCCQT != "00A1B2C3D4E5F60718293A4B5C6D7E8F90" || len(vat.Totals.Rates) != 2 {
		t.Errorf("MCCQT %q, rates %+v", vat.MCCQT, vat.Totals.Rates)
	}

	ve := mustParse(t, "vendor_extras.xml")
	if got := ve.Lines[0].ThTien.String(); got != "1686000" {
		t.Errorf("ThTien 1686000.000000 read as %q", got)
	}
	if got := ve.Lines[1].SLuong.Decimal().String(); got != "2.5" {
		t.Errorf("SLuong 2.5 read as %q", got)
	}
	wantExtra := einvoice.Extra{TTruong: "HanMucCongNo", KDLieu: "numberic", DLieu: "50000000"}
	if diff := cmp.Diff([]einvoice.Extra{wantExtra}, ve.Buyer.Extras); diff != "" {
		t.Errorf("buyer extras (-want +got):\n%s", diff)
	}
	for name, n := range map[string]int{"TTChung": len(ve.General.Extras), "NBan": len(ve.Seller.Extras),
		"line": len(ve.Lines[0].Extras), "TTHHDTrung": len(ve.Lines[0].Attributes), "TToan": len(ve.Totals.Extras),
		"NDHDon": len(ve.ContentExtras), "DLHDon": len(ve.DataExtras), "fees": len(ve.Totals.Fees)} {
		if n == 0 {
			t.Errorf("%s extras missing", name)
		}
	}

	rep := mustParse(t, "replacement.xml")
	wantRel := &einvoice.Related{TCHDon: 1, LHDCLQuan: 1, KHMSHDCLQuan: "1", KHHDCLQuan: "K26TAA",
		SHDCLQuan: "45", NLHDCLQuan: "2026-03-02", GChu: "Thay thế hóa đơn số 45 do sai tên người mua"}
	if diff := cmp.Diff(wantRel, rep.General.Related); diff != "" || rep.MCCQT != "" {
		t.Errorf("related (-want +got):\n%s\nMCCQT %q", diff, rep.MCCQT)
	}

	if adj := mustParse(t, "adjustment_negative.xml"); adj.Totals.TgTTTBSo.String() != "-54000" {
		t.Errorf("adjustment total = %s", adj.Totals.TgTTTBSo)
	}
	if mtt := mustParse(t, "mtt_cash_register.xml"); mtt.MCCQT != "M1-26-AB123-00000001234" {
		t.Errorf("MTT code = %q", mtt.MCCQT)
	}
	if s := mustParse(t, "sales_tltthue.xml"); s.Totals.TgTCThue.Valid() || s.Lines[0].TLTThue != "1.5%" {
		t.Errorf("sales invoice totals %+v line %+v", s.Totals, s.Lines[0])
	}
}
