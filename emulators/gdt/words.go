package gdt

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

var digitWords = [10]string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}

// scaleWords name the groups of three digits.
var scaleWords = []string{"", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ", "tỷ tỷ"}

// amountInWords spells a VND amount the way invoices print TgTTTBChu,
// e.g. 1250000 → "Một triệu hai trăm năm mươi nghìn đồng". Negative
// amounts (adjustments) are prefixed with "Âm".
func amountInWords(v int64) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	var words []string
	if u == 0 {
		words = []string{"không"}
	}
	var groups []int
	for ; u > 0; u /= 1000 {
		groups = append(groups, int(u%1000))
	}
	for i := len(groups) - 1; i >= 0; i-- {
		if groups[i] == 0 {
			continue
		}
		words = append(words, tripleWords(groups[i], i < len(groups)-1)...)
		if scaleWords[i] != "" {
			words = append(words, scaleWords[i])
		}
	}
	if neg {
		words = append([]string{"âm"}, words...)
	}
	words = append(words, "đồng")
	return capitalise(strings.Join(words, " "))
}

// tripleWords reads 0..999; inner groups read their zero hundreds and
// use "linh" for a missing tens digit, as Vietnamese does.
func tripleWords(n int, inner bool) []string {
	h, t, u := n/100, n/10%10, n%10
	var w []string
	if h > 0 || inner {
		w = append(w, digitWords[h], "trăm")
	}
	switch {
	case t == 0 && u > 0 && len(w) > 0:
		w = append(w, "linh", digitWords[u])
	case t == 0 && u > 0:
		w = append(w, digitWords[u])
	case t == 1:
		w = append(w, "mười")
		w = appendUnit(w, u, false)
	case t > 1:
		w = append(w, digitWords[t], "mươi")
		w = appendUnit(w, u, true)
	}
	return w
}

func appendUnit(w []string, u int, afterMuoi bool) []string {
	switch {
	case u == 0:
		return w
	case u == 5:
		return append(w, "lăm")
	case u == 1 && afterMuoi:
		return append(w, "mốt")
	}
	return append(w, digitWords[u])
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
