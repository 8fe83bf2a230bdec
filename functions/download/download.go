// Package download is the download function, called by the company's Cloud
// Tasks queue once per invoice: export-xml, files to the bucket, the invoice
// stored with its event. Any non-2xx answer makes Cloud Tasks retry, so
// permanent outcomes are recorded and answered 200.
package download

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/hoadon/hoadon/shared/app"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/importer"
	"github.com/hoadon/hoadon/shared/logx"
	"github.com/hoadon/hoadon/shared/web"
)

// Name is the function's entry point and path.
const Name = "download"

// Handler serves the function.
var Handler = app.Handler(func(a *app.App) http.Handler {
	maxAttempts := a.Service.Queues.Config().MaxAttempts
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Method != http.MethodPost {
			web.MethodNotAllowed(w, r, http.MethodPost)
			return
		}
		var req importer.DownloadRequest
		if err := web.DecodeJSON(r, &req); err != nil {
			web.WriteError(ctx, w, a.Log, err) // 400: Cloud Tasks retries it, but it can never succeed
			return
		}
		if err := errors.Join(hoadon.ValidateID("import_id", req.ImportID), hoadon.ValidateID("invoice_id", req.InvoiceID)); err != nil {
			web.WriteError(ctx, w, a.Log, err)
			return
		}
		retries, _ := strconv.Atoi(r.Header.Get("X-CloudTasks-TaskRetryCount"))
		req.LastAttempt = maxAttempts > 0 && retries+1 >= maxAttempts
		ctx = logx.With(ctx, "import", req.ImportID, "invoice_id", req.InvoiceID, "task_retry", retries)
		if err := a.Service.Download(ctx, req); err != nil {
			web.WriteError(ctx, w, a.Log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
})

func init() { functions.HTTP(Name, Handler.ServeHTTP) }
