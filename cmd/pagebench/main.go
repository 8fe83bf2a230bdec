// Command pagebench measures the console's pages with real volume: it
// starts the local stack and the server (cmd/internal/e2e), writes N
// companies × M monthly imports through the store's own write path (each
// import with a few invoices, one of them stored with its parsed JSON in
// GCS), signs in, and requests each page many times, reporting p50, p99 and
// max. Pages read a bounded number of documents whatever the volume: a
// query with a limit, one import and its counter shards, one invoice and
// its JSON.
//
//	go run ./cmd/pagebench -companies 100 -months 12     # make bench-pages
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

func main() {
	companies := flag.Int("companies", 100, "companies")
	months := flag.Int("months", 12, "monthly imports per company")
	perImport := flag.Int("invoices", 5, "invoices per import (one stored with its files)")
	n := flag.Int("n", 300, "requests per page")
	jsonOut := flag.String("json", "", "also write the figures here")
	flag.Parse()
	if err := run(*companies, *months, *perImport, *n, *jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, "pagebench:", err)
		os.Exit(1)
	}
}

// figure is one page's latency over n requests.
type figure struct {
	Page string  `json:"page"`
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
}

func run(companies, months, perImport, n int, jsonOut string) error {
	ctx := context.Background()
	h, err := e2e.Start(ctx, e2e.Options{Auth: true})
	if err != nil {
		return err
	}
	defer h.Close()
	t0 := time.Now()
	last, err := seed(ctx, h, companies, months, perImport)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "pagebench: %d imports, %d invoices written in %s\n", companies*months,
		companies*months*perImport, time.Since(t0).Round(time.Second))
	cl, err := signIn(h)
	if err != nil {
		return err
	}
	pages := []struct{ name, path string }{
		{"sign-in (reads nothing)", "/ui/signin"},
		{"companies (100 rows)", "/ui/companies"},
		{"company", "/ui/companies/" + last.company},
		{"imports (list of 100)", "/ui/imports"},
		{"imports of one company", "/ui/imports?company=" + last.company},
		{"import", "/ui/imports/" + last.importID},
		{"invoices of an import", "/ui/imports/" + last.importID + "/invoices"},
		{"invoice", "/ui/imports/" + last.importID + "/invoices/" + last.invoiceID},
	}
	var figs []figure
	for _, p := range pages {
		f, err := measure(cl, h.URL+p.path, n)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		f.Page = p.name
		figs = append(figs, f)
		fmt.Printf("%-26s n=%d  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms\n", f.Page, f.N, f.P50, f.P99, f.Max)
	}
	if jsonOut != "" {
		b, _ := json.MarshalIndent(map[string]any{"companies": companies, "months": months, "invoices_per_import": perImport, "pages": figs}, "", "  ")
		return os.WriteFile(jsonOut, b, 0o644)
	}
	return nil
}

type seeded struct{ company, importID, invoiceID string }

// mst makes the i-th valid tax code.
func mst(i int) string {
	for k := 0; ; k++ { // some prefixes have no check digit (-1): take the next last digit
		first9 := fmt.Sprintf("09%06d%d", i, k)
		if d := hoadon.MSTCheckDigit(first9); d >= 0 {
			return first9 + strconv.Itoa(d)
		}
	}
}

// seed writes the imports through the store, eight companies at a time.
func seed(ctx context.Context, h *e2e.Harness, companies, months, perImport int) (seeded, error) {
	fs, err := fsemu.NewClient(ctx, h.Stack.Firestore().Host(), h.Env["HOADON_PROJECT"])
	if err != nil {
		return seeded{}, err
	}
	defer fs.Close()
	gcs, err := gcp.Storage(ctx)
	if err != nil {
		return seeded{}, err
	}
	defer gcs.Close()
	st, blobs := store.New(fs), blob.New(gcs, h.Env["HOADON_BUCKET"])
	doc := []byte(`{"schema":"einvoice/v1","ttchung":{"khmshdon":1,"khhdon":"C26TAA","shdon":1,"nlap":"2026-01-05"},"nban":{"ten":"Công ty A","mst":"0100109106"},"nmua":{"ten":"Công ty B"},"dshhdvu":[{"stt":1,"thhdvu":"Gạo","sluong":2,"dgia":1500000,"thtien":3000000,"tsuat":"8%"}],"ttoan":{"tgtcthue":3000000,"tgtthue":240000,"tgtttbso":3240000},"warnings":[]}`)
	const jsonObject = "pagebench/invoice.json"
	if _, _, err := blobs.Put(ctx, jsonObject, doc, "application/json"); err != nil {
		return seeded{}, err
	}
	var (
		mu   sync.Mutex
		last seeded
		errs []error
		wg   sync.WaitGroup
		work = make(chan int)
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				s, err := seedCompany(ctx, st, mst(c), months, perImport, jsonObject)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				last = s
				mu.Unlock()
			}
		}()
	}
	for c := range companies {
		work <- c + 1
	}
	close(work)
	wg.Wait()
	if len(errs) > 0 {
		return seeded{}, errs[0]
	}
	return last, nil
}

