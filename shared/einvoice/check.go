package einvoice

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// tolerance is the largest difference accepted between a written amount and
// the amount recomputed from its parts. Vendors round VAT half-up or down and
// round line amounts, so exact equality would flag honest invoices
// (gdt-portal.md §10.4).
var tolerance = decimal.NewFromInt(1)

// Warning codes of the arithmetic checks.
const (
	WarnLineAmount   = "line_amount"   // ThTien ≠ SLuong × DGia − STCKhau
	WarnRateBase     = "rate_base"     // LTSuat ThTien ≠ Σ lines at that rate
	WarnRateTax      = "rate_tax"      // LTSuat TThue ≠ ThTien × rate
	WarnRateMissing  = "rate_missing"  // lines at a rate THTTLTSuat does not list
	WarnRateUnknown  = "rate_unknown"  // TSuat not in the code table
	WarnTotalBase    = "total_base"    // TgTCThue ≠ Σ lines (discount lines subtracted)
	WarnTotalTax     = "total_tax"     // TgTThue ≠ Σ VAT per rate
	WarnTotalPayable = "total_payable" // TgTTTBSo ≠ TgTCThue + TgTThue (+ fees − TTCKTMai)
)

func near(a, b decimal.Decimal) bool { return a.Sub(b).Abs().LessThanOrEqual(tolerance) }

func nearAny(a decimal.Decimal, cands []decimal.Decimal) bool {
	for _, c := range cands {
		if near(a, c) {
			return true
		}
	}
	return false
}

// checker recomputes the invoice's sums from its lines (gdt-portal.md §10.3,
// §10.4) and collects warnings.
type checker struct {
	inv      *Invoice
	out      []Warning
	net      decimal.Decimal            // Σ lines: goods/promotion added, discount subtracted
	byRate   map[string]decimal.Decimal // the same per rate key
	lineTax  map[string]decimal.Decimal // Σ written line TThue per rate key
	taxLines map[string]bool            // every line of that rate wrote TThue
	rates    map[string]rate
	order    []string // rate keys in order of first appearance
}

// check returns the arithmetic warnings of inv.
func check(inv *Invoice) []Warning {
	c := &checker{inv: inv, byRate: map[string]decimal.Decimal{}, lineTax: map[string]decimal.Decimal{},
		taxLines: map[string]bool{}, rates: map[string]rate{}}
	c.lines()
	c.rateTotals()
	c.totals()
	return c.out
}

func (c *checker) warn(code, format string, args ...any) {
	c.out = append(c.out, Warning{Code: code, Message: fmt.Sprintf(format, args...)})
}

// signed returns a line's contribution to the invoice's base amount.
func signed(l Line) decimal.Decimal {
	if l.TChat == LineDiscount {
		return l.ThTien.Decimal().Abs().Neg()
	}
	return l.ThTien.Decimal()
}

func (c *checker) lines() {
	for i, l := range c.inv.Lines {
		if l.TChat == LineNote {
			continue
		}
		c.lineAmount(i, l)
		c.net = c.net.Add(signed(l))
		rt := parseRate(l.TSuat)
		if rt.key == "" {
			continue
		}
		if _, seen := c.rates[rt.key]; !seen {
			c.rates[rt.key] = rt
			c.order = append(c.order, rt.key)
			c.taxLines[rt.key] = true
			if !rt.known {
				c.warn(WarnRateUnknown, "line %d: VAT rate %q is not in the code table", i+1, clip(l.TSuat))
			}
		}
		c.byRate[rt.key] = c.byRate[rt.key].Add(signed(l))
		c.taxLines[rt.key] = c.taxLines[rt.key] && l.TThue.Valid()
		c.lineTax[rt.key] = c.lineTax[rt.key].Add(l.TThue.Decimal())
	}
}

// lineAmount checks ThTien = SLuong × DGia − discount when all parts are
// written. A promotion line with amount 0 is skipped: its quantity and
// price describe the gift, not what is charged. So is a trade-discount
// line with quantity or price 0: its amount is the discount itself.
func (c *checker) lineAmount(i int, l Line) {
	if !l.ThTien.Valid() || !l.SLuong.Valid() || !l.DGia.Valid() {
		return
	}
	if l.TChat == LinePromotion && l.ThTien.Decimal().IsZero() {
		return
	}
	if l.TChat == LineDiscount && (l.SLuong.Decimal().IsZero() || l.DGia.Decimal().IsZero()) {
		return
	}
	gross := l.SLuong.Decimal().Mul(l.DGia.Decimal())
	want := gross
	switch {
	case l.STCKhau.Valid():
		want = gross.Sub(l.STCKhau.Decimal())
	case l.TLCKhau.Valid():
		want = gross.Sub(gross.Mul(l.TLCKhau.Decimal()).Div(decimal.NewFromInt(100)))
	}
	if !near(l.ThTien.Decimal(), want) {
		c.warn(WarnLineAmount, "line %d: ThTien %s but SLuong×DGia−STCKhau = %s",
			i+1, l.ThTien, want.String())
	}
}

// rateTotals checks each LTSuat against the lines at its rate.
func (c *checker) rateTotals() {
	listed := map[string]bool{}
	for _, rt := range c.inv.Totals.Rates {
		r := parseRate(rt.TSuat)
		listed[r.key] = true
		if len(c.order) > 0 && rt.ThTien.Valid() && !near(rt.ThTien.Decimal(), c.byRate[r.key]) {
			c.warn(WarnRateBase, "rate %s: ThTien %s but its lines sum to %s",
				clip(rt.TSuat), rt.ThTien, c.byRate[r.key].String())
		}
		if !rt.TThue.Valid() || !r.known {
			continue
		}
		cands := []decimal.Decimal{r.tax(rt.ThTien.Decimal())}
		if c.taxLines[r.key] {
			cands = append(cands, c.lineTax[r.key])
		}
		if !nearAny(rt.TThue.Decimal(), cands) {
			c.warn(WarnRateTax, "rate %s: TThue %s but ThTien × rate = %s",
				clip(rt.TSuat), rt.TThue, cands[0].Round(2).String())
		}
	}
	if len(c.inv.Totals.Rates) == 0 {
		return
	}
	for _, k := range c.order {
		if !listed[k] && !c.byRate[k].IsZero() {
			c.warn(WarnRateMissing, "lines at rate %s are not in THTTLTSuat", k)
		}
	}
}
