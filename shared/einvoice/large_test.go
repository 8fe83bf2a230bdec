package einvoice_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/einvoice"
)

// largeInvoice builds a consistent invoice with n lines of 10 000 at 10 %.
func largeInvoice(n int) []byte {
	var b strings.Builder
	b.WriteString(`<HDon><DLHDon><TTChung><KHMSHDon>1</KHMSHDon><KHHDon>C26TAA</KHHDon><SHDon>9</SHDon>` +
		`<NLap>2026-01-02</NLap></TTChung><NDHDon><NBan><MST>0101234565</MST></NBan><DSHHDVu>`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `<HHDVu><TChat>1</TChat><STT>%d</STT><THHDVu>Mặt hàng %d</THHDVu><SLuong>2</SLuong>`+
			`<DGia>5000</DGia><ThTien>10000</ThTien><TSuat>10%%</TSuat></HHDVu>`, i, i)
	}
	fmt.Fprintf(&b, `</DSHHDVu><TToan><THTTLTSuat><LTSuat><TSuat>10%%</TSuat><ThTien>%d</ThTien><TThue>%d</TThue>`+
		`</LTSuat></THTTLTSuat><TgTCThue>%[1]d</TgTCThue><TgTThue>%[2]d</TgTThue><TgTTTBSo>%d</TgTTTBSo></TToan>`+
		`</NDHDon></DLHDon></HDon>`, 10000*n, 1000*n, 11000*n)
	return []byte(b.String())
}

// Ensure an invoice with thousands of lines (long list invoices exist)
// parses cleanly.
func TestLargeInvoice(t *testing.T) {
	inv, err := einvoice.Parse(largeInvoice(5000))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Lines) != 5000 || len(inv.Warnings) != 0 {
		t.Fatalf("%d lines, warnings %v", len(inv.Lines), inv.Warnings)
	}
}

func BenchmarkParse(b *testing.B) {
	data := readFixture(b, "vendor_extras.xml")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := einvoice.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
