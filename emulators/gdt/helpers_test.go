package gdt_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

// start runs a simulator on a free port with the options changed by mod.
func start(t testing.TB, mod func(*gdtsim.Options)) *gdtsim.Server {
	t.Helper()
	o := gdtsim.DefaultOptions()
	o.Seed = 42
	if mod != nil {
		mod(&o)
	}
	srv, err := gdtsim.Start(o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// resp is a fully read response.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

// do sends a request with a fresh request-id unless noID, and a bearer
// token when tok is set.
func do(t testing.TB, method, u, tok string, body any, noID bool) resp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if !noID {
		req.Header.Set("request-id", requestID())
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp{res.StatusCode, res.Header, b}
}

func get(t testing.TB, u, tok string) resp { return do(t, http.MethodGet, u, tok, nil, false) }

// captcha fetches a captcha and returns key, svg and the answer.
func captcha(t testing.TB, srv *gdtsim.Server) (key, svg, answer string) {
	t.Helper()
	r := get(t, srv.URL()+"/captcha", "")
	if r.status != http.StatusOK {
		t.Fatalf("captcha: %d %s", r.status, r.body)
	}
	var c struct{ Key, Content string }
	r.json(t, &c)
	a, ok := srv.CaptchaAnswer(c.Key)
	if !ok {
		t.Fatalf("no answer for fresh key %q", c.Key)
	}
	return c.Key, c.Content, a
}

func authenticate(t testing.TB, srv *gdtsim.Server, user, pass, ckey, cvalue string) resp {
	t.Helper()
	return do(t, http.MethodPost, srv.URL()+"/security-taxpayer/authenticate", "",
		map[string]string{"username": user, "password": pass, "ckey": ckey, "cvalue": cvalue}, false)
}

// login returns a token for company i.
func login(t testing.TB, srv *gdtsim.Server, i int) string {
	t.Helper()
	c := srv.Companies()[i]
	key, _, ans := captcha(t, srv)
	r := authenticate(t, srv, c.MST, c.Password, key, ans)
	if r.status != http.StatusOK {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	var tok struct{ Token string }
	r.json(t, &tok)
	return tok.Token
}

// row is the subset of a list row the tests look at.
type row struct {
	NBMST      string  `json:"nbmst"`
	KHMSHDon   int     `json:"khmshdon"`
	KHHDon     string  `json:"khhdon"`
	SHDon      int64   `json:"shdon"`
	TDLap      string  `json:"tdlap"`
	TThai      int     `json:"tthai"`
	TTXLy      int     `json:"ttxly"`
	NMMST      *string `json:"nmmst"`
	HSGoc      *string `json:"hsgoc"`
	KHHDGoc    *string `json:"khhdgoc"`
	SHDGoc     *int64  `json:"shdgoc"`
	TGTCThue   float64 `json:"tgtcthue"`
	TGTThue    float64 `json:"tgtthue"`
	TGTTTBSo   float64 `json:"tgtttbso"`
	TGTTTBChu  string  `json:"tgtttbchu"`
	MHDon      *string `json:"mhdon"`
	THTTLTSuat []struct {
		TSuat  string  `json:"tsuat"`
		ThTien float64 `json:"thtien"`
		TThue  float64 `json:"tthue"`
	} `json:"thttltsuat"`
}

func (r row) key() string { return fmt.Sprintf("%s|%d|%s|%d", r.NBMST, r.KHMSHDon, r.KHHDon, r.SHDon) }

type page struct {
	Datas []row   `json:"datas"`
	Total int     `json:"total"`
	State *string `json:"state"`
	Time  int     `json:"time"`
}

// searchFor builds a raw FIQL search for a date range.
func searchFor(from, to time.Time, extra string) string {
	s := "tdlap=ge=" + from.Format("02/01/2006") + "T00:00:00;tdlap=le=" + to.Format("02/01/2006") + "T23:59:59"
	if extra != "" {
		s += ";" + extra
	}
	return s
}

// listURL builds a list URL; encoded percent-encodes the search.
func listURL(srv *gdtsim.Server, family, dir, search string, size int, state string, encoded bool) string {
	if encoded {
		search = url.QueryEscape(search)
	}
	u := fmt.Sprintf("%s/%s/invoices/%s?sort=tdlap:desc&size=%d&search=%s", srv.URL(), family, dir, size, search)
	if state != "" {
		u += "&state=" + state
	}
	return u
}

// walk pages through a list and returns every row and the page count.
func walk(t testing.TB, srv *gdtsim.Server, tok, family, dir, search string, size int) ([]row, int) {
	t.Helper()
	var all []row
	state := ""
	for pages := 1; pages < 1000; pages++ {
		r := get(t, listURL(srv, family, dir, search, size, state, pages%2 == 0), tok)
		if r.status != http.StatusOK {
			t.Fatalf("list %s/%s page %d: %d %s", family, dir, pages, r.status, r.body)
		}
		var p page
		r.json(t, &p)
		if p.Datas == nil {
			t.Fatalf("datas missing or null: %s", r.body)
		}
		all = append(all, p.Datas...)
		if p.State == nil {
			return all, pages
		}
		if strings.Trim(*p.State, "0123456789abcdef") != "" {
			t.Fatalf("state %q is not lowercase hex", *p.State)
		}
		state = *p.State
	}
	t.Fatal("cursor walk did not end")
	return nil, 0
}

var march = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
var marchEnd = time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
