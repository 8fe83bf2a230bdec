package gdt

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// rowJSON is an invoice object as the lists and detail return it, with the
// portal's field names. Only the fields clients use or that shape parsing
// (nulls, numbers, nested strings) are reproduced; real rows have more.
type rowJSON struct {
	NBMST      string     `json:"nbmst"`
	KHMSHDon   int        `json:"khmshdon"`
	KHHDon     string     `json:"khhdon"`
	SHDon      int64      `json:"shdon"`
	CQT        string     `json:"cqt"`
	CTTKhac    []ttin     `json:"cttkhac"`
	DVTTe      *string    `json:"dvtte"`
	HDon       string     `json:"hdon"`
	HSGCMa     *string    `json:"hsgcma"`
	HSGoc      *string    `json:"hsgoc"`
	HTHDon     int        `json:"hthdon"`
	HTTToan    int        `json:"htttoan"`
	ID         string     `json:"id"`
	IDTBao     *string    `json:"idtbao"`
	KHDon      *string    `json:"khdon"`
	KHHDGoc    *string    `json:"khhdgoc"`
	KHMSHDGoc  *int       `json:"khmshdgoc"`
	LHDGoc     *int       `json:"lhdgoc"`
	MHDon      *string    `json:"mhdon"`
	MTDiep     string     `json:"mtdiep"`
	MTDTChieu  string     `json:"mtdtchieu"`
	NBDChi     string     `json:"nbdchi"`
	NBCKS      *string    `json:"nbcks"`
	NBDCTDTu   string     `json:"nbdctdtu"`
	NBSDThoai  string     `json:"nbsdthoai"`
	NBSTKhoan  string     `json:"nbstkhoan"`
	NBTen      string     `json:"nbten"`
	NBTNHang   string     `json:"nbtnhang"`
	NBTTKhac   []ttin     `json:"nbttkhac"`
	NCMa       *string    `json:"ncma"`
	NCNhat     string     `json:"ncnhat"`
	NGCNhat    string     `json:"ngcnhat"`
	NKy        string     `json:"nky"`
	NMDChi     string     `json:"nmdchi"`
	NMMST      *string    `json:"nmmst"`
	NMTen      string     `json:"nmten"`
	NMTNMua    *string    `json:"nmtnmua"`
	NMTTKhac   []ttin     `json:"nmttkhac"`
	NTao       string     `json:"ntao"`
	NTNhan     string     `json:"ntnhan"`
	PBan       string     `json:"pban"`
	SHDGoc     *int64     `json:"shdgoc"`
	TChat      int        `json:"tchat"`
	TDLap      string     `json:"tdlap"`
	TDLHDGoc   *string    `json:"tdlhdgoc"`
	TGia       *jnum      `json:"tgia"`
	TGTCThue   jnum       `json:"tgtcthue"`
	TGTThue    jnum       `json:"tgtthue"`
	TGTTTBChu  string     `json:"tgtttbchu"`
	TGTTTBSo   jnum       `json:"tgtttbso"`
	THDon      string     `json:"thdon"`
	THLap      int        `json:"thlap"`
	THTTLTSuat []rateJSON `json:"thttltsuat"`
	THTTToan   string     `json:"thtttoan"`
	TLHDon     string     `json:"tlhdon"`
	TTCKTMai   jnum       `json:"ttcktmai"`
	TGTPhi     *jnum      `json:"tgtphi"`
	TThai      int        `json:"tthai"`
	TTHDCLQuan bool       `json:"tthdclquan"`
	TTKhac     []ttin     `json:"ttkhac"`
	TTTBao     *int       `json:"tttbao"`
	TTTTKhac   []ttin     `json:"ttttkhac"`
	TTXLy      int        `json:"ttxly"`
	TVANDNKNTT string     `json:"tvandnkntt"`
	MSTTCGP    string     `json:"msttcgp"`
	CQTCKS     *string    `json:"cqtcks"`
	LADHDDT    int        `json:"ladhddt"`
	HDHHDVu    []lineJSON `json:"hdhhdvu"`
	QRCode     *string    `json:"qrcode"`
}

