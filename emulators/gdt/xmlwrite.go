package gdt

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// xw is a tiny XML writer: the simulator writes the invoice XML by hand
// (from the TT78 structure in the reference) so it shares nothing with the
// project's parser.
type xw struct{ b strings.Builder }

func (w *xw) open(name string, attrs ...string) {
	w.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteString(" " + attrs[i] + `="`)
		_ = xml.EscapeText(&w.b, []byte(attrs[i+1]))
		w.b.WriteString(`"`)
	}
	w.b.WriteString(">")
}

func (w *xw) close(name string) { w.b.WriteString("</" + name + ">") }

// leaf writes <name>text</name>, or <name/> for empty text (how real
// files show nulls).
func (w *xw) leaf(name, text string) {
	if text == "" {
		w.b.WriteString("<" + name + "/>")
		return
	}
	w.b.WriteString("<" + name + ">")
	_ = xml.EscapeText(&w.b, []byte(text))
	w.b.WriteString("</" + name + ">")
}

func num(v int64) string { return strconv.FormatInt(v, 10) }

// xmlBytes is the invoice.xml of an invoice, rendered and signed on demand
// (not cached, to keep large configurations small in memory). A failure to
// sign is a bug of the simulator: it panics rather than serve an invoice
// that looks unsigned.
func (s *Simulator) xmlBytes(inv *invoice) []byte {
	b, err := s.sign(inv, s.renderXML(inv))
	if err != nil {
		panic(err)
	}
	return b
}

// renderXML writes the TT78 invoice: HDon/DLHDon (TTChung, NDHDon), MCCQT
// for coded invoices and DSCKS with its four (empty) blocks, which sign
// fills in.
func (s *Simulator) renderXML(inv *invoice) []byte {
	var w xw
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.open("HDon")
	w.open("DLHDon", "Id", "data")
	w.writeTTChung(inv)
	w.writeNDHDon(inv)
	w.close("DLHDon")
	if inv.MHDon != "" {
		w.open("MCCQT", "Id", mccqtID(inv))
		w.b.WriteString(inv.MHDon)
		w.close("MCCQT")
	}
	w.leaf("DLQRCode", "")
	w.open("DSCKS")
	for _, block := range []string{"NBan", "NMua", "CCKSKhac", "CQT"} {
		w.leaf(block, "")
	}
	w.close("DSCKS")
	w.close("HDon")
	return []byte(w.b.String())
}

func (w *xw) writeTTChung(inv *invoice) {
	w.open("TTChung")
	w.leaf("PBan", "2.1.0")
	w.leaf("THDon", thdon(inv.Key.KHMSHDon))
	w.leaf("KHMSHDon", strconv.Itoa(inv.Key.KHMSHDon))
	w.leaf("KHHDon", inv.Key.KHHDon)
	w.leaf("SHDon", num(inv.Key.SHDon))
	w.leaf("NLap", inv.Date.Format("2006-01-02"))
	w.leaf("HDCTTChinh", "0")
	w.leaf("DVTTe", "VND")
	w.leaf("TGia", "1")
	w.leaf("HTTToan", paymentText(inv.payment()))
	w.leaf("MSTTCGP", inv.softwareMST())
	if rel := inv.Related; rel != nil {
		w.open("TTHDLQuan")
		w.leaf("TCHDon", strconv.Itoa(rel.Kind))
		w.leaf("LHDCLQuan", "1")
		w.leaf("KHMSHDCLQuan", strconv.Itoa(rel.Key.KHMSHDon))
		w.leaf("KHHDCLQuan", rel.Key.KHHDon)
		w.leaf("SHDCLQuan", num(rel.Key.SHDon))
		w.leaf("NLHDCLQuan", rel.Date.Format("2006-01-02"))
		w.leaf("GChu", map[int]string{1: "Thay thế hóa đơn lập sai", 2: "Điều chỉnh giảm"}[rel.Kind])
		w.close("TTHDLQuan")
	}
	w.open("TTKhac")
	w.open("TTin")
	w.leaf("TTruong", "Mã tra cứu")
	w.leaf("KDLieu", "string")
	w.leaf("DLieu", strings.ToUpper(inv.ID[:13]))
	w.close("TTin")
	w.close("TTKhac")
	w.close("TTChung")
}

func (w *xw) writeParty(tag string, p party, buyer bool) {
	w.open(tag)
	w.leaf("Ten", p.Name)
	w.leaf("MST", p.MST)
	w.leaf("DChi", p.Address)
	w.leaf("SDThoai", p.Phone)
	w.leaf("DCTDTu", p.Email)
	if buyer && p.MST == "" {
		w.leaf("HVTNMHang", p.Name)
	}
	w.leaf("STKNHang", p.Bank)
	w.leaf("TNHang", p.BankName)
	w.close(tag)
}

func (w *xw) writeNDHDon(inv *invoice) {
	w.open("NDHDon")
	w.writeParty("NBan", inv.Seller, false)
	w.writeParty("NMua", inv.Buyer, true)
	w.open("DSHHDVu")
	for _, l := range inv.Lines {
		w.writeLine(l)
	}
	w.close("DSHHDVu")
	w.open("TToan")
	w.open("THTTLTSuat")
	for _, rs := range inv.Rates {
		w.open("LTSuat")
		w.leaf("TSuat", rs.Rate)
		w.leaf("ThTien", num(rs.Amount))
		w.leaf("TThue", num(rs.VAT))
		w.close("LTSuat")
	}
	w.close("THTTLTSuat")
	w.leaf("TgTCThue", num(inv.Net))
	w.leaf("TgTThue", num(inv.VAT))
	w.leaf("DSLPhi", "")
	w.leaf("TTCKTMai", "0")
	w.leaf("TgTTTBSo", num(inv.Total))
	w.leaf("TgTTTBChu", amountInWords(inv.Total))
	w.close("TToan")
	w.close("NDHDon")
}

func (w *xw) writeLine(l line) {
	w.open("HHDVu")
	w.leaf("TChat", strconv.Itoa(l.TChat))
	if l.TChat == 4 {
		w.leaf("THHDVu", l.Name)
		w.leaf("ThTien", "")
		w.close("HHDVu")
		return
	}
	w.leaf("STT", strconv.Itoa(l.STT))
	w.leaf("MHHDVu", l.Code)
	w.leaf("THHDVu", l.Name)
	w.leaf("DVTinh", l.Unit)
	w.leaf("SLuong", num(l.Qty))
	w.leaf("DGia", num(l.Price))
	w.leaf("TLCKhau", num(l.DiscountPct))
	w.leaf("STCKhau", num(l.Discount))
	w.leaf("ThTien", num(l.Amount))
	w.leaf("TSuat", l.Rate)
	w.close("HHDVu")
}
