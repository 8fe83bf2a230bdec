package console

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/wire"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

// pageSize is how many invoices a page of the table shows.
const pageSize = 50

type invoicesData struct {
	S          wire.Status
	Invoices   []hoadon.Invoice
	Status     string
	Flow       string
	Sig        string // signature result (xmlsig status)
	Month      string // YYYY-MM of the issue date
	Seller     string // the seller's tax code, or its start
	Page       int
	More       bool
	PrevQuery  template.URL // query strings built by pageQuery from url.Values
	NextQuery  template.URL
	StatusList []hoadon.InvoiceStatus
	SigList    []xmlsig.Status
}

// sigStatuses are the signature results a table filters on.
var sigStatuses = []xmlsig.Status{xmlsig.StatusValid, xmlsig.StatusWarning, xmlsig.StatusInvalid, xmlsig.StatusMissing}

var monthPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)

// filters keeps what is valid of the asked filters (the rest is dropped).
func (d *invoicesData) filters(qv url.Values) {
	d.Status, d.Flow, d.Sig, d.Month, d.Seller = qv.Get("status"), qv.Get("flow"), qv.Get("sig"), qv.Get("month"), strings.TrimSpace(qv.Get("seller"))
	if !validStatus(hoadon.InvoiceStatus(d.Status)) {
		d.Status = ""
	}
	if !hoadon.Flow(d.Flow).Valid() {
		d.Flow = ""
	}
	if !slices.Contains(sigStatuses, xmlsig.Status(d.Sig)) {
		d.Sig = ""
	}
	if !monthPattern.MatchString(d.Month) {
		d.Month = ""
	}
	if len(d.Seller) > 14 || strings.Trim(d.Seller, "0123456789-") != "" {
		d.Seller = ""
	}
}

// match reports whether an invoice passes the filters other than status
// (which the store applies).
func (d *invoicesData) match(inv hoadon.Invoice) bool {
	return (d.Flow == "" || string(inv.Flow) == d.Flow) &&
		(d.Sig == "" || inv.Signature == d.Sig) &&
		(d.Month == "" || strings.HasPrefix(inv.Date, d.Month)) &&
		(d.Seller == "" || strings.HasPrefix(inv.Key.NBMST, d.Seller))
}

// invoices is the import's invoice table, filtered by status and flow and
// paged on the server: it reads up to the end of the asked page and stops.
func (c *Console) invoices(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	st, err := c.o.API.ImportStatus(r.Context(), id)
	if err != nil {
		c.fail(w, q, err)
		return
	}
	qv := r.URL.Query()
	d := invoicesData{S: st, Page: 1, StatusList: hoadon.AllStatuses, SigList: sigStatuses}
	d.filters(qv)
	if n, err := strconv.Atoi(qv.Get("page")); err == nil && n > 1 && n < 10000 {
		d.Page = n
	}
	skip := (d.Page - 1) * pageSize
	err = c.o.API.ImportInvoices(r.Context(), id, hoadon.InvoiceStatus(d.Status), func(inv hoadon.Invoice) error {
		if !d.match(inv) {
			return nil
		}
		if skip > 0 {
			skip--
			return nil
		}
		if len(d.Invoices) == pageSize {
			d.More = true
			return errEnough
		}
		d.Invoices = append(d.Invoices, inv)
		return nil
	})
	if err != nil && err != errEnough {
		c.fail(w, q, err)
		return
	}
	d.PrevQuery, d.NextQuery = pageQuery(d, d.Page-1), pageQuery(d, d.Page+1)
	c.render(w, q, http.StatusOK, "invoices", "imports", d)
}

func validStatus(s hoadon.InvoiceStatus) bool { return slices.Contains(hoadon.AllStatuses, s) }

// pageQuery is the table's query for a page: a template.URL, so the
// template keeps its = and & (a plain string in a URL's query is escaped
// as one value).
func pageQuery(d invoicesData, page int) template.URL {
	v := url.Values{}
	if d.Status != "" {
		v["status"] = []string{d.Status}
	}
	for k, x := range map[string]string{"flow": d.Flow, "sig": d.Sig, "month": d.Month, "seller": d.Seller} {
		if x != "" {
			v[k] = []string{x}
		}
	}
	v["page"] = []string{strconv.Itoa(page)}
	return template.URL(v.Encode())
}

type invoiceData struct {
	ImportID string
	Inv      hoadon.Invoice
	Doc      *einvoice.Invoice // nil when not stored
}

// invoicePage draws the stored invoice like its paper form.
func (c *Console) invoicePage(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	inv, err := c.o.API.ImportInvoice(r.Context(), id, r.PathValue("inv"))
	if err != nil {
		c.fail(w, q, err)
		return
	}
	d := invoiceData{ImportID: id, Inv: inv}
	if inv.Objects.JSON != "" {
		raw, err := c.o.API.InvoiceFile(r.Context(), inv, "json")
		if err != nil {
			c.fail(w, q, err)
			return
		}
		var doc einvoice.Invoice
		if err := json.Unmarshal(raw, &doc); err != nil {
			c.fail(w, q, hoadon.Wrap(hoadon.CodeBadData, err, "reading the stored invoice"))
			return
		}
		d.Doc = &doc
	}
	c.render(w, q, http.StatusOK, "invoice", "imports", d)
}

// invoiceFile downloads a stored file of the invoice.
func (c *Console) invoiceFile(w http.ResponseWriter, r *http.Request, q *request) {
	kind := r.PathValue("kind")
	types := map[string]string{"xml": "application/xml", "zip": "application/zip", "json": "application/json",
		"html": "text/html; charset=utf-8"}
	if types[kind] == "" {
		c.notFound(w, q)
		return
	}
	inv, err := c.o.API.ImportInvoice(r.Context(), r.PathValue("id"), r.PathValue("inv"))
	if err != nil {
		c.fail(w, q, err)
		return
	}
	data, err := c.o.API.InvoiceFile(r.Context(), inv, kind)
	if err != nil {
		c.fail(w, q, err)
		return
	}
	k := inv.Key
	name := k.NBMST + "_" + strconv.Itoa(k.KHMSHDon) + "_" + k.KHHDon + "_" + strconv.FormatInt(k.SHDon, 10) + "." + kind
	w.Header().Set("Content-Type", types[kind])
	w.Header().Set("Content-Security-Policy", "sandbox") // the portal's HTML is untrusted: never run it in our origin
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(data)
}
