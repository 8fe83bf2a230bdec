package export

import (
	"archive/zip"
	"io"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Workbook is one bảng kê being written: rows are streamed into the invoice,
// line and error sheets as invoices are added; the summary sheet is written
// when the workbook is written out. Close it to remove its temporary files.
type Workbook struct {
	f      *excelize.File
	sel    Selection
	opt    Options
	l      lang
	st     styles
	list   *sheet[listRow]
	lines  *sheet[lineRow]
	errs   *sheet[errorRow]
	sum    summary
	stats  Stats
	closed bool
}

// summary accumulates the figures of the summary sheet.
type summary struct {
	count    [numGroups]int
	base     [numGroups]decimal.Decimal
	vat      [numGroups]decimal.Decimal
	invoices int // counted in the totals
	net      decimal.Decimal
	tax      decimal.Decimal
	total    decimal.Decimal
	discount decimal.Decimal
	byStatus [PortalCancelled + 1]int
	unavail  int
	failed   int
	verified time.Time
	name     string // our company's name as the invoices give it
}

// NewWorkbook starts a workbook for a selection.
func NewWorkbook(sel Selection, opt Options) (*Workbook, error) {
	if err := sel.Validate(); err != nil {
		return nil, err
	}
	w := &Workbook{f: excelize.NewFile(excelize.Options{TmpDir: opt.TmpDir}), sel: sel, opt: opt, l: lang(opt.English)}
	if err := w.init(); err != nil {
		w.f.Close()
		return nil, hoadon.Wrap(hoadon.CodeInternal, err, "export.NewWorkbook")
	}
	return w, nil
}

func (w *Workbook) init() error {
	f, l := w.f, w.l
	if err := f.SetSheetName("Sheet1", l.s(sheetSummary)); err != nil {
		return err
	}
	for _, name := range []text{sheetList, sheetLines, sheetErrors} {
		if _, err := f.NewSheet(l.s(name)); err != nil {
			return err
		}
	}
	for i, name := range []text{sheetSummary, sheetList, sheetLines, sheetErrors} {
		if err := pageSetup(f, l.s(name), i > 0); err != nil {
			return err
		}
	}
	var err error
	if w.st, err = newStyles(f); err != nil {
		return err
	}
	if w.list, err = openSheet(f, l.s(sheetList), listColumns(l, w.st, w.sel.Direction), l, w.st); err != nil {
		return err
	}
	if w.lines, err = openSheet(f, l.s(sheetLines), lineColumns(l, w.st), l, w.st); err != nil {
		return err
	}
	w.errs, err = openSheet(f, l.s(sheetErrors), errorColumns(l, w.st), l, w.st)
	return err
}

// Add writes a parsed invoice: one row in the list, one per line in the
// line sheet, and its figures into the summary unless it is replaced or
// cancelled.
func (w *Workbook) Add(rec Record, inv *einvoice.Invoice) error {
	row := listRow{n: w.stats.Invoices + 1, rec: rec, inv: inv, a: amountsOf(inv), status: portalStatus(rec, inv)}
	row.in = counted(row.status)
	if err := w.list.add(&row); err != nil {
		return w.fail(err)
	}
	w.stats.Invoices++
	for _, line := range inv.Lines {
		if err := w.lines.add(&lineRow{rec: rec, inv: inv, line: line}); err != nil {
			return w.fail(err)
		}
		w.stats.Lines++
	}
	w.sum.add(&row, w.sel.Direction)
	return nil
}

// Missing lists an invoice without a parsed invoice (no original XML on the
// portal, a failed download, an unreadable file): a row in the list without
// amounts and a row in the error sheet with the reason. It is not counted.
func (w *Workbook) Missing(rec Record, reason string) error {
	row := listRow{n: w.stats.Invoices + 1, rec: rec}
	if err := w.list.add(&row); err != nil {
		return w.fail(err)
	}
	w.stats.Invoices++
	if err := w.errs.add(&errorRow{rec: rec, reason: reason}); err != nil {
		return w.fail(err)
	}
	w.stats.Errors++
	if rec.Status == hoadon.StatusUnavailable {
		w.sum.unavail++
	} else {
		w.sum.failed++
	}
	w.sum.seen(rec)
	return nil
}

// Stats returns what was written so far.
func (w *Workbook) Stats() Stats { return w.stats }

func (w *Workbook) fail(err error) error {
	return hoadon.Wrap(hoadon.CodeInternal, err, "export: write workbook")
}

func (s *summary) seen(rec Record) {
	if rec.VerifiedAt.After(s.verified) {
		s.verified = rec.VerifiedAt
	}
}

func (s *summary) add(r *listRow, d hoadon.Direction) {
	s.seen(r.rec)
	s.byStatus[r.status]++
	if s.name == "" {
		s.name = r.inv.Buyer.Ten
		if d == hoadon.Sold {
			s.name = r.inv.Seller.Ten
		}
	}
	if !r.in {
		return
	}
	s.invoices++
	for g := range numGroups {
		if r.a.in[g] {
			s.count[g]++
			s.base[g] = s.base[g].Add(r.a.base[g])
			s.vat[g] = s.vat[g].Add(r.a.vat[g])
		}
	}
	s.net, s.tax, s.total = s.net.Add(r.a.net), s.tax.Add(r.a.tax), s.total.Add(r.a.total)
	s.discount = s.discount.Add(r.a.discount)
}

// WriteTo finishes the workbook (summary sheet, autofilters) and writes the
// .xlsx to out, streaming each sheet from its buffer or temporary file. It
// can be called once.
func (w *Workbook) WriteTo(out io.Writer) (int64, error) {
	if w.closed {
		return 0, hoadon.Errorf(hoadon.CodeInternal, "export: workbook already written")
	}
	w.closed = true
	if err := w.finish(); err != nil {
		return 0, w.fail(err)
	}
	cw := &countingWriter{w: out}
	zw := zip.NewWriter(cw)
	// excelize builds the whole file in a memory buffer unless given its own
	// ZIP writer: this one writes straight to out.
	w.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	if _, err := w.f.WriteToBuffer(); err != nil {
		return cw.n, w.fail(err)
	}
	return cw.n, nil
}

func (w *Workbook) finish() error {
	for _, fin := range []func(*excelize.File) error{w.list.finish, w.lines.finish, w.errs.finish} {
		if err := fin(w.f); err != nil {
			return err
		}
	}
	// The summary is the first sheet, and so the active one. Nothing may read
	// a streamed sheet after its Flush: excelize would parse all its rows
	// back into memory.
	return w.writeSummary()
}

// pageSetup prints a sheet landscape, all columns on one page width (A3
// for the wide data sheets, A4 for the summary). It must run before the
// sheet's stream starts: the stream writes these properties first.
func pageSetup(f *excelize.File, sheet string, wide bool) error {
	size, landscape, one, auto := 9, "landscape", 1, 0
	if wide {
		size = 8
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	return f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &landscape, FitToWidth: &one, FitToHeight: &auto})
}

// Close removes the workbook's temporary files.
func (w *Workbook) Close() error { return w.f.Close() }

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Problem adds a row to the error sheet for an invoice already listed (a
// bundle file that could not be read).
func (w *Workbook) Problem(rec Record, reason string) error {
	if err := w.errs.add(&errorRow{rec: rec, reason: reason}); err != nil {
		return w.fail(err)
	}
	w.stats.Errors++
	return nil
}
