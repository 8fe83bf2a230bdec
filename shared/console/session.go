package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/hoadon"
)

const (
	sessionCookie = "hoadon_session"
	preCookie     = "hoadon_signin" // the sign-in form's CSRF token, before a session exists
	sessionFor    = 12 * time.Hour
	sealWhere     = "console-session"
)

// session is what the sealed cookie holds: the key by its hash (never the
// key), the CSRF token of its forms, and when it ends.
type session struct {
	KeyHash string `json:"k"`
	CSRF    string `json:"c"`
	Expires int64  `json:"e"`
}

// request is one signed-in request: the session, the caller's rights and
// the language.
type request struct {
	sess      session
	canChange bool
	lang      string
	query     url.Values // the page's query, kept by the language switch
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// secure reports whether cookies must be Secure: everywhere but plain
// HTTP on a loopback address.
func secure(r *http.Request) bool {
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	return !(host == "localhost" || (ip != nil && ip.IsLoopback()))
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
}

// startSession signs the browser in as the key with this hash.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, keyHash string) {
	s := session{KeyHash: keyHash, CSRF: randomToken(), Expires: c.o.Now().Add(sessionFor).Unix()}
	raw, _ := json.Marshal(s)
	c.setCookie(w, r, sessionCookie, c.o.Box.Seal(raw, sealWhere), int(sessionFor.Seconds()))
	c.setCookie(w, r, preCookie, "", -1)
}

// readSession returns the browser's session if it is sealed by us, unexpired
// and its key is still valid.
func (c *Console) readSession(r *http.Request) (session, auth.Principal, bool, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return session{}, auth.Principal{}, false, nil
	}
	raw, err := c.o.Box.Open(ck.Value, sealWhere)
	if err != nil {
		return session{}, auth.Principal{}, false, nil
	}
	var s session
	if json.Unmarshal(raw, &s) != nil || s.CSRF == "" || c.o.Now().Unix() >= s.Expires {
		return session{}, auth.Principal{}, false, nil
	}
	p, ok, err := c.o.Keys.LookupHash(r.Context(), s.KeyHash)
	return s, p, ok, err
}

// signed wraps a page that needs a session: without one the browser goes
// to the sign-in page; a form that changes something must carry the
// session's CSRF token and come from this origin.
func (c *Console) signed(h func(http.ResponseWriter, *http.Request, *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := language(w, r)
		s, who, ok, err := c.readSession(r)
		if err != nil {
			c.fail(w, &request{lang: lang}, err)
			return
		}
		if !ok {
			if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
				http.Redirect(w, r, "/ui/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.fail(w, &request{lang: lang}, hoadon.Errorf(hoadon.CodeUnauthorized, "sign in again"))
			return
		}
		// the pages act as the key's principal: its tenant, role and companies
		r = r.WithContext(auth.WithPrincipal(r.Context(), who))
		q := &request{sess: s, lang: lang, canChange: who.Role.Grants(hoadon.PermOperate), query: r.URL.Query()}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameOrigin(r) || !tokenMatches(r.PostFormValue("csrf"), s.CSRF) {
				c.refuse(w, q, "err_stale")
				return
			}
			if !q.canChange {
				c.refuse(w, q, "err_readonly")
				return
			}
		}
		h(w, r, q)
	}
}

func tokenMatches(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sameOrigin refuses a form posted from another site: browsers send Origin
// (or Sec-Fetch-Site) with every POST.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == ""
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// signInPage shows the sign-in form, or, with ?link=, the button that
// redeems a one-time link (a GET never consumes it: link previewers would).
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	q := &request{lang: language(w, r)}
	tok := randomToken()
	c.setCookie(w, r, preCookie, tok, 600)
	c.render(w, q, http.StatusOK, "signin", "signin", signInData{CSRF: tok, Next: safeNext(r.FormValue("next")),
		Link: r.URL.Query().Get("link")})
}

type signInData struct {
	CSRF, Next, Link, Error string
}

// signIn checks the key (or redeems the link) and starts a session.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	q := &request{lang: language(w, r)}
	data := signInData{Next: safeNext(r.PostFormValue("next"))}
	pre, err := r.Cookie(preCookie)
	if err != nil || !sameOrigin(r) || !tokenMatches(r.PostFormValue("csrf"), pre.Value) {
		data.CSRF = randomToken()
		c.setCookie(w, r, preCookie, data.CSRF, 600)
		data.Error = tr(q.lang, "err_stale")
		c.render(w, q, http.StatusForbidden, "signin", "signin", data)
		return
	}
	keyHash, err := c.credential(r)
	if err != nil {
		data.CSRF = pre.Value
		data.Error = tr(q.lang, "err_signin")
		if hoadon.ErrorCode(err) != hoadon.CodeUnauthorized {
			data.Error = hoadon.ErrorMessage(err)
		}
		c.o.Log.InfoContext(r.Context(), "console sign-in refused", "err", err)
		c.render(w, q, http.StatusUnauthorized, "signin", "signin", data)
		return
	}
	c.startSession(w, r, keyHash)
	c.o.Log.InfoContext(r.Context(), "console sign-in", "key", keyHash[:12])
	next := data.Next
	if next == "" {
		next = "/ui/companies"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// credential is the key hash a sign-in form proves: a valid API key, or a
// one-time link.
func (c *Console) credential(r *http.Request) (string, error) {
	if link := r.PostFormValue("link"); link != "" {
		return c.o.Keys.RedeemSignInLink(r.Context(), link)
	}
	key := strings.TrimSpace(r.PostFormValue("key"))
	_, ok, err := c.o.Keys.Lookup(r.Context(), key)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", hoadon.Errorf(hoadon.CodeUnauthorized, "unknown or revoked API key")
	}
	return auth.KeyHash(key), nil
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, q *request) {
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/ui/signin", http.StatusSeeOther)
}

// safeNext keeps a redirect target inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	return next
}
