package einvoice

import (
	"strings"

	"github.com/shopspring/decimal"
)

// rate is a VAT rate (TSuat, gdt-portal.md §9.4) as the checks use it.
type rate struct {
	key     string          // canonical form for grouping: "8%", "KCT", "KHAC:5.26%"
	pct     decimal.Decimal // the percentage, for numeric rates
	numeric bool            // a percentage (0%, 5%, 8%, 10%, KHAC:x%)
	known   bool            // recognised at all
}

// parseRate reads a TSuat. KCT (not subject to VAT) and KKKNT/KKKTT (not
// declared) are kept distinct from 0%: they mean different things in a tax
// declaration even though none carries VAT.
func parseRate(s string) rate {
	key := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	switch key {
	case "":
		return rate{}
	case "KCT", "KKKNT", "KKKTT":
		return rate{key: key, known: true}
	}
	prefix, body := "", key
	if strings.HasPrefix(key, "KHAC:") {
		prefix, body = "KHAC:", strings.TrimPrefix(key, "KHAC:")
	}
	num, ok := strings.CutSuffix(body, "%")
	if !ok {
		return rate{key: key}
	}
	v, err := parseNum(num)
	if err != nil || !v.Valid() || v.d.IsNegative() || v.d.GreaterThan(decimal.NewFromInt(100)) {
		return rate{key: key}
	}
	return rate{key: prefix + v.d.String() + "%", pct: v.d, numeric: true, known: true}
}

// tax returns base × rate, the VAT a rate implies (zero for KCT/KKKNT).
func (r rate) tax(base decimal.Decimal) decimal.Decimal {
	if !r.numeric {
		return decimal.Zero
	}
	return base.Mul(r.pct).Div(decimal.NewFromInt(100))
}
