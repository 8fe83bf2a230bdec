package einvoice

import (
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// Schema names the JSON shape produced by this package. It changes only when
// a key is renamed or removed (adding keys keeps it), so stored documents can
// be told apart.
const Schema = "einvoice/v1"

// Invoice is one parsed TT78 invoice (`HDon`). JSON keys are the XML element
// names in lower case, grouped as in the XML; see README.md.
type Invoice struct {
	Schema        string    `json:"schema"`                  // always Schema
	DLHDonID      string    `json:"dlhdon_id,omitempty"`     // DLHDon@Id, referenced by the signatures
	General       General   `json:"ttchung"`                 // DLHDon/TTChung
	Seller        Party     `json:"nban"`                    // NDHDon/NBan
	Buyer         Party     `json:"nmua"`                    // NDHDon/NMua
	Lines         []Line    `json:"dshhdvu"`                 // NDHDon/DSHHDVu/HHDVu, in document order
	Totals        Totals    `json:"ttoan"`                   // NDHDon/TToan
	ContentExtras []Extra   `json:"ndhdon_ttkhac,omitempty"` // NDHDon/TTKhac
	DataExtras    []Extra   `json:"dlhdon_ttkhac,omitempty"` // DLHDon/TTKhac (MISA's Fkey, SearchKey…)
	MCCQT         string    `json:"mccqt,omitempty"`         // tax-authority code; absent on K-series
	MCCQTID       string    `json:"mccqt_id,omitempty"`      // MCCQT@Id, referenced by the tax authority's signature
	QRCode        string    `json:"dlqrcode,omitempty"`      // DLQRCode payload
	Warnings      []Warning `json:"warnings"`                // arithmetic and identity findings; never nil
	// Signatures is the verdict on each XML signature (DSCKS), the seller's
	// first; never nil (an unsigned invoice lists the seller as missing).
	Signatures []xmlsig.Result `json:"signatures"`
}

// Key returns the portal's natural key of the invoice (seller MST, template,
// symbol, number), the identity every store and queue uses.
func (inv *Invoice) Key() hoadon.InvoiceKey {
	return hoadon.InvoiceKey{
		NBMST:    inv.Seller.MST,
		KHMSHDon: inv.General.KHMSHDon,
		KHHDon:   inv.General.KHHDon,
		SHDon:    inv.General.SHDon,
	}
}

// General is TTChung: the invoice's identity, dates, currency and the
// invoice it replaces or adjusts.
type General struct {
	PBan          string   `json:"pban,omitempty"`          // format version, e.g. 2.1.0
	THDon         string   `json:"thdon,omitempty"`         // invoice name
	KHMSHDon      int      `json:"khmshdon"`                // template number 1–6
	KHHDon        string   `json:"khhdon"`                  // symbol, e.g. C26TAA
	SHDon         int64    `json:"shdon"`                   // number (zero padding dropped)
	MHSo          string   `json:"mhso,omitempty"`          // dossier code
	NLap          string   `json:"nlap"`                    // issue date YYYY-MM-DD
	HDCTTChinh    string   `json:"hdcttchinh,omitempty"`    // 0/1 flag of 2.1.0, kept as written
	HDDCKPTQuan   string   `json:"hddckptquan,omitempty"`   // 0/1 flag: invoice for a non-tariff zone, kept as written
	SBKe          string   `json:"sbke,omitempty"`          // list (bảng kê) number
	NBKe          string   `json:"nbke,omitempty"`          // list date, YYYY-MM-DD when readable
	DVTTe         string   `json:"dvtte,omitempty"`         // currency, e.g. VND
	TGia          Num      `json:"tgia,omitzero"`           // exchange rate
	HTTToan       string   `json:"httoan,omitempty"`        // payment method text
	MSTTCGP       string   `json:"msttcgp,omitempty"`       // MST of the invoicing software provider
	MSTDVNUNLHDon string   `json:"mstdvnunlhdon,omitempty"` // authorised issuer MST
	TDVNUNLHDon   string   `json:"tdvnunlhdon,omitempty"`   // authorised issuer name
	DCDVNUNLHDon  string   `json:"dcdvnunlhdon,omitempty"`  // authorised issuer address
	Related       *Related `json:"tthdlquan,omitempty"`     // present on replacement/adjustment invoices
	Extras        []Extra  `json:"ttkhac,omitempty"`        // TTChung/TTKhac
}

// Related is TTHDLQuan: the earlier invoice this one replaces (TCHDon 1) or
// adjusts (TCHDon 2).
type Related struct {
	TCHDon       int    `json:"tchdon"`                 // 1 replaces, 2 adjusts
	LHDCLQuan    int    `json:"lhdclquan,omitzero"`     // kind of the related invoice
	KHMSHDCLQuan string `json:"khmshdclquan,omitempty"` // its template (kept as text: older regimes use e.g. 01GTKT0/001)
	KHHDCLQuan   string `json:"khhdclquan,omitempty"`   // its symbol
	SHDCLQuan    string `json:"shdclquan,omitempty"`    // its number, as written
	NLHDCLQuan   string `json:"nlhdclquan,omitempty"`   // its issue date, YYYY-MM-DD when readable
	GChu         string `json:"gchu,omitempty"`         // note
}

// Party is NBan (seller) or NMua (buyer); buyer-only keys stay empty on the
// seller and are omitted.
type Party struct {
	Ten        string  `json:"ten,omitempty"`        // name
	MST        string  `json:"mst,omitempty"`        // tax code (branch -NNN or 12-digit personal id allowed)
	DChi       string  `json:"dchi,omitempty"`       // address
	MKHang     string  `json:"mkhang,omitempty"`     // customer code
	SDThoai    string  `json:"sdthoai,omitempty"`    // phone
	DCTDTu     string  `json:"dctdtu,omitempty"`     // e-mail
	HVTNMHang  string  `json:"hvtnmhang,omitempty"`  // buyer's person name
	STKNHang   string  `json:"stknhang,omitempty"`   // bank account
	TNHang     string  `json:"tnhang,omitempty"`     // bank name
	Fax        string  `json:"fax,omitempty"`        // fax
	Website    string  `json:"website,omitempty"`    // web site
	CCCDan     string  `json:"cccdan,omitempty"`     // personal id number
	SHChieu    string  `json:"shchieu,omitempty"`    // passport number
	MDVQHNSach string  `json:"mdvqhnsach,omitempty"` // budget-unit code
	MCHang     string  `json:"mchang,omitempty"`     // store code (seller)
	TCHang     string  `json:"tchang,omitempty"`     // store name (seller)
	NNNghe     string  `json:"nnnghe,omitempty"`     // business line (household business seller)
	MDDKDoanh  string  `json:"mddkdoanh,omitempty"`  // business location code (household business)
	TDDKDoanh  string  `json:"tddkdoanh,omitempty"`  // business location name (household business)
	DCDDKDoanh string  `json:"dcddkdoanh,omitempty"` // business location address (household business)
	Extras     []Extra `json:"ttkhac,omitempty"`     // TTKhac
}

// Line kinds (TChat, gdt-portal.md §9.3).
const (
	LineGoods     = 1 // goods or service
	LinePromotion = 2 // promotion, often with amount 0
	LineDiscount  = 3 // trade discount: positive amount that is subtracted
	LineNote      = 4 // note or explanation: no amount, not summed
)

// Line is one HHDVu. Amounts are exactly as written; ThTien is the amount
// before VAT after the line's discount.
type Line struct {
	TChat      int     `json:"tchat,omitzero"`       // line kind (see LineGoods…)
	STT        int     `json:"stt,omitzero"`         // line number; absent on note lines
	MHHDVu     string  `json:"mhhdvu,omitempty"`     // item code
	THHDVu     string  `json:"thhdvu,omitempty"`     // item name
	DVTinh     string  `json:"dvtinh,omitempty"`     // unit
	SLuong     Num     `json:"sluong,omitzero"`      // quantity
	DGia       Num     `json:"dgia,omitzero"`        // unit price
	TLCKhau    Num     `json:"tlckhau,omitzero"`     // discount rate %
	STCKhau    Num     `json:"stckhau,omitzero"`     // discount amount
	ThTien     Num     `json:"thtien,omitzero"`      // amount before VAT
	TSuat      string  `json:"tsuat,omitempty"`      // VAT rate as written: 8%, 10%, KCT, KKKNT, KHAC:x%
	TLTThue    string  `json:"tltthue,omitempty"`    // percentage-of-revenue rate (sales invoices)
	TThue      Num     `json:"tthue,omitzero"`       // line VAT, when the vendor writes it
	Attributes []Extra `json:"tthhdtrung,omitempty"` // TTHHDTrung: special-goods attributes
	Extras     []Extra `json:"ttkhac,omitempty"`     // TTKhac
}

// Totals is TToan.
type Totals struct {
	Rates     []RateTotal `json:"thttltsuat,omitempty"` // THTTLTSuat/LTSuat, one per VAT rate
	TgTCThue  Num         `json:"tgtcthue,omitzero"`    // total before VAT
	TgTThue   Num         `json:"tgtthue,omitzero"`     // total VAT
	Fees      []Fee       `json:"dslphi,omitempty"`     // DSLPhi/LPhi
	TTCKTMai  Num         `json:"ttcktmai,omitzero"`    // total trade discount
	TgTPhi    Num         `json:"tgtphi,omitzero"`      // total fees, when written
	TGTKCThue Num         `json:"tgtkcthue,omitzero"`   // non-taxable total, when written
	TGTKhac   Num         `json:"tgtkhac,omitzero"`     // other total, when written
	TgTTTBSo  Num         `json:"tgtttbso,omitzero"`    // total payable
	TgTTTBChu string      `json:"tgtttbchu,omitempty"`  // total payable in words
	TLTThue   string      `json:"tltthue,omitempty"`    // percentage-of-revenue rate, when written here
	Extras    []Extra     `json:"ttkhac,omitempty"`     // TTKhac
}

// RateTotal is one LTSuat: the amounts of all lines at one VAT rate.
type RateTotal struct {
	TSuat     string `json:"tsuat"`              // rate as written
	ThTien    Num    `json:"thtien,omitzero"`    // base
	TThue     Num    `json:"tthue,omitzero"`     // VAT
	TTCKTMai  Num    `json:"ttcktmai,omitzero"`  // trade discount at this rate
	TGTKCThue Num    `json:"tgtkcthue,omitzero"` // non-taxable amount
	TGTKhac   Num    `json:"tgtkhac,omitzero"`   // other amount
	TCDChinh  string `json:"tcdchinh,omitempty"` // adjustment nature, as written
}

// Fee is one LPhi.
type Fee struct {
	TLPhi string `json:"tlphi,omitempty"` // fee name
	TPhi  Num    `json:"tphi,omitzero"`   // fee amount
}

// Extra is one TTin of a TTKhac (or TTHHDTrung) list: a vendor-defined
// field. KDLieu is only a type hint (vendors write "string", "numeric",
// even "numberic"), so DLieu is kept as text.
type Extra struct {
	TTruong string `json:"ttruong"`          // field name
	KDLieu  string `json:"kdlieu,omitempty"` // data type hint
	DLieu   string `json:"dlieu"`            // value
}

// Warning is a finding that does not stop parsing: sums that do not add up,
// an unreadable optional date, a tax code with a wrong check digit. Code is
// stable (see README.md); Message is for people.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
