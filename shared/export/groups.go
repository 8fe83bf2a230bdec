package export

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/hoadon/hoadon/shared/einvoice"
)

// group is a VAT-rate group of the summary and of the invoice list's amount
// columns.
type group int

const (
	group0 group = iota
	group5
	group8
	group10
	groupKCT     // not subject to VAT
	groupKKKNT   // not declared, not paying VAT (KKKNT, KKKTT)
	groupOther   // KHAC:x% and anything else
	groupRevenue // % of revenue: household-business sales invoices (TLTThue)
	numGroups
)

// taxed reports whether the group carries a VAT column.
func (g group) taxed() bool { return g != groupKCT && g != groupKKKNT && g != groupRevenue }

// groupOf reads a TSuat as written ("8%", "10.00%", "KCT", "KHAC:5.26%").
func groupOf(tsuat string) group {
	key := strings.ToUpper(strings.Join(strings.Fields(tsuat), ""))
	switch key {
	case "KCT":
		return groupKCT
	case "KKKNT", "KKKTT":
		return groupKKKNT
	}
	num, ok := strings.CutSuffix(key, "%")
	if !ok {
		return groupOther
	}
	d, err := decimal.NewFromString(num)
	if err != nil {
		return groupOther
	}
	for g, pct := range map[group]int64{group0: 0, group5: 5, group8: 8, group10: 10} {
		if d.Equal(decimal.NewFromInt(pct)) {
			return g
		}
	}
	return groupOther
}

// amounts are an invoice's figures in VND, from its own TToan.
type amounts struct {
	base, vat [numGroups]decimal.Decimal // per group
	in        [numGroups]bool            // the invoice has amounts in the group
	discount  decimal.Decimal            // TTCKTMai
	net       decimal.Decimal            // TgTCThue
	tax       decimal.Decimal            // TgTThue
	total     decimal.Decimal            // TgTTTBSo
	rate      decimal.Decimal            // exchange rate applied (1 for VND)
}

// exchangeRate is TGia for an invoice in another currency, else 1.
func exchangeRate(inv *einvoice.Invoice) decimal.Decimal {
	cur := strings.ToUpper(strings.TrimSpace(inv.General.DVTTe))
	if cur == "" || cur == "VND" || !inv.General.TGia.Valid() || inv.General.TGia.Decimal().Sign() <= 0 {
		return decimal.NewFromInt(1)
	}
	return inv.General.TGia.Decimal()
}

// amountsOf converts the invoice's totals to VND and files them by group:
// THTTLTSuat when the invoice has it; otherwise the whole invoice goes to
// the % of revenue group (TLTThue or a sales invoice), the single rate its
// lines share, or "other".
func amountsOf(inv *einvoice.Invoice) amounts {
	t := inv.Totals
	a := amounts{rate: exchangeRate(inv)}
	vnd := func(n einvoice.Num) decimal.Decimal { return n.Decimal().Mul(a.rate) }
	a.discount, a.tax, a.total = vnd(t.TTCKTMai), vnd(t.TgTThue), vnd(t.TgTTTBSo)
	a.net = vnd(t.TgTCThue)
	if !t.TgTCThue.Valid() {
		a.net = a.total.Sub(a.tax)
	}
	if len(t.Rates) > 0 {
		for _, r := range t.Rates {
			g := groupOf(r.TSuat)
			a.base[g] = a.base[g].Add(vnd(r.ThTien))
			a.vat[g] = a.vat[g].Add(vnd(r.TThue))
			a.in[g] = true
		}
		return a
	}
	g := wholeGroup(inv)
	a.base[g], a.vat[g], a.in[g] = a.net, a.tax, true
	return a
}

// wholeGroup is the group of an invoice without per-rate totals.
func wholeGroup(inv *einvoice.Invoice) group {
	if inv.Totals.TLTThue != "" || inv.General.KHMSHDon == 2 {
		return groupRevenue
	}
	rate := ""
	for _, l := range inv.Lines {
		switch {
		case l.TLTThue != "":
			return groupRevenue
		case l.TSuat == "" || l.TSuat == rate:
		case rate == "":
			rate = l.TSuat
		default:
			return groupOther
		}
	}
	if rate == "" {
		return groupOther
	}
	return groupOf(rate)
}

// ratePct is the percentage of a numeric TSuat ("8%", "KHAC:5.26%").
func ratePct(tsuat string) (decimal.Decimal, bool) {
	key := strings.ToUpper(strings.Join(strings.Fields(tsuat), ""))
	key = strings.TrimPrefix(key, "KHAC:")
	num, ok := strings.CutSuffix(key, "%")
	if !ok {
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(num)
	return d, err == nil
}

// lineVAT is the line's VAT as written, else its amount × rate rounded to
// the currency's unit (whole dong, or cents for other currencies); absent
// for lines without an amount or a numeric rate.
func lineVAT(l einvoice.Line, foreign bool) einvoice.Num {
	if l.TThue.Valid() {
		return l.TThue
	}
	pct, ok := ratePct(l.TSuat)
	if !ok || !l.ThTien.Valid() {
		return einvoice.Num{}
	}
	places := int32(0)
	if foreign {
		places = 2
	}
	return einvoice.NewNum(l.ThTien.Decimal().Mul(pct).Div(decimal.NewFromInt(100)).Round(places))
}
