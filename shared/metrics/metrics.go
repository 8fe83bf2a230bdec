// Package metrics is hoadon's operational metrics for the people on call, as OpenTelemetry
// instruments, and where they go: Cloud Monitoring in the cloud (metric types
// workload.googleapis.com/hoadon.*), Prometheus text on a local server's GET /metrics.
//
// The instruments are defined here once; the places that know an outcome record it with one
// call: the importer's committed events (imports by state, invoices by outcome), the portal
// client's classification of every answer (by class) and of every login, the workflow's status
// poll (a company's download backlog), and the event delivery. Billable Google operations are
// counted by shared/opcount, not here.
//
// Labels never carry a secret, a password, an invoice or free text: only fixed vocabularies
// and a company's tax code (MST), validated and bounded to maxCompanies per process.
package metrics

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// scope names the instrumentation scope of every instrument.
const scope = "github.com/hoadon/hoadon"

// The instruments' names (OpenTelemetry; Prometheus shows them with _ for . and a _total
// suffix on counters, Cloud Monitoring as workload.googleapis.com/NAME).
const (
	ImportsName    = "hoadon.imports"
	InvoicesName   = "hoadon.invoices"
	PortalName     = "hoadon.portal.responses"
	LoginsName     = "hoadon.portal.logins"
	BacklogName    = "hoadon.queue.backlog"
	DeliveriesName = "hoadon.event.deliveries"
)

type instruments struct {
	imports, invoices, portal, logins, deliveries metric.Int64Counter
	backlog                                       metric.Int64Gauge
}

// inst records through the global meter provider: a no-op until Setup installs one.
var inst = newInstruments(otel.Meter(scope))

func newInstruments(m metric.Meter) *instruments {
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	i := &instruments{
		imports:  counter(ImportsName, "{import}", "Imports that reached a state (started, completed, failed, cancelled)."),
		invoices: counter(InvoicesName, "{invoice}", "Invoices an import finished with an outcome (stored, unavailable, failed)."),
		portal: counter(PortalName, "{response}",
			"Answers of the GDT portal by class (2xx, 3xx, 401, 403, 429, 4xx, 5xx; unreachable: none) and call."),
		logins: counter(LoginsName, "{login}",
			"Portal logins by company and result (ok, invalid_credentials, locked, captcha, portal_error)."),
		deliveries: counter(DeliveriesName, "{delivery}", "Event deliveries to subscribers by result (delivered, failed)."),
	}
	var err error
	i.backlog, err = m.Int64Gauge(BacklogName, metric.WithUnit("{download}"),
		metric.WithDescription("Downloads waiting in a company's queue, as last seen by the import's status poll."))
	if err := errors.Join(append(errs, err)...); err != nil {
		panic("metrics: " + err.Error()) // the definitions above are constant: a programming error
	}
	return i
}

// Event counts a committed event of the catalogue: import events by state, invoice events
// by outcome. Other events (discovery, status changes) are not counted.
func Event(ctx context.Context, t events.Type) {
	switch t {
	case events.ImportStartedType:
		inst.imports.Add(ctx, 1, metric.WithAttributes(attribute.String("state", "started")))
	case events.ImportCompletedType:
		inst.imports.Add(ctx, 1, metric.WithAttributes(attribute.String("state", string(hoadon.ImportCompleted))))
	case events.ImportFailedType:
		inst.imports.Add(ctx, 1, metric.WithAttributes(attribute.String("state", string(hoadon.ImportFailed))))
	case events.ImportCancelledType:
		inst.imports.Add(ctx, 1, metric.WithAttributes(attribute.String("state", string(hoadon.ImportCancelled))))
	case events.InvoiceStoredType:
		inst.invoices.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", string(hoadon.StatusStored))))
	case events.InvoiceUnavailableType:
		inst.invoices.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", string(hoadon.StatusUnavailable))))
	case events.InvoiceFailedType:
		inst.invoices.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", string(hoadon.StatusFailed))))
	}
}

// Portal calls, for PortalResponse.
const (
	CallCaptcha = "captcha"
	CallLogin   = "login"
	CallData    = "data"
	CallExport  = "export"
)

// PortalResponse counts one answer of the portal to a call; status 0 is no answer (the
// portal unreachable or too slow).
func PortalResponse(ctx context.Context, call string, status int) {
	inst.portal.Add(ctx, 1, metric.WithAttributes(attribute.String("class", StatusClass(status)), attribute.String("call", call)))
}

// StatusClass is an HTTP status's class as the on-call reads it: the statuses the portal
// gives a meaning (401 session over, 403 firewall, 429 rate limit) on their own, the others
// by hundred; 0 (no answer) is "unreachable".
func StatusClass(status int) string {
	switch {
	case status == 401 || status == 403 || status == 429:
		return strconv.Itoa(status)
	case status >= 200 && status < 600:
		return strconv.Itoa(status/100) + "xx"
	}
	return "unreachable"
}

// Login counts the end of one portal login for a company (its user name, the MST): ok, or
// why it failed. A login the caller cancelled is not counted.
func Login(ctx context.Context, company string, err error) {
	if hoadon.ErrorCode(err) == hoadon.CodeCancelled {
		return
	}
	result := "ok"
	switch hoadon.ErrorCode(err) {
	case "":
	case hoadon.CodeBadCredentials:
		result = "invalid_credentials"
	case hoadon.CodeLocked:
		result = "locked"
	case hoadon.CodeWrongCaptcha:
		result = "captcha"
	default:
		result = "portal_error"
	}
	inst.logins.Add(ctx, 1, metric.WithAttributes(attribute.String("company", companyLabel(company)), attribute.String("result", result)))
}

// Delivery counts one attempt to deliver an event to a subscriber.
func Delivery(ctx context.Context, err error) {
	result := "delivered"
	if err != nil {
		result = "failed"
	}
	inst.deliveries.Add(ctx, 1, metric.WithAttributes(attribute.String("result", result)))
}

// Backlog records the downloads a company's queue still holds for its import.
func Backlog(ctx context.Context, company string, pending int) {
	inst.backlog.Record(ctx, int64(max(pending, 0)), metric.WithAttributes(attribute.String("company", companyLabel(company))))
}

// maxCompanies bounds the company label's values per process: past it, further companies
// share the value "other" (a deployment serving more companies raises it deliberately).
const maxCompanies = 1000

var companies = struct {
	sync.Mutex
	seen map[string]bool
}{seen: map[string]bool{}}

// companyLabel is a valid tax code as it is, "other" past maxCompanies distinct ones,
// "invalid" for anything else (a label never carries unvalidated text).
func companyLabel(mst string) string {
	if hoadon.ValidateMST(mst) != nil {
		return "invalid"
	}
	companies.Lock()
	defer companies.Unlock()
	if companies.seen[mst] {
		return mst
	}
	if len(companies.seen) >= maxCompanies {
		return "other"
	}
	companies.seen[mst] = true
	return mst
}