// seedCompany writes a company's monthly imports, each completed with one
// invoice stored and the others without an original XML.
func seedCompany(ctx context.Context, st *store.Store, company string, months, perImport int, jsonObject string) (seeded, error) {
	var s seeded
	for m := range months {
		from := time.Date(2025, time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
		imp := hoadon.Import{ID: fmt.Sprintf("pb-%s-%02d", company, m+1), State: hoadon.ImportRunning, CreatedAt: time.Now().UTC(),
			Params: hoadon.ImportParams{TaskType: hoadon.TaskTypeInvoiceImport, CompanyID: company, Username: company,
				From: from.Format(time.DateOnly), To: from.AddDate(0, 1, -1).Format(time.DateOnly), Flows: []hoadon.Flow{hoadon.FlowPurchaseEInvoice}}}
		if _, _, err := st.CreateImport(ctx, store.CreateRequest{Import: imp, Login: store.Login{Username: company, SealedPassword: "x"}}); err != nil {
			return s, err
		}
		invs := make([]hoadon.Invoice, perImport)
		for i := range invs {
			key := hoadon.InvoiceKey{NBMST: "0100109106", KHMSHDon: 1, KHHDon: "C25TAA", SHDon: int64(m*1000 + i + 1)}
			invs[i] = hoadon.Invoice{ID: key.ID(company, hoadon.Purchase), Key: key, Flow: hoadon.FlowPurchaseEInvoice,
				Date: from.AddDate(0, 0, i).Format(time.DateOnly)}
		}
		imp.Params.Force = true
		added, err := st.AddDiscovered(ctx, imp, invs, nil)
		if err != nil {
			return s, err
		}
		for i, inv := range added {
			out := store.Outcome{Status: hoadon.StatusUnavailable}
			if i == 0 {
				out = store.Outcome{Status: hoadon.StatusStored, Objects: hoadon.Objects{JSON: jsonObject}, SHA256: "0"}
			}
			if _, _, err := st.BeginDownload(ctx, imp.ID, inv.ID); err != nil {
				return s, err
			}
			if _, _, err := st.CompleteDownload(ctx, imp.ID, inv.ID, out, nil); err != nil {
				return s, err
			}
		}
		if _, _, err := st.Finish(ctx, imp.ID, hoadon.ImportCompleted, "", nil); err != nil {
			return s, err
		}
		s = seeded{company: company, importID: imp.ID, invoiceID: added[0].ID}
	}
	return s, seedSummary(ctx, st, company, s.importID)
}

// seedSummary writes the company's summary directly, as the importer keeps
// it at write time: its last import and twelve months of completeness.
func seedSummary(ctx context.Context, st *store.Store, company, lastImport string) error {
	now := time.Now().UTC()
	sum := store.CompanySummary{MST: company, Name: "Công ty " + company, Login: store.LoginOK, LoginAt: now,
		LastImportID: lastImport, LastImportState: hoadon.ImportCompleted, LastImportAt: now,
		Months: map[string]store.MonthSummary{}, UpdatedAt: now}
	for m := range 12 {
		sum.Months[now.AddDate(0, -m, 0).Format("2006-01")] = store.MonthSummary{Listed: 10, Stored: 1, Unavailable: 9 - m%2, Verified: true}
	}
	return st.PutCompanySummary(ctx, hoadon.DefaultTenant, sum)
}

// signIn returns a client holding a console session of the harness's key.
func signIn(h *e2e.Harness) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	resp, err := cl.Get(h.URL + "/ui/signin")
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("no sign-in form")
	}
	resp, err = cl.PostForm(h.URL+"/ui/signin", url.Values{"csrf": {string(m[1])}, "key": {h.Env["HOADON_API_KEY"]}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/ui/companies" {
		return nil, fmt.Errorf("sign-in ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
	return cl, nil
}

// measure requests url n times after a warm-up and returns the latencies.
func measure(cl *http.Client, u string, n int) (figure, error) {
	ms := make([]float64, 0, n)
	for i := range n + 5 {
		t0 := time.Now()
		resp, err := cl.Get(u)
		if err != nil {
			return figure{}, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return figure{}, fmt.Errorf("GET %s = %d", u, resp.StatusCode)
		}
		if i >= 5 {
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	slices.Sort(ms)
	q := func(p float64) float64 { return ms[min(len(ms)-1, int(p*float64(len(ms))))] }
	return figure{N: n, P50: q(0.5), P99: q(0.99), Max: ms[len(ms)-1]}, nil
}
