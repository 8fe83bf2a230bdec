package importer

import (
	"strings"
	"time"
	"unicode"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// TaskTypes is the registry of task types the API accepts, each with the
// workflow that runs it: a new type is a workflow YAML plus its functions
// and one line here.
var TaskTypes = map[string]string{
	hoadon.TaskTypeInvoiceImport: "invoice_import",
}

// MaxRangeMonths bounds one import: longer ranges are several imports (and
// several days of portal allowance).
const MaxRangeMonths = 12

// Validate checks and normalises the parameters of an import request: known
// task type, valid tax code (with check digit), dates as YYYY-MM-DD in order,
// not in the future and at most MaxRangeMonths long, known flows. Empty dates
// mean yesterday in Vietnam, as in the origin system. Every problem is a
// CodeInvalid error that names the field.
func Validate(p *hoadon.ImportParams, password string, now time.Time) error {
	if _, ok := TaskTypes[p.TaskType]; !ok {
		return hoadon.Errorf(hoadon.CodeInvalid, "task_type %q is not supported (supported: %s)", p.TaskType, taskTypeNames())
	}
	if err := hoadon.ValidateMST(p.CompanyID); err != nil {
		return hoadon.Errorf(hoadon.CodeInvalid, "task_params.company_id: %s", hoadon.ErrorMessage(err))
	}
	if err := validateText("task_params.company_name", p.CompanyName, 256, false); err != nil {
		return err
	}
	if p.Username == "" {
		p.Username = p.CompanyID
	}
	if err := validateText("task_params.credentials.username", p.Username, 64, true); err != nil {
		return err
	}
	if password == "" {
		return hoadon.Errorf(hoadon.CodeInvalid, "task_params.credentials.password is required")
	}
	if err := validateText("task_params.credentials.password", password, 128, false); err != nil {
		return err
	}
	if err := validateRange(p, now); err != nil {
		return err
	}
	flows, err := hoadon.ParseFlows(flowStrings(p.Flows))
	if err != nil {
		return hoadon.Errorf(hoadon.CodeInvalid, "task_params.flows: %s", hoadon.ErrorMessage(err))
	}
	p.Flows = flows
	return nil
}

func validateRange(p *hoadon.ImportParams, now time.Time) error {
	today := hoadon.DateOf(now)
	if p.From == "" && p.To == "" {
		y := today.AddDays(-1).String()
		p.From, p.To = y, y
	}
	from, err := hoadon.ParseDate(p.From)
	if err != nil {
		return hoadon.Errorf(hoadon.CodeInvalid, "task_params.date_range_start: %s", hoadon.ErrorMessage(err))
	}
	to, err := hoadon.ParseDate(p.To)
	if err != nil {
		return hoadon.Errorf(hoadon.CodeInvalid, "task_params.date_range_end: %s", hoadon.ErrorMessage(err))
	}
	switch {
	case to.Before(from.Time):
		return hoadon.Errorf(hoadon.CodeInvalid, "task_params.date_range_end %s is before date_range_start %s", p.To, p.From)
	case to.After(today.Time):
		return hoadon.Errorf(hoadon.CodeInvalid, "task_params.date_range_end %s is in the future (today in Vietnam is %s)", p.To, today)
	case !to.Before(from.AddDate(0, MaxRangeMonths, 0)):
		return hoadon.Errorf(hoadon.CodeInvalid, "the date range %s..%s is longer than %d months; split it", p.From, p.To, MaxRangeMonths)
	case from.Year() < 2019:
		return hoadon.Errorf(hoadon.CodeInvalid, "task_params.date_range_start %s predates e-invoices on the portal", p.From)
	}
	return nil
}

func validateText(field, s string, maxLen int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return hoadon.Errorf(hoadon.CodeInvalid, "%s is required", field)
	}
	if len(s) > maxLen {
		return hoadon.Errorf(hoadon.CodeInvalid, "%s is longer than %d bytes", field, maxLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return hoadon.Errorf(hoadon.CodeInvalid, "%s contains a control or invalid character", field)
		}
	}
	return nil
}

func flowStrings(fs []hoadon.Flow) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

func taskTypeNames() string {
	var names []string
	for n := range TaskTypes {
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}
