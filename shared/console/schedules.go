package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/schedule"
)

type schedulesData struct {
	Schedules []schedule.View
	Form      scheduleForm
	Error     string
	Started   string // the import a trigger started
}

// scheduleForm is the create form as typed (never the password).
type scheduleForm struct {
	ID, CompanyID, CompanyName, Username, Note string
	Hour, Minute                               int
}

func (c *Console) schedules(w http.ResponseWriter, r *http.Request, q *request) {
	c.schedulesPage(w, r, q, http.StatusOK, schedulesData{Form: scheduleForm{Hour: 6}, Started: r.URL.Query().Get("started")})
}

func (c *Console) schedulesPage(w http.ResponseWriter, r *http.Request, q *request, status int, d schedulesData) {
	list, err := c.o.API.Schedules(r.Context())
	if err != nil {
		c.fail(w, q, err)
		return
	}
	d.Schedules = list
	c.render(w, q, status, "schedules", "schedules", d)
}

func (c *Console) createSchedule(w http.ResponseWriter, r *http.Request, q *request) {
	f := scheduleForm{ID: r.PostFormValue("schedule_id"), CompanyID: r.PostFormValue("company_id"),
		CompanyName: r.PostFormValue("company_name"), Username: r.PostFormValue("username"), Note: r.PostFormValue("note")}
	f.Hour, _ = strconv.Atoi(r.PostFormValue("hour"))
	f.Minute, _ = strconv.Atoi(r.PostFormValue("minute"))
	user := f.Username
	if user == "" {
		user = f.CompanyID
	}
	req := schedule.CreateRequest{ScheduleID: f.ID, TaskType: hoadon.TaskTypeInvoiceImport, Hour: &f.Hour, Minute: &f.Minute, Note: f.Note}
	req.TaskParams.CompanyID, req.TaskParams.CompanyName = f.CompanyID, f.CompanyName
	req.TaskParams.Credentials = &schedule.Credentials{Username: user, Password: r.PostFormValue("password")}
	if _, err := c.o.API.CreateSchedule(r.Context(), req); err != nil {
		if hoadon.HTTPStatus(hoadon.ErrorCode(err)) >= 500 {
			c.fail(w, q, err)
			return
		}
		c.schedulesPage(w, r, q, hoadon.HTTPStatus(hoadon.ErrorCode(err)), schedulesData{Form: f, Error: hoadon.ErrorMessage(err)})
		return
	}
	http.Redirect(w, r, "/ui/schedules", http.StatusSeeOther)
}

func (c *Console) scheduleAction(w http.ResponseWriter, r *http.Request, q *request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	var err error
	next := "/ui/schedules"
	switch action {
	case "pause", "unpause":
		_, err = c.o.API.PauseSchedule(r.Context(), id, action == "pause", r.PostFormValue("note"))
	case "trigger":
		resp, terr := c.o.API.TriggerSchedule(r.Context(), id)
		err = terr
		next = "/ui/imports/" + url.PathEscape(resp.TaskID)
	default:
		c.notFound(w, q)
		return
	}
	if err != nil {
		if hoadon.HTTPStatus(hoadon.ErrorCode(err)) >= 500 || hoadon.ErrorCode(err) == hoadon.CodeNotFound {
			c.fail(w, q, err)
			return
		}
		c.schedulesPage(w, r, q, hoadon.HTTPStatus(hoadon.ErrorCode(err)), schedulesData{Form: scheduleForm{Hour: 6}, Error: hoadon.ErrorMessage(err)})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
