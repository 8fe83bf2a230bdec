// Package console is the web console under /ui/: the companies, imports,
// invoices and schedules of the signed-in caller, with live import
// progress. It is a view of the task API — it calls the same operations
// (shared/api) with the same checks and shows the same types
// (shared/wire) — rendered with html/template and htmx (vendored in
// static/, loaded from the console's own origin). Every page reads without
// JavaScript; JavaScript only refreshes progress in place.
//
// A user signs in with an API key (or a one-time link, hoadon apikey link);
// the session is a sealed, HttpOnly, SameSite=Strict cookie (Secure
// outside loopback) that names the key by its hash, so revoking the key
// ends the session. Every form that changes something carries the
// session's CSRF token.
package console

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/hoadon/hoadon/shared/api"
	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/secret"
)

//go:embed templates/*.html static/htmx.min.js static/console.css static/LICENSE.htmx
var files embed.FS

// Prefix is where the console is served.
const Prefix = "/ui/"

// Options are what the console is built on.
type Options struct {
	API  *api.Server  // the operations the pages call
	Keys *auth.Keys   // who may sign in
	Box  *secret.Box  // seals the session cookie
	Log  *slog.Logger //
	Now  func() time.Time
}

// Console serves the pages.
type Console struct {
	o     Options
	mux   *http.ServeMux
	pages map[string]*template.Template
}

// New returns the console.
func New(o Options) *Console {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	c := &Console{o: o, mux: http.NewServeMux(), pages: parsePages()}
	c.routes()
	return c
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin") // no-referrer would make form posts send Origin: null
	h.Set("Cache-Control", "no-store")
	c.mux.ServeHTTP(w, r)
}

func (c *Console) routes() {
	m := c.mux
	m.HandleFunc("GET /ui/static/{name}", c.static)
	m.HandleFunc("GET /ui/signin", c.signInPage)
	m.HandleFunc("POST /ui/signin", c.signIn)
	m.HandleFunc("POST /ui/signout", c.signed(c.signOut))
	m.HandleFunc("GET /ui/{$}", c.signed(func(w http.ResponseWriter, r *http.Request, q *request) {
		http.Redirect(w, r, "/ui/companies", http.StatusSeeOther)
	}))
	m.HandleFunc("GET /ui/companies", c.signed(c.companies))
	m.HandleFunc("GET /ui/companies/{mst}", c.signed(c.company))
	m.HandleFunc("POST /ui/companies/{mst}/credentials", c.signed(c.updateCredentials))
	m.HandleFunc("GET /ui/imports", c.signed(c.imports))
	m.HandleFunc("POST /ui/imports", c.signed(c.startImport))
	m.HandleFunc("GET /ui/imports/{id}", c.signed(c.importPage))
	m.HandleFunc("GET /ui/imports/{id}/progress", c.signed(c.progressFragment))
	m.HandleFunc("POST /ui/imports/{id}/cancel", c.signed(c.cancelImport))
	m.HandleFunc("GET /ui/imports/{id}/invoices", c.signed(c.invoices))
	m.HandleFunc("GET /ui/imports/{id}/invoices/{inv}", c.signed(c.invoicePage))
	m.HandleFunc("GET /ui/imports/{id}/invoices/{inv}/{kind}", c.signed(c.invoiceFile))
	m.HandleFunc("GET /ui/schedules", c.signed(c.schedules))
	m.HandleFunc("POST /ui/schedules", c.signed(c.createSchedule))
	m.HandleFunc("POST /ui/schedules/{id}/{action}", c.signed(c.scheduleAction))
	m.HandleFunc("/ui/", c.signed(func(w http.ResponseWriter, r *http.Request, q *request) {
		c.notFound(w, q)
	}))
}

// static serves the embedded files (long-cached: they change with a release).
func (c *Console) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	types := map[string]string{"htmx.min.js": "text/javascript; charset=utf-8", "console.css": "text/css; charset=utf-8",
		"LICENSE.htmx": "text/plain; charset=utf-8"}
	ct, ok := types[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := files.ReadFile("static/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(b)
}
