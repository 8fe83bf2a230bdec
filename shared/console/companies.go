package console

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/wire"
)

type companiesData struct {
	Companies    []wire.Company
	Q, Login     string // the filters as typed
	Sort         string
	Form         startForm // the import form under each row
	Months       []string
	Now          time.Time
	LoginHealths []string
}

// companies is the console's home: one row per company from the
// summaries kept at write time, filtered and sorted on the server.
func (c *Console) companies(w http.ResponseWriter, r *http.Request, q *request) {
	all, err := c.o.API.Companies(r.Context())
	if err != nil {
		c.fail(w, q, err)
		return
	}
	v := r.URL.Query()
	d := companiesData{Q: strings.TrimSpace(v.Get("q")), Login: v.Get("login"), Sort: v.Get("sort"), Form: c.defaultForm(),
		Now: c.o.Now(), LoginHealths: []string{"ok", "wrong_password", "locked", "portal_down"}}
	d.Companies = filterCompanies(all, d.Q, d.Login)
	sortCompanies(d.Companies, d.Sort)
	if len(all) > 0 {
		for _, m := range all[0].Months {
			d.Months = append(d.Months, m.Month)
		}
	}
	c.render(w, q, http.StatusOK, "companies", "companies", d)
}

func filterCompanies(all []wire.Company, q, login string) []wire.Company {
	q = strings.ToLower(q)
	out := all[:0:0]
	for _, co := range all {
		if q != "" && !strings.Contains(co.MST, q) && !strings.Contains(strings.ToLower(co.Name), q) {
			continue
		}
		if login != "" && co.Login != login {
			continue
		}
		out = append(out, co)
	}
	return out
}

// sortCompanies sorts by tax code (default), name, login health or the
// last import (newest first).
func sortCompanies(cs []wire.Company, by string) {
	slices.SortStableFunc(cs, func(a, b wire.Company) int {
		switch by {
		case "name":
			return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		case "login":
			return cmp.Compare(a.Login, b.Login)
		case "last":
			return b.LastImportAt.Compare(a.LastImportAt)
		}
		return cmp.Compare(a.MST, b.MST)
	})
}

type companyData struct {
	C        wire.Company
	Matrix   wire.Completeness
	Imports  []wire.RecentTask
	Changes  []wire.MonthCell // the cells with status changes
	Form     startForm
	Exports  []string // purchase, sold
	From, To string   // the export period (YYYY-MM-DD)
	Error    string
}

func (c *Console) company(w http.ResponseWriter, r *http.Request, q *request) {
	c.companyPage(w, r, q, http.StatusOK, "")
}

func (c *Console) companyPage(w http.ResponseWriter, r *http.Request, q *request, status int, msg string) {
	ctx, mst := r.Context(), r.PathValue("mst")
	co, err := c.o.API.Company(ctx, mst)
	if err == nil || hoadon.ErrorCode(err) == hoadon.CodeNotFound && hoadon.ValidateMST(mst) == nil {
		co.MST = mst // a company the tenant reached without a summary yet still has its matrix
		err = nil
	}
	d := companyData{C: co, Form: c.defaultForm(), Exports: []string{"purchase", "sold"}, Error: msg}
	d.Form.CompanyID, d.Form.CompanyName = mst, co.Name
	d.From, d.To = d.Form.From, d.Form.To
	if err == nil { // the summary's recent imports and the cells by key: no query
		d.Imports = co.Recent
		d.Matrix, err = c.o.API.Matrix(ctx, mst, "", "")
	}
	if err != nil {
		c.fail(w, q, err)
		return
	}
	for _, cell := range d.Matrix.Cells {
		if cell.StatusChanges > 0 {
			d.Changes = append(d.Changes, cell)
		}
	}
	c.render(w, q, status, "company", "companies", d)
}

// updateCredentials starts an import of yesterday with the new password,
// which proves it at the portal's login and stores it sealed (the start
// path's own handling); the password goes nowhere else.
func (c *Console) updateCredentials(w http.ResponseWriter, r *http.Request, q *request) {
	mst := r.PathValue("mst")
	y := hoadon.DateOf(c.o.Now()).AddDate(0, 0, -1).Format(time.DateOnly)
	user := r.PostFormValue("username")
	if user == "" {
		user = mst
	}
	body := wire.StartBody{TaskType: hoadon.TaskTypeInvoiceImport, TaskParams: wire.TaskParams{CompanyID: mst,
		CompanyName: r.PostFormValue("company_name"), Credentials: &wire.Credentials{Username: user, Password: r.PostFormValue("password")},
		DateRangeStart: y, DateRangeEnd: y}}
	resp, err := c.o.API.StartImport(r.Context(), body, "")
	if err != nil {
		if hoadon.HTTPStatus(hoadon.ErrorCode(err)) >= 500 || hoadon.ErrorCode(err) == hoadon.CodeForbidden {
			c.fail(w, q, err)
			return
		}
		c.companyPage(w, r, q, hoadon.HTTPStatus(hoadon.ErrorCode(err)), hoadon.ErrorMessage(err))
		return
	}
	http.Redirect(w, r, "/ui/imports/"+url.PathEscape(resp.TaskID), http.StatusSeeOther)
}
