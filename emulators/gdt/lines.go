package gdt

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// item is a catalogue entry invoice lines are drawn from.
type item struct {
	code, name, unit   string
	minPrice, maxPrice int64 // in thousands of VND
}

var catalogue = []item{
	{"VPP01", "Giấy in A4 Double A 80gsm", "Ram", 60, 95},
	{"VPP02", "Bút bi Thiên Long TL-027", "Hộp", 40, 70},
	{"DV001", "Dịch vụ tư vấn kế toán tháng", "Tháng", 2000, 9000},
	{"DV002", "Phí vận chuyển hàng hóa nội địa", "Chuyến", 300, 4500},
	{"TP010", "Nước uống đóng chai 500ml", "Thùng", 80, 140},
	{"TP011", "Cà phê rang xay nguyên chất", "Kg", 180, 420},
	{"XD100", "Xi măng PCB40", "Tấn", 1300, 1800},
	{"XD101", "Thép cuộn phi 6", "Kg", 14, 19},
	{"CN500", "Bản quyền phần mềm kế toán", "Năm", 3000, 12000},
	{"CN501", "Máy tính xách tay văn phòng", "Chiếc", 12000, 28000},
	{"NL020", "Xăng RON 95-III", "Lít", 20, 26},
	{"DV030", "Dịch vụ ăn uống", "Suất", 50, 350},
}

// ratePct gives the percentage of a VAT rate code, and false for the codes
// that carry no VAT (KCT, KKKNT).
func ratePct(rate string) (int64, bool) {
	if p, ok := strings.CutSuffix(rate, "%"); ok {
		n, err := strconv.ParseInt(p, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// roundDiv divides a by b rounding half away from zero (how most vendors
// round VAT; adjustments can be negative).
func roundDiv(a, b int64) int64 {
	if a < 0 {
		return -roundDiv(-a, b)
	}
	return (a + b/2) / b
}

// makeLines draws the lines of an ordinary invoice.
func makeLines(r *rand.Rand, defaultRate string, salesInvoice bool) []line {
	n := 1 + r.IntN(4)
	out := make([]line, 0, n+1)
	for i := 0; i < n; i++ {
		it := pick(r, catalogue)
		qty := int64(1 + r.IntN(20))
		price := (it.minPrice + r.Int64N(it.maxPrice-it.minPrice+1)) * 1000
		rate := defaultRate
		switch x := r.IntN(20); {
		case salesInvoice:
			rate = "KCT"
		case x == 0:
			rate = "KCT"
		case x == 1:
			rate = "5%"
		case x == 2:
			rate = "0%"
		}
		l := line{TChat: 1, STT: i + 1, Code: it.code, Name: it.name, Unit: it.unit, Qty: qty, Price: price, Rate: rate}
		if r.IntN(7) == 0 {
			l.DiscountPct = pick(r, []int64{2, 5, 10})
			l.Discount = roundDiv(qty*price*l.DiscountPct, 100)
		}
		l.Amount = qty*price - l.Discount
		out = append(out, l)
	}
	if !salesInvoice && r.IntN(8) == 0 {
		out = append(out, discountLine(r, out))
	}
	if r.IntN(10) == 0 {
		out = append(out, line{TChat: 4, Name: "Hàng hóa giao tại kho bên mua"})
	}
	return out
}

// discountLine is a trade discount (TChat 3) of 1–3 % on the goods at the
// first line's rate: an amount without quantity or price, subtracted.
func discountLine(r *rand.Rand, goods []line) line {
	rate := goods[0].Rate
	var base int64
	for _, l := range goods {
		if l.Rate == rate {
			base += l.Amount
		}
	}
	amt := max(roundDiv(base*pick(r, []int64{1, 2, 3}), 100), 1)
	return line{TChat: 3, STT: len(goods) + 1, Name: "Chiết khấu thương mại theo doanh số", Amount: amt, Rate: rate}
}

// inCurrency turns lines priced in VND into cents of a currency worth rate
// VND (no-op for rate 0): prices are converted, discounts and amounts
// recomputed so every line still adds up.
func inCurrency(lines []line, rate int64) {
	if rate == 0 {
		return
	}
	for i := range lines {
		l := &lines[i]
		switch l.TChat {
		case 1:
			l.Price = max(roundDiv(l.Price*100, rate), 1)
			l.Discount = roundDiv(l.Qty*l.Price*l.DiscountPct, 100)
			l.Amount = l.Qty*l.Price - l.Discount
		case 3:
			l.Amount = max(roundDiv(l.Amount*100, rate), 1)
		}
	}
}

// adjustmentLines is a decrease adjustment of part of the original's value.
func adjustmentLines(r *rand.Rand, orig *invoice) []line {
	rate := "10%"
	for _, l := range orig.Lines {
		if l.TChat == 1 {
			rate = l.Rate
			break
		}
	}
	amt := max(orig.Net/int64(5+r.IntN(6)), 1000) / 1000 * 1000
	name := "Điều chỉnh giảm đơn giá theo hóa đơn số " + strconv.FormatInt(orig.Key.SHDon, 10)
	return []line{{TChat: 1, STT: 1, Code: "DC", Name: name, Unit: "Lần", Qty: 1, Price: -amt, Amount: -amt, Rate: rate}}
}

// applyTotals computes the per-rate summary and totals from the lines,
// following §10.3: TgTCThue = Σ ThTien, TgTThue = Σ per-rate VAT,
// TgTTTBSo = TgTCThue + TgTThue.
func (inv *invoice) applyTotals() {
	inv.Rates, inv.Net, inv.VAT, inv.Discount = nil, 0, 0, 0
	idx := map[string]int{}
	for _, l := range inv.Lines {
		if l.TChat == 4 {
			continue
		}
		amt := l.Amount
		if l.TChat == 3 {
			amt = -amt
			inv.Discount += l.Amount
		}
		i, ok := idx[l.Rate]
		if !ok {
			i = len(inv.Rates)
			idx[l.Rate] = i
			inv.Rates = append(inv.Rates, rateSum{Rate: l.Rate})
		}
		inv.Rates[i].Amount += amt
	}
	for i := range inv.Rates {
		if p, ok := ratePct(inv.Rates[i].Rate); ok {
			inv.Rates[i].VAT = roundDiv(inv.Rates[i].Amount*p, 100)
		}
		inv.Net += inv.Rates[i].Amount
		inv.VAT += inv.Rates[i].VAT
	}
	inv.Total = inv.Net + inv.VAT
}
