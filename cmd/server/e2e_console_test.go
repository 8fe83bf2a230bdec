package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hoadon/hoadon/cmd/internal/e2e"
	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// chromium is Debian's browser (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("HOADON_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium found: apt-get install chromium (or set HOADON_CHROMIUM)")
	return ""
}

// browserCtx starts a headless Chromium for the test.
func browserCtx(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	return ctx
}

// screenshot writes the page to out/NAME.png at the repository root.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "out")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// steps runs browser steps, failing with where the browser is and what it
// shows.
func steps(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v (at %s)\n%s", what, err, loc, body)
	}
}

// value runs one browser action that returns a value.
func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestConsoleInBrowser drives the console in Chromium against the running
// system: sign in with the API key, start an import from the page, watch
// the progress reach completed without a reload, open an invoice drawn
// like its paper form, download its XML, and see an unknown import as the
// not-found page.
func TestConsoleInBrowser(t *testing.T) {
	ctx := browserCtx(t)
	c := h.Stack.GDT().Companies()[4]
	ui := h.URL + "/ui/"

	signIn(t, ctx, ui, h.Env["HOADON_API_KEY"])
	checkCookie(t, ctx)

	steps(t, ctx, "start an import",
		chromedp.Navigate(ui+"imports"),
		chromedp.Click(chromedp.CSS("#start summary")),
		chromedp.SetValue(chromedp.CSS(`input[name="company_id"]`), c.MST),
		chromedp.SetValue(chromedp.CSS(`input[name="password"]`), c.Password),
		chromedp.SetValue(chromedp.CSS(`input[name="from"]`), "2026-09-01"),
		chromedp.SetValue(chromedp.CSS(`input[name="to"]`), "2026-09-30"),
		chromedp.Click(chromedp.ID("start-import")),
		chromedp.WaitVisible(chromedp.ID("live")),
		// A mark on the page: it survives only if the page is never reloaded.
		chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))
	loc := value(t, ctx, chromedp.Location())
	id := regexp.MustCompile(`/ui/imports/([A-Za-z0-9_-]+)$`).FindStringSubmatch(loc)
	if id == nil {
		t.Fatalf("after the start the browser is at %s, not an import page", loc)
	}
	steps(t, ctx, "progress reaches completed", chromedp.WaitVisible(chromedp.CSS(`#live[data-state="completed"]`)))
	if !value(t, ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)) {
		t.Error("the import page was reloaded to show progress")
	}
	html := value(t, ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if strings.Contains(html, c.Password) {
		t.Error("the import page shows the portal password")
	}
	if strings.Contains(html, `id="cancel"`) {
		t.Error("a completed import still offers to cancel")
	}
	if !strings.Contains(html, `id="percent">100%`) {
		t.Errorf("completed import without 100%%:\n%s", html)
	}
	screenshot(t, ctx, "console-import")

	steps(t, ctx, "open an invoice",
		chromedp.Navigate(ui+"imports/"+id[1]+"/invoices?status=stored"),
		chromedp.WaitVisible(chromedp.ID("invoices")),
		chromedp.Click(chromedp.CSS("#invoices tbody tr a")),
		chromedp.WaitVisible(chromedp.ID("paper")),
		chromedp.WaitVisible(chromedp.ID("grand-total")))
	screenshot(t, ctx, "console-invoice")
	checkDownload(t, ctx)
	checkSignatureFilter(t, ctx, ui+"imports/"+id[1]+"/invoices?status=stored")

	steps(t, ctx, "unknown import",
		chromedp.Navigate(ui+"imports/00000000-0000-0000-0000-000000000000"),
		chromedp.WaitVisible(chromedp.CSS(`.problem[data-status="404"]`)))
	if title := value(t, ctx, chromedp.Text(chromedp.CSS("h1"))); title != "Không tìm thấy" {
		t.Errorf("not-found page titled %q", title)
	}
	steps(t, ctx, "imports list", chromedp.Navigate(ui+"imports?lang=en"), chromedp.WaitVisible(chromedp.CSS("table")))
	screenshot(t, ctx, "console-imports")

	checkCompanies(t, ctx, ui, c.MST, id[1])
	checkPhone(t, ctx, ui, "companies", "companies/"+c.MST, "imports/"+id[1], "imports/"+id[1]+"/invoices", "schedules")
	// A viewer, then another tenant, each in a browser of its own.
	ctx = browserCtx(t)
	viewer, err := h.APIKey(hoadon.DefaultTenant, hoadon.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, ui, viewer)
	for _, page := range []string{"companies", "companies/" + c.MST, "imports", "imports/" + id[1], "schedules"} {
		steps(t, ctx, "viewer reads "+page, chromedp.Navigate(ui+page), chromedp.WaitVisible(chromedp.ID("signout")))
		// The only form a viewer meets is the sign-out; no link starts an import.
		if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("form[method=post]:not(.inline), form[method=post] button:not(#signout), .import-period, input[type=password]").length`)); n != 0 {
			t.Errorf("a viewer sees %d things that change something on %s", n, page)
		}
	}
	ctx = browserCtx(t)
	other, err := h.APIKey("console-other", hoadon.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, ui, other)
	steps(t, ctx, "another tenant's import",
		chromedp.Navigate(ui+"imports/"+id[1]),
		chromedp.WaitVisible(chromedp.CSS(`.problem[data-status="404"]`)))
	steps(t, ctx, "another tenant's companies", chromedp.Navigate(ui+"companies"), chromedp.WaitVisible(chromedp.ID("signout")))
	if html := value(t, ctx, chromedp.OuterHTML(chromedp.CSS("main"))); strings.Contains(html, c.MST) {
		t.Errorf("another tenant's companies page shows %s", c.MST)
	}
}

func signIn(t *testing.T, ctx context.Context, ui, key string) {
	t.Helper()
	steps(t, ctx, "sign in",
		chromedp.Navigate(ui),
		chromedp.WaitVisible(chromedp.ID("key")),
		chromedp.SendKeys(chromedp.ID("key"), key),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("signout")))
}

// checkCompanies opens the home page (the companies) and the imported
// company's page: its row shows the import and the login health kept at
// write time, its matrix the imported month.
func checkCompanies(t *testing.T, ctx context.Context, ui, mst, importID string) {
	t.Helper()
	row := `#companies tr[data-mst="` + mst + `"]`
	steps(t, ctx, "companies page", chromedp.Navigate(ui), chromedp.WaitVisible(chromedp.CSS(row)))
	html := value(t, ctx, chromedp.OuterHTML(chromedp.CSS(row)))
	for _, want := range []string{`href="/ui/imports/` + importID + `"`, `class="state lh-ok"`, `class="state s-completed"`, `class="cell m-`} {
		if !strings.Contains(html, want) {
			t.Errorf("the company's row lacks %s:\n%s", want, html)
		}
	}
	screenshot(t, ctx, "console-companies")
	steps(t, ctx, "company page", chromedp.Navigate(ui+"companies/"+mst), chromedp.WaitVisible(chromedp.ID("matrix")))
	cells := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#matrix tr.m-complete, #matrix tr.m-gaps").length`))
	if cells == 0 {
		t.Error("the company's matrix shows no listed month")
	}
	recent := value(t, ctx, chromedp.OuterHTML(chromedp.ID("recent")))
	if !strings.Contains(recent, `href="/ui/imports/`+importID+`"`) || !strings.Contains(recent, `class="state s-completed"`) {
		t.Errorf("the company's recent imports (from its summary) lack the completed import %s:\n%s", importID, recent)
	}
	html = value(t, ctx, chromedp.OuterHTML(chromedp.CSS("main")))
	if !strings.Contains(html, "/api/companies/"+mst+"/exports/purchase.xlsx?from=") || !strings.Contains(html, `id="update-credentials"`) {
		t.Error("the company page lacks its export links or the credentials form")
	}
	screenshot(t, ctx, "console-company")
}

// checkPhone opens pages on a phone's screen (390 px wide): nothing is
// wider than the screen (wide tables scroll inside their own box).
func checkPhone(t *testing.T, ctx context.Context, ui string, pages ...string) {
	t.Helper()
	for _, p := range pages {
		steps(t, ctx, "phone "+p, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Navigate(ui+p), chromedp.WaitVisible(chromedp.ID("signout")))
		if w := value(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); w > 0 {
			t.Errorf("on a phone, %s is %d px wider than the screen", p, w)
		}
	}
	steps(t, ctx, "back to a laptop's screen", chromedp.EmulateReset())
}

// checkSignatureFilter reads the signature result of the first stored
// invoice in the table, filters on it (every row shown has it) and on
// another result (no row of the first's).
func checkSignatureFilter(t *testing.T, ctx context.Context, table string) {
	t.Helper()
	steps(t, ctx, "invoice table", chromedp.Navigate(table), chromedp.WaitVisible(chromedp.ID("invoices")))
	class := value(t, ctx, chromedp.Evaluate[string](`(document.querySelector("#invoices tbody [class*=sig-]") || {}).className || ""`))
	m := regexp.MustCompile(`sig-(valid|warning|invalid|missing)`).FindStringSubmatch(class)
	if m == nil {
		t.Fatalf("the stored invoices show no signature result (class %q)", class)
	}
	count := func(sel string) int {
		return value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("`+sel+`").length`))
	}
	steps(t, ctx, "filter on "+m[1], chromedp.Navigate(table+"&sig="+m[1]), chromedp.WaitVisible(chromedp.ID("invoices")))
	if rows, with := count("#invoices tbody tr"), count("#invoices tbody .sig-"+m[1]); rows == 0 || rows != with {
		t.Errorf("filtered on %s: %d rows, %d with it", m[1], rows, with)
	}
	other := "valid"
	if m[1] == "valid" {
		other = "invalid"
	}
	steps(t, ctx, "filter on "+other, chromedp.Navigate(table+"&sig="+other), chromedp.WaitVisible(chromedp.ID("signout")))
	if n := count("#invoices tbody .sig-" + m[1]); n != 0 {
		t.Errorf("filtered on %s, %d rows are %s", other, n, m[1])
	}
}

// checkDownload clicks the XML download of the invoice page and reads the
// file the browser saved.
func checkDownload(t *testing.T, ctx context.Context) {
	t.Helper()
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.BrowserEvents(wctx, browser.DownloadProgress)
	steps(t, ctx, "download the XML", chromedp.Click(chromedp.ID("dl-xml")))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the XML download did not complete: %v", err)
		}
		if ev.State != browser.DownloadProgressStateCompleted {
			continue
		}
		xml, err := os.ReadFile(filepath.Join(dir, ev.GUID))
		if err != nil || !strings.Contains(string(xml), "<HDon") {
			t.Errorf("downloaded XML (%v): %.200s", err, xml)
		}
		return
	}
}

// checkCookie checks the session cookie's flags as the browser holds them.
func checkCookie(t *testing.T, ctx context.Context) {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range res.Cookies {
		if ck.Name == "hoadon_session" {
			if !ck.HTTPOnly || ck.SameSite != network.CookieSameSiteStrict || ck.Secure || strings.Contains(ck.Value, h.Env["HOADON_API_KEY"]) {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure on loopback, no key inside", ck)
			}
			return
		}
	}
	t.Fatalf("no session cookie after sign-in: %v", res.Cookies)
}

// TestConsoleCSRF: a signed-in form without the session's token, or from
// another origin, changes nothing; a one-time link signs in once.
func TestConsoleCSRF(t *testing.T) {
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	csrfOf := func(path string) string {
		resp, err := cl.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("%s: no CSRF token in the page (%d)", path, resp.StatusCode)
		}
		return string(m[1])
	}
	post := func(path string, form url.Values, hdr ...string) int {
		req, _ := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	csrfOf("/ui/signin") // opens the form; its token is deliberately not sent
	if code := post("/ui/signin", url.Values{"csrf": {"wrong"}, "key": {h.Env["HOADON_API_KEY"]}}); code != http.StatusForbidden {
		t.Errorf("sign-in without the form's token = %d, want 403", code)
	}
	tok := csrfOf("/ui/signin") // a refused form gets a new token
	if code := post("/ui/signin", url.Values{"csrf": {tok}, "key": {"hd_not_a_key"}}); code != http.StatusUnauthorized {
		t.Errorf("sign-in with a wrong key = %d, want 401", code)
	}
	if code := post("/ui/signin", url.Values{"csrf": {tok}, "key": {h.Env["HOADON_API_KEY"]}}); code != http.StatusOK {
		t.Fatalf("sign-in = %d, want 200 after the redirect", code)
	}
	tok = csrfOf("/ui/imports")
	form := url.Values{"company_id": {"0100109106"}, "password": {"x"}}
	if code := post("/ui/imports", form); code != http.StatusForbidden {
		t.Errorf("start without a CSRF token = %d, want 403", code)
	}
	form.Set("csrf", tok)
	if code := post("/ui/imports", form, "Origin", "https://evil.example"); code != http.StatusForbidden {
		t.Errorf("start from another origin = %d, want 403", code)
	}
	if code := post("/ui/signout", url.Values{"csrf": {tok}}); code != http.StatusOK {
		t.Errorf("sign-out = %d", code)
	}
	if resp, err := cl.Get(h.URL + "/ui/imports"); err != nil || resp.Request.URL.Path != "/ui/signin" {
		t.Errorf("after sign-out /ui/imports is %v (%v), want the sign-in page", resp.Request.URL, err)
	}

	link := signInLink(t)
	tok = csrfOf("/ui/signin?link=" + url.QueryEscape(link))
	if code := post("/ui/signin", url.Values{"csrf": {tok}, "link": {link}}); code != http.StatusOK {
		t.Errorf("sign-in with a fresh link = %d, want 200", code)
	}
	tok = csrfOf("/ui/signin")
	if code := post("/ui/signin", url.Values{"csrf": {tok}, "link": {link}}); code != http.StatusUnauthorized {
		t.Errorf("second use of the link = %d, want 401", code)
	}
}

// signInLink is what hoadon apikey link makes for the harness's key.
func signInLink(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	fs, err := fsemu.NewClient(ctx, h.Stack.Firestore().Host(), h.Env["HOADON_PROJECT"])
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	tok, err := auth.NewKeys(fs).CreateSignInLink(ctx, h.Env["HOADON_API_KEY"], time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
