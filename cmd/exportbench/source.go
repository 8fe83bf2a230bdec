package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/export"
	"github.com/hoadon/hoadon/shared/hoadon"
)

const company = "0312345673"

// synthetic is an export.Source of n purchase invoices with `lines` lines
// each, spread over 2026, whose objects are rendered when opened.
type synthetic struct{ n, lines int }

var sellers = []string{"0101234565", "0100109106", "0400001110", "0606060617", "0808080817"}

func (s *synthetic) key(i int) hoadon.InvoiceKey {
	return hoadon.InvoiceKey{NBMST: sellers[i%len(sellers)], KHMSHDon: 1, KHHDon: "C26TAB", SHDon: int64(i + 1)}
}

func (s *synthetic) Records(ctx context.Context, fn func(export.Record) error) error {
	for i := 0; i < s.n; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := s.key(i)
		stem := fmt.Sprintf("tenants/default/invoices/%s/purchase/2026/%02d/%s", company, 1+i*12/s.n, k)
		rec := export.Record{ID: strconv.Itoa(i), Key: k, Flow: hoadon.FlowPurchaseEInvoice, Date: date(i, s.n),
			Status: hoadon.StatusStored, PortalStatus: export.PortalNew,
			Objects: hoadon.Objects{XML: stem + ".xml", JSON: stem + ".json", ZIP: stem + ".zip"}}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

func date(i, n int) string {
	day := i * 365 / n
	return fmt.Sprintf("2026-%02d-%02d", 1+day/31%12, 1+day%28)
}

// Open renders the object: the parsed JSON of invoice i, a stand-in XML, or
// a ZIP without an HTML page.
func (s *synthetic) Open(ctx context.Context, object string) (io.ReadCloser, error) {
	stem := object[strings.LastIndexByte(object, '/')+1:]
	k, err := hoadon.ParseInvoiceKey(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(stem, ".json"), ".xml"), ".zip"))
	if err != nil {
		return nil, err
	}
	i := int(k.SHDon - 1)
	switch {
	case strings.HasSuffix(object, ".json"):
		b, err := s.invoice(i, k).JSON()
		return io.NopCloser(bytes.NewReader(b)), err
	case strings.HasSuffix(object, ".xml"):
		return io.NopCloser(strings.NewReader("<HDon><!-- " + stem + " --></HDon>")), nil
	}
	return io.NopCloser(bytes.NewReader(emptyZIP)), nil
}

// emptyZIP is a ZIP without entries (no portal HTML to bundle).
var emptyZIP = []byte("PK\x05\x06" + strings.Repeat("\x00", 18))

func (s *synthetic) invoice(i int, k hoadon.InvoiceKey) *einvoice.Invoice {
	num := func(v int64) einvoice.Num { return einvoice.NewNum(decimal.NewFromInt(v)) }
	inv := &einvoice.Invoice{Schema: einvoice.Schema,
		General: einvoice.General{KHMSHDon: k.KHMSHDon, KHHDon: k.KHHDon, SHDon: k.SHDon, NLap: date(i, s.n), DVTTe: "VND", TGia: num(1)},
		Seller:  einvoice.Party{Ten: "Công ty TNHH Người Bán " + k.NBMST, MST: k.NBMST, DChi: "Số 1 Đường Thử, Hà Nội"},
		Buyer:   einvoice.Party{Ten: "Công ty Cổ phần Người Mua", MST: company, DChi: "Số 2 Đường Mẫu, TP Hồ Chí Minh"},
		MCCQT:   "00" + strings.Repeat("AB", 15) + strconv.Itoa(i%10), Warnings: []einvoice.Warning{}}
	var net, vat int64
	for j := 0; j < s.lines; j++ {
		qty, price := int64(1+(i+j)%20), int64(10000*(1+(i*7+j)%90))
		amount := qty * price
		rate, pct := "8%", int64(8)
		if j%4 == 3 {
			rate, pct = "10%", 10
		}
		inv.Lines = append(inv.Lines, einvoice.Line{TChat: 1, STT: j + 1, MHHDVu: "SP" + strconv.Itoa(j),
			THHDVu: "Hàng hóa mẫu số " + strconv.Itoa(j+1), DVTinh: "Cái", SLuong: num(qty), DGia: num(price),
			ThTien: num(amount), TSuat: rate})
		net += amount
		vat += amount * pct / 100
	}
	inv.Totals = einvoice.Totals{TgTCThue: num(net), TgTThue: num(vat), TgTTTBSo: num(net + vat)}
	return inv
}
