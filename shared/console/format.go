package console

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

var vietnam = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return l
	}
	return time.FixedZone("ICT", 7*3600)
}()

var funcs = template.FuncMap{
	"when":     when,
	"money":    money,
	"group":    func(n int) string { return groupDigits(fmt.Sprint(n)) },
	"flows":    func() []hoadon.Flow { return hoadon.AllFlows },
	"sortKeys": func() []string { return []string{"mst", "name", "login", "last"} },
	"has": func(list []hoadon.Flow, f hoadon.Flow) bool {
		for _, x := range list {
			if x == f {
				return true
			}
		}
		return false
	},
	"get": func(m map[hoadon.InvoiceStatus]int, s string) int { return m[hoadon.InvoiceStatus(s)] },
}

// when is a time in Vietnam, "" for none.
func when(t any) string {
	var tt time.Time
	switch v := t.(type) {
	case time.Time:
		tt = v
	case *time.Time:
		if v == nil {
			return ""
		}
		tt = *v
	}
	if tt.IsZero() {
		return ""
	}
	return tt.In(vietnam).Format("02/01/2006 15:04:05")
}

// money writes an amount the Vietnamese way: 1.234.567,5.
func money(n einvoice.Num) string {
	if !n.Valid() {
		return ""
	}
	s := n.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	out := groupDigits(whole)
	if frac != "" {
		out += "," + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func groupDigits(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}
