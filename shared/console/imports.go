package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/wire"
)

// listLimit is how many imports the list shows.
const listLimit = 100

type importsData struct {
	Tasks   []wire.TaskSummary
	Company string
	Form    startForm
	Error   string
}

// startForm is the import form as typed (never the password).
type startForm struct {
	CompanyID, CompanyName, Username, From, To string
	Flows                                      []hoadon.Flow
	Force                                      bool
}

func (c *Console) defaultForm() startForm {
	first := time.Date(c.o.Now().In(vietnam).Year(), c.o.Now().In(vietnam).Month(), 1, 0, 0, 0, 0, vietnam)
	return startForm{From: first.AddDate(0, -1, 0).Format(time.DateOnly), To: first.AddDate(0, 0, -1).Format(time.DateOnly),
		Flows: hoadon.AllFlows}
}

func (c *Console) imports(w http.ResponseWriter, r *http.Request, q *request) {
	company := r.URL.Query().Get("company")
	c.importsPage(w, r, q, http.StatusOK, importsData{Company: company, Form: c.defaultForm()})
}

func (c *Console) importsPage(w http.ResponseWriter, r *http.Request, q *request, status int, d importsData) {
	tasks, err := c.o.API.Imports(r.Context(), d.Company, listLimit)
	if err != nil && d.Company != "" && hoadon.ErrorCode(err) == hoadon.CodeInvalid {
		d.Error, d.Company = hoadon.ErrorMessage(err), ""
		tasks, err = c.o.API.Imports(r.Context(), "", listLimit)
	}
	if err != nil {
		c.fail(w, q, err)
		return
	}
	d.Tasks = tasks
	c.render(w, q, status, "imports", "imports", d)
}

// startImport starts an import from the form through the API's operation.
func (c *Console) startImport(w http.ResponseWriter, r *http.Request, q *request) {
	f := startForm{CompanyID: r.PostFormValue("company_id"), CompanyName: r.PostFormValue("company_name"),
		Username: r.PostFormValue("username"), From: r.PostFormValue("from"), To: r.PostFormValue("to"),
		Force: r.PostFormValue("force") != ""}
	for _, v := range r.PostForm["flow"] {
		f.Flows = append(f.Flows, hoadon.Flow(v))
	}
	user := f.Username
	if user == "" {
		user = f.CompanyID
	}
	body := wire.StartBody{TaskType: hoadon.TaskTypeInvoiceImport, TaskParams: wire.TaskParams{CompanyID: f.CompanyID,
		CompanyName: f.CompanyName, Credentials: &wire.Credentials{Username: user, Password: r.PostFormValue("password")},
		DateRangeStart: f.From, DateRangeEnd: f.To, Flows: f.Flows, Force: f.Force}}
	resp, err := c.o.API.StartImport(r.Context(), body, "")
	if err != nil {
		if hoadon.HTTPStatus(hoadon.ErrorCode(err)) >= 500 {
			c.fail(w, q, err)
			return
		}
		c.importsPage(w, r, q, hoadon.HTTPStatus(hoadon.ErrorCode(err)), importsData{Form: f, Error: hoadon.ErrorMessage(err)})
		return
	}
	http.Redirect(w, r, "/ui/imports/"+url.PathEscape(resp.TaskID), http.StatusSeeOther)
}

// importData is the import page: the API's status and what the page
// derives from it.
type importData struct {
	S        wire.Status
	Rate     string // invoices per minute, "" before downloads start
	ETA      string
	Failures []hoadon.Invoice
	Events   []wire.Event
	Statuses []hoadon.InvoiceStatus // the columns of the per-flow table
}

// maxFailures bounds the failures listed on the import page.
const maxFailures = 20

func (c *Console) importData(r *http.Request) (importData, error) {
	id := r.PathValue("id")
	st, err := c.o.API.ImportStatus(r.Context(), id)
	if err != nil {
		return importData{}, err
	}
	d := importData{S: st, Statuses: hoadon.AllStatuses}
	d.Rate, d.ETA = rateETA(st, c.o.Now())
	if st.Counts[hoadon.StatusFailed] > 0 {
		err = c.o.API.ImportInvoices(r.Context(), id, hoadon.StatusFailed, func(inv hoadon.Invoice) error {
			d.Failures = append(d.Failures, inv)
			if len(d.Failures) >= maxFailures {
				return errEnough
			}
			return nil
		})
		if err != nil && err != errEnough {
			return importData{}, err
		}
	}
	raws, err := c.o.API.ImportEvents(r.Context(), id)
	if err != nil {
		return importData{}, err
	}
	for _, raw := range raws {
		var e wire.Event
		if json.Unmarshal(raw, &e) == nil {
			d.Events = append(d.Events, e)
		}
	}
	return d, nil
}

// errEnough stops a listing early.
var errEnough = fmt.Errorf("enough")

// rateETA is the download rate since downloads began and the time the
// waiting invoices will take at that rate.
func rateETA(st wire.Status, now time.Time) (string, string) {
	since := st.Discovered
	if since.IsZero() {
		since = st.StartedAt
	}
	end := now
	if !st.FinishedAt.IsZero() {
		end = st.FinishedAt
	}
	done := st.Done() - st.Counts[hoadon.StatusSkipped]
	secs := end.Sub(since).Seconds()
	if since.IsZero() || secs <= 0 || done <= 0 {
		return "", ""
	}
	perSec := float64(done) / secs
	rate := fmt.Sprintf("%.1f", perSec*60)
	if st.Final() || st.Pending == 0 {
		return rate, ""
	}
	return rate, (time.Duration(float64(st.Pending)/perSec) * time.Second).Round(time.Second).String()
}

func (c *Console) importPage(w http.ResponseWriter, r *http.Request, q *request) {
	d, err := c.importData(r)
	if err != nil {
		c.fail(w, q, err)
		return
	}
	c.render(w, q, http.StatusOK, "import", "imports", d)
}

// progressFragment is the part of the import page htmx polls.
func (c *Console) progressFragment(w http.ResponseWriter, r *http.Request, q *request) {
	d, err := c.importData(r)
	if err != nil {
		c.fail(w, q, err)
		return
	}
	c.renderTemplate(w, q, http.StatusOK, "import", "live", "imports", d)
}

func (c *Console) cancelImport(w http.ResponseWriter, r *http.Request, q *request) {
	id := r.PathValue("id")
	if _, err := c.o.API.CancelImport(r.Context(), id); err != nil && hoadon.ErrorCode(err) != hoadon.CodeConflict {
		c.fail(w, q, err)
		return
	}
	http.Redirect(w, r, "/ui/imports/"+url.PathEscape(id), http.StatusSeeOther)
}
