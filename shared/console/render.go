package console

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// page is what every template gets.
type page struct {
	T         map[string]string // the language's texts
	Lang      string
	Nav       string // the menu entry to highlight
	CSRF      string // "" when signed out
	CanChange bool   // false: no button that changes anything is drawn
	// LangQuery is the page's query with the other language: the switch
	// keeps the filters and page.
	LangQuery template.URL
	Data      any
}

// langQuery is the request's query asking for the other language.
func langQuery(q *request) template.URL {
	v := url.Values{}
	for k, x := range q.query {
		v[k] = x
	}
	v.Set("lang", texts[q.lang]["lang_other_code"])
	return template.URL(v.Encode())
}

// parsePages parses each page template with the layout.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		out[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(files, "templates/layout.html", n))
	}
	return out
}

// render writes a page (or, for an htmx request of a fragment, the
// fragment alone).
func (c *Console) render(w http.ResponseWriter, q *request, status int, name, nav string, data any) {
	c.renderTemplate(w, q, status, name, "layout", nav, data)
}

func (c *Console) renderTemplate(w http.ResponseWriter, q *request, status int, name, tmpl, nav string, data any) {
	p := page{T: texts[q.lang], Lang: q.lang, Nav: nav, CSRF: q.sess.CSRF, CanChange: q.canChange, LangQuery: langQuery(q), Data: data}
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, tmpl, p); err != nil {
		c.o.Log.Error("console: rendering", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type problem struct {
	Status  int
	Title   string
	Message string
}

// fail shows an error page with the status of the error's code; not-found
// and a foreign id look the same.
func (c *Console) fail(w http.ResponseWriter, q *request, err error) {
	code := hoadon.ErrorCode(err)
	status := hoadon.HTTPStatus(code)
	msg := hoadon.ErrorMessage(err)
	title := tr(q.lang, "err_title")
	switch {
	case code == hoadon.CodeNotFound:
		c.notFound(w, q)
		return
	case code == hoadon.CodeUnauthorized:
		title = tr(q.lang, "err_signin")
	case status >= 500:
		c.o.Log.Error("console: request failed", "code", code, "err", err)
		msg = tr(q.lang, "err_internal")
	}
	c.render(w, q, status, "problem", "", problem{Status: status, Title: title, Message: msg})
}

func (c *Console) notFound(w http.ResponseWriter, q *request) {
	c.render(w, q, http.StatusNotFound, "problem", "", problem{Status: http.StatusNotFound,
		Title: tr(q.lang, "notfound_title"), Message: tr(q.lang, "notfound_text")})
}

func (c *Console) refuse(w http.ResponseWriter, q *request, key string) {
	c.render(w, q, http.StatusForbidden, "problem", "", problem{Status: http.StatusForbidden,
		Title: tr(q.lang, "err_title"), Message: tr(q.lang, key)})
}