// lineJSON is a detail line item (hdhhdvu).
type lineJSON struct {
	IDHDon  string  `json:"idhdon"`
	ID      string  `json:"id"`
	STT     *int    `json:"stt"`
	SXep    int     `json:"sxep"`
	TChat   int     `json:"tchat"`
	MHHDVu  *string `json:"mhhdvu"`
	Ten     string  `json:"ten"`
	DVTinh  *string `json:"dvtinh"`
	SLuong  *jnum   `json:"sluong"`
	DGia    *jnum   `json:"dgia"`
	TLCKhau *jnum   `json:"tlckhau"`
	STCKhau *jnum   `json:"stckhau"`
	ThTien  *jnum   `json:"thtien"`
	TSuat   *jnum   `json:"tsuat"`
	LTSuat  *string `json:"ltsuat"`
	TThue   *jnum   `json:"tthue"`
	DVTTe   *string `json:"dvtte"`
	TGia    *jnum   `json:"tgia"`
	TTKhac  []ttin  `json:"ttkhac"`
}

func jp(v int64) *jnum { n := jnum(v); return &n }

// rowOf builds the list-row object of an invoice.
func (s *Simulator) rowOf(inv *invoice) rowJSON {
	st := inv.stamps()
	r := rowJSON{
		NBMST: inv.Key.NBMST, KHMSHDon: inv.Key.KHMSHDon, KHHDon: inv.Key.KHHDon, SHDon: inv.Key.SHDon,
		CQT: "0101", HDon: "01", HSGCMa: nullable(inv.HSGCMa), HSGoc: nullable(inv.HSGoc), HTHDon: inv.HTHDon,
		HTTToan: inv.payment(), THTTToan: paymentText(inv.payment()), ID: inv.ID, MHDon: nullable(inv.MHDon),
		MTDiep: inv.MTDiep, MTDTChieu: "V0101360697" + fmt.Sprintf("%032X", inv.Seed),
		NBDChi: inv.Seller.Address, NBDCTDTu: inv.Seller.Email, NBSDThoai: inv.Seller.Phone,
		NBSTKhoan: inv.Seller.Bank, NBTen: inv.Seller.Name, NBTNHang: inv.Seller.BankName,
		NCNhat: utcMS(st.updated), NGCNhat: "tvan_simulator", NKy: st.signed.UTC().Format(time.RFC3339),
		NMDChi: inv.Buyer.Address, NMMST: nullable(inv.Buyer.MST), NMTen: inv.Buyer.Name,
		NTao: utcMS(st.created), NTNhan: utcMS(st.received), PBan: "2.1.0", TChat: 1,
		TDLap: inv.tdlap().Format(time.RFC3339), TGTCThue: inv.amount(inv.Net), TGTThue: inv.amount(inv.VAT), TTCKTMai: inv.amount(inv.Discount),
		TGTTTBChu: inv.inWords(inv.Total), TGTTTBSo: inv.amount(inv.Total), THDon: thdon(inv.Key.KHMSHDon),
		THLap: inv.Date.Year()*100 + int(inv.Date.Month()), TLHDon: thdon(inv.Key.KHMSHDon),
		TThai: inv.TThai, TTXLy: inv.TTXLy, TVANDNKNTT: "0101360697", MSTTCGP: inv.softwareMST(), LADHDDT: 1,
		TTHDCLQuan: inv.Related != nil || inv.Replaced != nil,
		TTKhac:     []ttin{}, CTTKhac: []ttin{}, NBTTKhac: []ttin{}, NMTTKhac: []ttin{}, TTTTKhac: []ttin{},
	}
	if inv.Key.KHMSHDon == 2 {
		r.HDon = "02"
	}
	if !inv.Flow.sco() {
		cur := inv.currency()
		r.DVTTe, r.TGia = &cur, jp(inv.exchangeRate())
	}
	if inv.Buyer.MST == "" {
		r.NMTNMua = nullable(inv.Buyer.Name)
	}
	if inv.MHDon != "" {
		r.NCMa = nullable(utcMS(st.coded))
		r.CQTCKS = nullable(certJSON(cqtSubject, "CN=CA phục vụ các cơ quan Nhà nước,O=Ban Cơ yếu Chính phủ,C=VN", st.coded, "5402"+fmt.Sprintf("%028X", inv.Seed)))
	}
	if !inv.Flow.sco() {
		r.NBCKS = nullable(certJSON(sellerSubject(inv.Seller), "CN=VNPT Certification Authority,O=VNPT Group,C=VN", st.signed, "5403"+fmt.Sprintf("%028X", inv.Seed)))
	}
	for _, rs := range inv.Rates {
		r.THTTLTSuat = append(r.THTTLTSuat, rateJSON{TSuat: rs.Rate, ThTien: inv.amount(rs.Amount), TThue: inv.amount(rs.VAT)})
	}
	if rel := inv.Related; rel != nil {
		k := rel.Key
		lh, d := 1, rel.Date.UTC().Format(time.RFC3339)
		r.KHHDGoc, r.KHMSHDGoc, r.SHDGoc, r.LHDGoc, r.TDLHDGoc = &k.KHHDon, &k.KHMSHDon, &k.SHDon, &lh, &d
	}
	return r
}

