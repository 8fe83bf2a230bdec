package export

import (
	"github.com/xuri/excelize/v2"
)

// styles are the cell styles of a workbook.
type styles struct {
	header, title, bold, note int
	vnd, money, qty, pct      int // #,##0 / #,##0.00 / #,##0.#### / #,##0.##
	date, stamp               int // dd/mm/yyyy / dd/mm/yyyy hh:mm
	boldVND                   int
}

func customFmt(s string) *string { return &s }

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	border := []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}}
	defs := []struct {
		id *int
		s  excelize.Style
	}{
		{&st.header, excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}},
		{&st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&st.bold, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&st.note, excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&st.vnd, excelize.Style{NumFmt: 3}},
		{&st.boldVND, excelize.Style{NumFmt: 3, Font: &excelize.Font{Bold: true}}},
		{&st.money, excelize.Style{CustomNumFmt: customFmt("#,##0.00")}},
		{&st.qty, excelize.Style{CustomNumFmt: customFmt("#,##0.####")}},
		{&st.pct, excelize.Style{CustomNumFmt: customFmt("#,##0.##")}},
		{&st.date, excelize.Style{CustomNumFmt: customFmt("dd/mm/yyyy")}},
		{&st.stamp, excelize.Style{CustomNumFmt: customFmt("dd/mm/yyyy hh:mm")}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.s)
		if err != nil {
			return styles{}, err
		}
		*d.id = id
	}
	return st, nil
}
