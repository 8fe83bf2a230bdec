package gdt

import (
	"strconv"
	"time"
)

// flow is one of the four invoice streams of an account.
type flow int

const (
	flowSoldQuery flow = iota
	flowSoldSco
	flowPurchaseQuery
	flowPurchaseSco
	numFlows
)

// flowNames are the origin system's flow names, used by the ground truth.
var flowNames = [numFlows]string{"ban_ra_dien_tu", "ban_ra_may_tinh_tien", "mua_vao_dien_tu", "mua_vao_may_tinh_tien"}

func (f flow) sco() bool      { return f == flowSoldSco || f == flowPurchaseSco }
func (f flow) purchase() bool { return f == flowPurchaseQuery || f == flowPurchaseSco }

// flowOf maps the URL family and direction to a flow.
func flowOf(family, direction string) (flow, bool) {
	switch family + "/" + direction {
	case "query/sold":
		return flowSoldQuery, true
	case "sco-query/sold":
		return flowSoldSco, true
	case "query/purchase":
		return flowPurchaseQuery, true
	case "sco-query/purchase":
		return flowPurchaseSco, true
	}
	return 0, false
}

// vn is Vietnam's fixed UTC+7 offset (no DST), so no tzdata is needed.
var vn = time.FixedZone("ICT", 7*3600)

// invKey is the portal's natural key of an invoice.
type invKey struct {
	NBMST    string
	KHMSHDon int
	KHHDon   string
	SHDon    int64
}

func (k invKey) String() string {
	return k.NBMST + "|" + strconv.Itoa(k.KHMSHDon) + "|" + k.KHHDon + "|" + strconv.FormatInt(k.SHDon, 10)
}

// less orders keys the way the portal's store clusters them.
func (k invKey) less(o invKey) bool {
	if k.NBMST != o.NBMST {
		return k.NBMST < o.NBMST
	}
	if k.KHMSHDon != o.KHMSHDon {
		return k.KHMSHDon < o.KHMSHDon
	}
	if k.KHHDon != o.KHHDon {
		return k.KHHDon < o.KHHDon
	}
	return k.SHDon < o.SHDon
}

// line is one invoice line (HHDVu). Amounts are whole VND, or cents of the
// invoice's foreign currency.
type line struct {
	TChat       int // 1 goods/services, 3 trade discount (subtracted), 4 note
	STT         int
	Code        string
	Name        string
	Unit        string
	Qty         int64
	Price       int64
	DiscountPct int64 // TLCKhau
	Discount    int64 // STCKhau
	Amount      int64 // ThTien = Qty×Price − Discount
	Rate        string
}

// rateSum is one per-rate total (LTSuat).
type rateSum struct {
	Rate   string
	Amount int64
	VAT    int64
}

// related points from a replacement/adjustment to its original.
type related struct {
	Kind     int // 1 replaces, 2 adjusts (TCHDon)
	Key      invKey
	Date     time.Time
	Original *invoice
}

// invoice is one generated invoice with everything the portal shows.
type invoice struct {
	Key      invKey
	Flow     flow
	Date     time.Time // issue date, midnight in Vietnam
	Seller   party
	Buyer    party
	TThai    int
	TTXLy    int
	HTHDon   int
	ID       string
	HSGoc    string // "" = no original dossier
	HSGCMa   string
	MHDon    string // MCCQT, "" for non-coded
	MTDiep   string
	Seed     uint64
	Payment  int
	Currency string // DVTTe when not VND; amounts are then in cents
	Rate     int64  // TGia, VND per unit of Currency
	Lines    []line
	Rates    []rateSum
	Net      int64 // TgTCThue
	VAT      int64 // TgTThue
	Total    int64 // TgTTTBSo
	Discount int64 // TTCKTMai: the trade-discount lines' total
	Related  *related
	Replaced *invoice // set on tthai 4/5: the invoice that replaced/adjusted this one
}

// tdlap is the portal's rendering of the issue date: 17:00Z of the
// previous UTC day, i.e. Vietnamese midnight.
func (inv *invoice) tdlap() time.Time { return inv.Date.UTC() }

// rowLess is the list order: tdlap descending, then key ascending.
func rowLess(a, b *invoice) bool {
	if !a.Date.Equal(b.Date) {
		return a.Date.After(b.Date)
	}
	return a.Key.less(b.Key)
}
