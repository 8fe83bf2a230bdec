package gdt_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
)

func TestLoginChecksCaptchaBeforeCredentials(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.LockoutThreshold = 1 })
	c := srv.Companies()[1]
	key, _, ans := captcha(t, srv)
	wrong := "22222" + string(ans[5]+1)
	if ans == "222222" || wrong == ans {
		wrong = "333333"
	}
	// Wrong captcha with a wrong password must not count as a failed
	// password (threshold 1 would lock the account).
	r := authenticate(t, srv, c.MST, "not-the-password", key, wrong)
	if r.status != http.StatusUnauthorized || string(r.body) != `{"message":"Mã captcha không đúng.","path":"uri=/authenticate"}` {
		t.Fatalf("wrong captcha: %d %s", r.status, r.body)
	}
	if tok := login(t, srv, 1); tok == "" {
		t.Fatal("empty token after a wrong-captcha attempt")
	}
	key, _, ans = captcha(t, srv)
	r = authenticate(t, srv, "0100000000", "x", key, ans)
	if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "Tên đăng nhập hoặc mật khẩu không đúng") {
		t.Fatalf("unknown user: %d %s", r.status, r.body)
	}
	if got := srv.Logins(c.MST); got != (gdtsim.Logins{Accepted: 1}) {
		t.Errorf("Logins = %+v: a wrong captcha reached the account", got)
	}
	if n := srv.Stats().Count("/security-taxpayer/authenticate", 200); n != 1 {
		t.Errorf("stats count %d successful logins, want 1\n%v", n, srv.Stats())
	}
}

func TestLockoutAfterWrongPasswords(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.LockoutThreshold = 3 })
	c := srv.Companies()[2]
	for i := 0; i < 3; i++ {
		key, _, ans := captcha(t, srv)
		r := authenticate(t, srv, c.MST, "bad", key, ans)
		if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "Tên đăng nhập hoặc mật khẩu không đúng") {
			t.Fatalf("attempt %d: %d %s", i, r.status, r.body)
		}
	}
	key, _, ans := captcha(t, srv)
	r := authenticate(t, srv, c.MST, c.Password, key, ans)
	if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), "đã bị khoá") {
		t.Fatalf("locked account with right password: %d %s", r.status, r.body)
	}
	if got := srv.Logins(c.MST); got != (gdtsim.Logins{Refused: 4}) {
		t.Errorf("Logins = %+v, want 4 refused", got)
	}
	srv.Unlock(c.MST)
	login(t, srv, 2)
	resp, err := http.Get(srv.SimURL() + "/logins?mst=" + c.MST)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got gdtsim.Logins
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || got != (gdtsim.Logins{Accepted: 1, Refused: 4}) {
		t.Errorf("/_sim/logins = %+v, %v; want 1 accepted, 4 refused", got, err)
	}
}

func TestTokenClaimsAndExpiry(t *testing.T) {
	clock := &fakeClock{now: time.Now().Truncate(time.Second)}
	srv := start(t, func(o *gdtsim.Options) { o.Now = clock.Now; o.TokenTTL = 2 * time.Hour })
	tok := login(t, srv, 0)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok)
	}
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if string(hdr) != `{"alg":"HS512"}` {
		t.Errorf("header %s", hdr)
	}
	if sig, _ := base64.RawURLEncoding.DecodeString(parts[2]); len(sig) != 64 {
		t.Errorf("signature is %d bytes, want 64 (HS512)", len(sig))
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Sub      string
		Type     int
		Iat, Exp int64
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("payload %s: %v", raw, err)
	}
	if c.Sub != srv.Companies()[0].MST || c.Type != 2 || c.Iat != clock.Now().Unix() || c.Exp-c.Iat != 7200 {
		t.Errorf("claims %+v", c)
	}
	u := listURL(srv, "query", "sold", searchFor(march, marchEnd, ""), 5, "", false)
	if r := get(t, u, tok); r.status != http.StatusOK {
		t.Fatalf("fresh token: %d %s", r.status, r.body)
	}
	for name, bad := range map[string]string{"missing": "", "garbage": "abc.def.ghi", "tampered": parts[0] + "." + parts[1] + "x." + parts[2]} {
		if r := get(t, u, bad); r.status != http.StatusUnauthorized {
			t.Errorf("%s token: %d", name, r.status)
		}
	}
	clock.Advance(2*time.Hour + time.Second)
	if r := get(t, u, tok); r.status != http.StatusUnauthorized {
		t.Fatalf("expired token: %d %s", r.status, r.body)
	}
}

func TestWAFRequestID(t *testing.T) {
	srv := start(t, func(o *gdtsim.Options) { o.LegacyAddr = "127.0.0.1:0" })
	r := do(t, http.MethodGet, srv.URL()+"/captcha", "", nil, true)
	want := `{"status":403,"message":"Hệ thống phát hiện hành vi không hợp lệ. Yêu cầu đã bị chặn."}`
	if r.status != http.StatusForbidden || string(r.body) != want || len(r.body) != 109 ||
		r.header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Fatalf("no request-id: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	// Both layouts answer on the main listener, the legacy one on its own.
	for _, base := range []string{srv.URL(), srv.LegacyURL(), strings.TrimSuffix(srv.URL(), "/api")} {
		if r := get(t, base+"/captcha", ""); r.status != http.StatusOK {
			t.Errorf("%s/captcha: %d", base, r.status)
		}
	}
	if srv.LegacyURL() == strings.TrimSuffix(srv.URL(), "/api") {
		t.Error("LegacyAddr did not open a second listener")
	}

	html := start(t, func(o *gdtsim.Options) { o.WAFHTMLReject = true })
	r = do(t, http.MethodGet, html.URL()+"/captcha", "", nil, true)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "Request Rejected") {
		t.Fatalf("html reject: %d %s", r.status, r.body)
	}
	off := start(t, func(o *gdtsim.Options) { o.RequireRequestID = false })
	if r := do(t, http.MethodGet, off.URL()+"/captcha", "", nil, true); r.status != http.StatusOK {
		t.Fatalf("enforcement off: %d", r.status)
	}
}