// rowBytes is the JSON of a list row. It is not cached: rendering costs
// tens of microseconds, caching would cost kilobytes per invoice.
func (s *Simulator) rowBytes(inv *invoice) []byte {
	b, _ := json.Marshal(s.rowOf(inv))
	return b
}

// detailOf adds line items and the QR payload to the row.
func (s *Simulator) detailOf(inv *invoice) rowJSON {
	r := s.rowOf(inv)
	r.HDHHDVu = make([]lineJSON, 0, len(inv.Lines))
	for i, l := range inv.Lines {
		lj := lineJSON{IDHDon: inv.ID, ID: lineID(inv, i), SXep: i + 1, TChat: l.TChat, Ten: l.Name, TTKhac: []ttin{}}
		if l.TChat != 4 {
			stt := l.STT
			pct, taxed := ratePct(l.Rate)
			rate, frac := l.Rate, jnum(float64(pct)/100)
			lj.STT, lj.MHHDVu, lj.DVTinh, lj.LTSuat = &stt, nullable(l.Code), nullable(l.Unit), &rate
			amt := inv.amount(l.Amount)
			lj.ThTien = &amt
			if l.TChat != 3 {
				price, disc := inv.amount(l.Price), inv.amount(l.Discount)
				lj.SLuong, lj.DGia = jp(l.Qty), &price
				lj.TLCKhau, lj.STCKhau = jp(l.DiscountPct), &disc
			}
			if taxed {
				lj.TSuat = &frac
			}
			lj.DVTTe, lj.TGia = r.DVTTe, r.TGia
		}
		r.HDHHDVu = append(r.HDHHDVu, lj)
	}
	qr := qrPayload(inv)
	r.QRCode = &qr
	return r
}

func lineID(inv *invoice, i int) string {
	return fmt.Sprintf("%s-%04d", inv.ID[:23], i+1)
}

// qrPayload is the EMVCo-style TLV of §6: tag 99 nests seller MST,
// template, symbol, number, date and total.
func qrPayload(inv *invoice) string {
	tlv := func(tag, v string) string { return fmt.Sprintf("%s%02d%s", tag, len(v), v) }
	inner := tlv("01", inv.Key.NBMST) + tlv("02", strconv.Itoa(inv.Key.KHMSHDon)) + tlv("03", inv.Key.KHHDon) +
		tlv("04", strconv.FormatInt(inv.Key.SHDon, 10)) + tlv("05", inv.Date.Format("20060102")) +
		tlv("06", inv.money(inv.Total))
	return tlv("00", "01") + tlv("01", "12") + tlv("99", inner)
}
