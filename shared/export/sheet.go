package export

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/hoadon/hoadon/shared/einvoice"
)

// column is one column of a streamed sheet: its header, width and value.
type column[T any] struct {
	head  text
	width float64
	val   func(*T) any
}

// sheet streams the rows of one data sheet: header first, frozen, then one
// row per call, an autofilter over all of it at the end.
type sheet[T any] struct {
	name string
	sw   *excelize.StreamWriter
	cols []column[T]
	rows int // rows written, header included
}

func openSheet[T any](f *excelize.File, name string, cols []column[T], l lang, st styles) (*sheet[T], error) {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: st.header, Value: l.s(c.head)}
	}
	s := &sheet[T]{name: name, sw: sw, cols: cols}
	return s, s.write(head, excelize.RowOpts{Height: 32})
}

func (s *sheet[T]) write(values []any, opts ...excelize.RowOpts) error {
	s.rows++
	cell, err := excelize.CoordinatesToCellName(1, s.rows)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, values, opts...)
}

// add writes one row from v.
func (s *sheet[T]) add(v *T) error {
	row := make([]any, len(s.cols))
	for i, c := range s.cols {
		row[i] = c.val(v)
	}
	return s.write(row)
}

// finish sets the autofilter over the written range and ends the stream.
func (s *sheet[T]) finish(f *excelize.File) error {
	last, err := excelize.CoordinatesToCellName(len(s.cols), max(s.rows, 2))
	if err != nil {
		return err
	}
	if err := f.AutoFilter(s.name, "A1:"+last, nil); err != nil {
		return err
	}
	return s.sw.Flush()
}

// Cell helpers. A value the invoice does not carry is an empty cell (nil),
// never a zero.

func (st styles) vndCell(d decimal.Decimal) any {
	return excelize.Cell{StyleID: st.vnd, Value: d.InexactFloat64()}
}

// written is an amount as written on the invoice, in its currency.
func (st styles) written(n einvoice.Num, foreign bool) any {
	if !n.Valid() {
		return nil
	}
	style := st.vnd
	if foreign {
		style = st.money
	}
	return excelize.Cell{StyleID: style, Value: n.Decimal().InexactFloat64()}
}

func (st styles) numCell(n einvoice.Num, style int) any {
	if !n.Valid() {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: n.Decimal().InexactFloat64()}
}

// dateCell is a YYYY-MM-DD date as an Excel date (text if unreadable).
func (st styles) dateCell(s string) any {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nilIfEmpty(s)
	}
	return excelize.Cell{StyleID: st.date, Value: t}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// foreign reports whether the invoice is in a currency other than VND.
func foreign(inv *einvoice.Invoice) bool {
	if inv == nil {
		return false
	}
	cur := strings.ToUpper(strings.TrimSpace(inv.General.DVTTe))
	return cur != "" && cur != "VND"
}
