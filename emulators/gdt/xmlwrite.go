package gdt

import (
	"crypto/sha256"
	"encoding/base64"
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

// xmlBytes is the invoice.xml of an invoice, rendered on demand (not
// cached, to keep large configurations small in memory).
func (s *Simulator) xmlBytes(inv *invoice) []byte { return s.renderXML(inv) }

// renderXML writes the TT78 invoice: HDon/DLHDon (TTChung, NDHDon), MCCQT
// for coded invoices and DSCKS with placeholder signatures.
func (s *Simulator) renderXML(inv *invoice) []byte {
	var w xw
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.open("HDon")
	w.open("DLHDon", "Id", "data")
	w.writeTTChung(inv)
	w.writeNDHDon(inv)
	w.close("DLHDon")
	signed := w.b.String()
	if inv.MHDon != "" {
		w.open("MCCQT", "Id", "Id-"+inv.ID[:8])
		w.b.WriteString(inv.MHDon)
		w.close("MCCQT")
	}
	w.leaf("DLQRCode", "")
	w.writeSignatures(inv, sha256.Sum256([]byte(signed)))
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
	w.leaf("DVTTe", inv.currency())
	w.leaf("TGia", num(inv.exchangeRate()))
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
		w.writeLine(inv, l)
	}
	w.close("DSHHDVu")
	w.open("TToan")
	w.open("THTTLTSuat")
	for _, rs := range inv.Rates {
		w.open("LTSuat")
		w.leaf("TSuat", rs.Rate)
		w.leaf("ThTien", inv.money(rs.Amount))
		w.leaf("TThue", inv.money(rs.VAT))
		w.close("LTSuat")
	}
	w.close("THTTLTSuat")
	w.leaf("TgTCThue", inv.money(inv.Net))
	w.leaf("TgTThue", inv.money(inv.VAT))
	w.leaf("DSLPhi", "")
	w.leaf("TTCKTMai", inv.money(inv.Discount))
	w.leaf("TgTTTBSo", inv.money(inv.Total))
	w.leaf("TgTTTBChu", inv.inWords(inv.Total))
	w.close("TToan")
	w.close("NDHDon")
}

func (w *xw) writeLine(inv *invoice, l line) {
	w.open("HHDVu")
	w.leaf("TChat", strconv.Itoa(l.TChat))
	switch l.TChat {
	case 4:
		w.leaf("THHDVu", l.Name)
		w.leaf("ThTien", "")
	case 3: // trade discount: an amount, no quantity or price
		w.leaf("STT", strconv.Itoa(l.STT))
		w.leaf("THHDVu", l.Name)
		w.leaf("ThTien", inv.money(l.Amount))
		w.leaf("TSuat", l.Rate)
	default:
		w.leaf("STT", strconv.Itoa(l.STT))
		w.leaf("MHHDVu", l.Code)
		w.leaf("THHDVu", l.Name)
		w.leaf("DVTinh", l.Unit)
		w.leaf("SLuong", num(l.Qty))
		w.leaf("DGia", inv.money(l.Price))
		w.leaf("TLCKhau", num(l.DiscountPct))
		w.leaf("STCKhau", inv.money(l.Discount))
		w.leaf("ThTien", inv.money(l.Amount))
		w.leaf("TSuat", l.Rate)
	}
	w.close("HHDVu")
}

// writeSignatures writes DSCKS: a seller XMLDSig (absent on cash-register
// invoices) and, for coded invoices, the tax authority's. Digests are real
// SHA-256 of the DLHDon text; signature values are placeholders.
func (w *xw) writeSignatures(inv *invoice, digest [32]byte) {
	st := inv.stamps()
	w.open("DSCKS")
	w.open("NBan")
	if !inv.Flow.sco() {
		w.signature("seller", sellerSubject(inv.Seller), digest, st.signed.In(vn).Format("2006-01-02T15:04:05"), inv.Seed)
	}
	w.close("NBan")
	w.leaf("NMua", "")
	w.leaf("CCKSKhac", "")
	w.open("CQT")
	if inv.MHDon != "" {
		w.signature("cqt", cqtSubject, digest, st.coded.In(vn).Format("2006-01-02T15:04:05"), ^inv.Seed)
	}
	w.close("CQT")
	w.close("DSCKS")
}

func (w *xw) signature(id, subject string, digest [32]byte, when string, seed uint64) {
	const dsig = "http://www.w3.org/2000/09/xmldsig#"
	fake := sha256.Sum256([]byte(id + strconv.FormatUint(seed, 16)))
	b64 := base64.StdEncoding.EncodeToString
	w.open("Signature", "xmlns", dsig, "Id", id)
	w.open("SignedInfo")
	w.open("CanonicalizationMethod", "Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
	w.close("CanonicalizationMethod")
	w.open("SignatureMethod", "Algorithm", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
	w.close("SignatureMethod")
	w.open("Reference", "URI", "#data")
	w.open("DigestMethod", "Algorithm", "http://www.w3.org/2001/04/xmlenc#sha256")
	w.close("DigestMethod")
	w.leaf("DigestValue", b64(digest[:]))
	w.close("Reference")
	w.close("SignedInfo")
	w.leaf("SignatureValue", b64(append(fake[:], fake[:]...)))
	w.open("KeyInfo")
	w.open("X509Data")
	w.leaf("X509SubjectName", subject)
	w.leaf("X509Certificate", b64([]byte(subject+"|"+b64(fake[:]))))
	w.close("X509Data")
	w.close("KeyInfo")
	w.open("Object", "Id", "SigningTime-"+id)
	w.open("SignatureProperties")
	w.open("SignatureProperty", "Target", "#"+id)
	w.leaf("SigningTime", when)
	w.close("SignatureProperty")
	w.close("SignatureProperties")
	w.close("Object")
	w.close("Signature")
}
