package schedule_test

import (
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/schedule"
)

func TestValidate(t *testing.T) {
	now := vn("2026-11-26 10:00")
	ok := body("ok")
	ok.TaskParams.LookbackDays = intp(31)
	sc, pw, err := ok.Validate(now)
	if err != nil || pw != "pw-1" || sc.LookbackDays != 31 || sc.Params.From != "" || len(sc.Params.Flows) != 4 || !sc.ActiveSince.Equal(now) {
		t.Fatalf("valid body: %+v %q %v", sc, pw, err)
	}
	cases := []struct {
		name string
		edit func(*schedule.CreateRequest)
		want string
	}{
		{"no id", func(r *schedule.CreateRequest) { r.ScheduleID = "" }, "schedule_id is required"},
		{"path id", func(r *schedule.CreateRequest) { r.ScheduleID = "a/b" }, "may hold only"},
		{"reserved id", func(r *schedule.CreateRequest) { r.ScheduleID = "create" }, "reserved"},
		{"long id", func(r *schedule.CreateRequest) { r.ScheduleID = strings.Repeat("x", 65) }, "longer than 64"},
		{"no task type", func(r *schedule.CreateRequest) { r.TaskType = "" }, "task_type is required"},
		{"bad task type", func(r *schedule.CreateRequest) { r.TaskType = "x" }, "not supported"},
		{"no hour", func(r *schedule.CreateRequest) { r.Hour = nil }, "hour is required"},
		{"hour 24", func(r *schedule.CreateRequest) { r.Hour = intp(24) }, "hour must be 0..23"},
		{"minute 60", func(r *schedule.CreateRequest) { r.Minute = intp(60) }, "minute must be 0..59"},
		{"lookback 32", func(r *schedule.CreateRequest) { r.LookbackDays = intp(32) }, "lookback_days must be 0..31"},
		{"lookback -1", func(r *schedule.CreateRequest) { r.TaskParams.LookbackDays = intp(-1) }, "lookback_days must be 0..31"},
		{"lookback twice", func(r *schedule.CreateRequest) { r.LookbackDays, r.TaskParams.LookbackDays = intp(1), intp(2) }, "given twice"},
		{"dates", func(r *schedule.CreateRequest) { r.TaskParams.DateRangeStart = "2026-11-01" }, "each run imports yesterday"},
		{"no company", func(r *schedule.CreateRequest) { r.TaskParams.CompanyID = "" }, "company_id is required"},
		{"bad mst", func(r *schedule.CreateRequest) { r.TaskParams.CompanyID = "0100109107" }, "company_id"},
		{"no credentials", func(r *schedule.CreateRequest) { r.TaskParams.Credentials = nil }, "credentials"},
		{"no password", func(r *schedule.CreateRequest) { r.TaskParams.Credentials = &schedule.Credentials{Username: mst} }, "password is required"},
		{"bad flow", func(r *schedule.CreateRequest) { r.TaskParams.Flows = []hoadon.Flow{"x"} }, "flows"},
		{"note control", func(r *schedule.CreateRequest) { r.Note = "a\x00b" }, "note contains"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := body("ok")
			c.edit(&r)
			_, _, err := r.Validate(now)
			if hoadon.ErrorCode(err) != hoadon.CodeInvalid || !strings.Contains(hoadon.ErrorMessage(err), c.want) {
				t.Fatalf("err = %v, want invalid mentioning %q", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "pw-1") {
				t.Fatalf("error reveals the password: %v", err)
			}
		})
	}
}
