package einvoice

import (
	"github.com/shopspring/decimal"
)

// totals checks TgTCThue, TgTThue and TgTTTBSo. Where vendors legitimately
// differ (trade discount inside TgTCThue or subtracted only from the payable
// total; fees included or not) every reading of §10.3 is accepted and only a
// total that matches none of them is reported.
func (c *checker) totals() {
	t := c.inv.Totals
	if t.TgTCThue.Valid() {
		cands := []decimal.Decimal{c.net}
		if t.TTCKTMai.Valid() && !t.TTCKTMai.Decimal().IsZero() {
			cands = append(cands, c.gross())
		}
		if !nearAny(t.TgTCThue.Decimal(), cands) {
			c.warn(WarnTotalBase, "TgTCThue %s but the lines sum to %s", t.TgTCThue, c.net.String())
		}
	}
	if t.TgTThue.Valid() {
		c.totalTax(t.TgTThue.Decimal())
	}
	if t.TgTTTBSo.Valid() {
		c.totalPayable(t)
	}
}

// gross is Σ lines without subtracting the discount lines.
func (c *checker) gross() decimal.Decimal {
	sum := decimal.Zero
	for _, l := range c.inv.Lines {
		if l.TChat != LineNote && l.TChat != LineDiscount {
			sum = sum.Add(l.ThTien.Decimal())
		}
	}
	return sum
}

func (c *checker) totalTax(got decimal.Decimal) {
	var cands []decimal.Decimal
	if len(c.inv.Totals.Rates) > 0 {
		sum := decimal.Zero
		for _, rt := range c.inv.Totals.Rates {
			sum = sum.Add(rt.TThue.Decimal())
		}
		cands = append(cands, sum)
	}
	computed, allLineTax, lineTax := decimal.Zero, len(c.order) > 0, decimal.Zero
	for _, k := range c.order {
		if !c.rates[k].known && len(cands) == 0 {
			return // an unknown rate implies no figure to compare with; already warned
		}
		computed = computed.Add(c.rates[k].tax(c.byRate[k]))
		allLineTax = allLineTax && c.taxLines[k]
		lineTax = lineTax.Add(c.lineTax[k])
	}
	if allLineTax {
		cands = append(cands, lineTax)
	}
	// Each rate group is rounded on its own, so allow one unit per group.
	slack := decimal.NewFromInt(int64(max(len(c.order), 1)))
	if got.Sub(computed).Abs().LessThanOrEqual(slack) || nearAny(got, cands) {
		return
	}
	c.warn(WarnTotalTax, "TgTThue %s but VAT per rate sums to %s", got.String(), bestOf(cands, computed).StringFixed(0))
}

// bestOf returns the written per-rate sum when there is one, else the
// recomputed figure, for the warning message.
func bestOf(cands []decimal.Decimal, computed decimal.Decimal) decimal.Decimal {
	if len(cands) > 0 {
		return cands[0]
	}
	return computed
}

func (c *checker) totalPayable(t Totals) {
	base := c.net
	if t.TgTCThue.Valid() {
		base = t.TgTCThue.Decimal()
	}
	sum := base.Add(t.TgTThue.Decimal())
	fees := decimal.Zero
	for _, f := range t.Fees {
		fees = fees.Add(f.TPhi.Decimal())
	}
	if len(t.Fees) == 0 {
		fees = t.TgTPhi.Decimal()
	}
	cands := []decimal.Decimal{sum.Add(fees), sum}
	if t.TTCKTMai.Valid() {
		cands = append(cands, sum.Add(fees).Sub(t.TTCKTMai.Decimal()))
	}
	if !nearAny(t.TgTTTBSo.Decimal(), cands) {
		c.warn(WarnTotalPayable, "TgTTTBSo %s but TgTCThue + TgTThue + fees = %s",
			t.TgTTTBSo, cands[0].String())
	}
}
