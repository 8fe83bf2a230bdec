package gdt

import (
	"fmt"
	"strconv"
	"strings"
)

// currency is DVTTe.
func (inv *invoice) currency() string {
	if inv.Currency == "" {
		return "VND"
	}
	return inv.Currency
}

// exchangeRate is TGia.
func (inv *invoice) exchangeRate() int64 {
	if inv.Currency == "" {
		return 1
	}
	return inv.Rate
}

// money renders an amount as the XML writes it: whole VND, or the foreign
// currency with two decimals.
func (inv *invoice) money(v int64) string {
	if inv.Currency == "" {
		return strconv.FormatInt(v, 10)
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// amount is an amount as the list and detail JSON write it.
func (inv *invoice) amount(v int64) jnum {
	if inv.Currency == "" {
		return jnum(v)
	}
	return jnum(float64(v) / 100)
}

// inWords is TgTTTBChu: "… đồng", or "… đô la Mỹ [và N xu]" for dollars.
func (inv *invoice) inWords(v int64) string {
	if inv.Currency == "" {
		return amountInWords(v)
	}
	s := strings.TrimSuffix(amountInWords(v/100), " đồng") + " đô la Mỹ"
	if c := v % 100; c != 0 {
		s += fmt.Sprintf(" và %d xu", max(c, -c))
	}
	return s
}
