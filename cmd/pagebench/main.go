// Command pagebench measures the console's pages with real volume: it
// starts the local stack and the server (cmd/internal/e2e), writes N
// companies × M monthly imports through the store's own write path (each
// import with a few invoices, one of them stored with its parsed JSON in
// GCS, its month listed whole, and the company's summary kept as the
// importer keeps it), signs in, and requests each page many times,
// reporting p50, p99, max and the Firestore documents and GCS objects one
// request reads (shared/opcount; these do not depend on the machine's
// load). Pages read a bounded number of documents whatever the volume: by
// key (a summary, its month cells, an import and its counter shards, an
// invoice), or a query with a limit.
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
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/shared/blob"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/opcount"
	"github.com/hoadon/hoadon/shared/store"
)

func main() {
	companies := flag.Int("companies", 100, "companies")
	months := flag.Int("months", 12, "monthly imports per company")
	perImport := flag.Int("invoices", 5, "invoices per import (one stored with its files)")
	n := flag.Int("n", 300, "requests per page")
	jsonOut := flag.String("json", "", "also write the figures here")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the requests (server and client, one process) here")
	flag.Parse()
	if err := run(*companies, *months, *perImport, *n, *jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, "pagebench:", err)
		os.Exit(1)
	}
}

// cpuProfile is -cpuprofile: where the profile of the measured requests goes.
var cpuProfile string

// figure is one page's latency over n requests.
type figure struct {
	Page string  `json:"page"`
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
	// Reads are the Firestore documents one request reads (opcount: a
	// query that returns none counts one), GCS the object reads: what the
	// page costs, whatever the machine's load.
	Reads float64 `json:"firestore_reads"`
	GCS   float64 `json:"gcs_reads"`
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
		{fmt.Sprintf("companies (%d rows)", companies), "/ui/companies"},
		{"company", "/ui/companies/" + last.company},
		{"imports (list of 100)", "/ui/imports"},
		{"imports of one company", "/ui/imports?company=" + last.company},
		{"import", "/ui/imports/" + last.importID},
		{"invoices of an import", "/ui/imports/" + last.importID + "/invoices"},
		{"invoice", "/ui/imports/" + last.importID + "/invoices/" + last.invoiceID},
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var figs []figure
	fmt.Printf("%d companies × %d monthly imports, %d requests per page after 5 warm-ups\n", companies, months, n)
	fmt.Printf("%-26s %8s %8s %8s %8s %5s\n", "page", "p50 ms", "p99 ms", "max ms", "reads", "gcs")
	for _, p := range pages {
		f, err := measure(cl, h.URL+p.path, n)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		f.Page = p.name
		figs = append(figs, f)
		fmt.Printf("%-26s %8.1f %8.1f %8.1f %8.1f %5.1f\n", f.Page, f.P50, f.P99, f.Max, f.Reads, f.GCS)
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
				s, err := seedCompany(ctx, st, blobs, mst(c), months, perImport, doc)
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

// seedCompany writes a company's monthly imports up to this month, each
// completed with one invoice stored and the others without an original
// XML, each month listed whole, and the company's summary as the importer
// keeps it (NoteImport, NoteMonths, NoteLogin).
func seedCompany(ctx context.Context, st *store.Store, blobs *blob.Store, company string, months, perImport int, doc []byte) (seeded, error) {
	var s seeded
	prefix, err := blob.CompanyPrefix(hoadon.DefaultTenant, company)
	if err != nil {
		return s, err
	}
	jsonObject := prefix + "purchase/pagebench.json"
	if _, _, err := blobs.Put(ctx, jsonObject, doc, "application/json"); err != nil {
		return s, err
	}
	now := time.Now().UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1-months, 0)
	for m := range months {
		from := first.AddDate(0, m, 0)
		imp := hoadon.Import{ID: fmt.Sprintf("pb-%s-%02d", company, m+1), State: hoadon.ImportRunning, CreatedAt: now.Add(time.Duration(m-months) * time.Hour),
			Params: hoadon.ImportParams{TaskType: hoadon.TaskTypeInvoiceImport, CompanyID: company, CompanyName: "Công ty " + company, Username: company,
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
			if _, _, err := st.CompleteDownload(ctx, hoadon.Invoice{ImportID: imp.ID, ID: inv.ID}, out, nil); err != nil {
				return s, err
			}
		}
		if err := st.RecordListing(ctx, hoadon.DefaultTenant, company, from.Format("2006-01"), hoadon.FlowPurchaseEInvoice, perImport, perImport, imp.ID); err != nil {
			return s, err
		}
		done, _, err := st.Finish(ctx, imp.ID, hoadon.ImportCompleted, "", nil)
		if err != nil {
			return s, err
		}
		if err := noteImport(ctx, st, done); err != nil {
			return s, err
		}
		s = seeded{company: company, importID: imp.ID, invoiceID: added[0].ID}
	}
	return s, st.NoteLogin(ctx, hoadon.DefaultTenant, company, nil)
}

// noteImport keeps the company's summary as the importer does when an
// import ends.
func noteImport(ctx context.Context, st *store.Store, done hoadon.Import) error {
	counts, err := st.Counts(ctx, done.ID)
	if err != nil {
		return err
	}
	if err := st.NoteImport(ctx, done, counts); err != nil {
		return err
	}
	return st.NoteMonths(ctx, done.Tenant, done.Params.CompanyID, []string{done.Params.From[:7]})
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
	before := opcount.Take()
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
	ops := opcount.Take().Sub(before)
	per := func(k opcount.Kind) float64 { return float64(ops[k.String()]) / float64(n+5) }
	slices.Sort(ms)
	q := func(p float64) float64 { return ms[min(len(ms)-1, int(p*float64(len(ms))))] }
	return figure{N: n, P50: q(0.5), P99: q(0.99), Max: ms[len(ms)-1], Reads: per(opcount.FirestoreRead), GCS: per(opcount.GCSClassB)}, nil
}
