package gdt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

const testPassword = "s3cr3t-Pa55"

// loginPortal is a fixture portal with a captcha whose answer is the key
// upper-cased, a password check and a cookie that must travel from
// /captcha to /authenticate and on to data calls.
type loginPortal struct {
	*fixture
	mu         sync.Mutex
	n          int
	authCalls  int
	lockedUser string
	ttl        time.Duration
	sawCookie  []bool
}

func newLoginPortal(t *testing.T) *loginPortal {
	p := &loginPortal{fixture: newFixture(t), ttl: 24 * time.Hour}
	p.handle("/captcha", p.captcha)
	p.handle("/security-taxpayer/authenticate", p.authenticate)
	p.handle("/query/invoices/sold", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("TS01")
		p.mu.Lock()
		p.sawCookie = append(p.sawCookie, err == nil && c.Value != "")
		p.mu.Unlock()
		_, _ = w.Write([]byte(emptyPage))
	})
	return p
}

func (p *loginPortal) captcha(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	p.n++
	key := fmt.Sprintf("6a%022x", p.n)
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "TS01", Value: "affinity-" + key, Path: "/"})
	_ = json.NewEncoder(w).Encode(map[string]string{"key": key, "content": `<svg xmlns="http://www.w3.org/2000/svg"><path d="M1 1"/></svg>`})
}

func (p *loginPortal) authenticate(w http.ResponseWriter, r *http.Request) {
	var body map[string]string
	_ = json.NewDecoder(r.Body).Decode(&body)
	p.mu.Lock()
	p.authCalls++
	p.mu.Unlock()
	c, err := r.Cookie("TS01")
	switch {
	case err != nil || c.Value != "affinity-"+body["ckey"]:
		jsonReply(400, map[string]string{"message": "cookie lost"})(w, r)
	case body["cvalue"] != strings.ToUpper(body["ckey"]):
		jsonReply(401, map[string]string{"message": "Mã captcha không đúng.", "path": "uri=/authenticate"})(w, r)
	case body["username"] == p.lockedUser:
		jsonReply(401, map[string]string{"message": "Tài khoản đã bị khóa"})(w, r)
	case body["password"] != testPassword:
		jsonReply(401, map[string]string{"message": "Tên đăng nhập hoặc mật khẩu không đúng"})(w, r)
	default:
		jsonReply(200, map[string]string{"token": testToken(p.t, body["username"], p.ttl)})(w, r)
	}
}

// keySolver answers from the captcha the fixture served; wrong the first
// `wrong` times.
type keySolver struct {
	p     *loginPortal
	wrong int
	calls int
}

func (s *keySolver) Solve(_ context.Context, _ []byte) (string, error) {
	s.calls++
	if s.calls <= s.wrong {
		return "WRONG1", nil
	}
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	return strings.ToUpper(fmt.Sprintf("6a%022x", s.p.n)), nil
}

// Ensure Login retries only captcha failures, with a fresh captcha each
// time, at most three times; carries cookies; and never leaks secrets.
func TestLogin(t *testing.T) {
	ctx := context.Background()
	t.Run("third captcha succeeds", func(t *testing.T) {
		p := newLoginPortal(t)
		s, err := p.client().Login(ctx, "0100109106", testPassword, &keySolver{p: p, wrong: 2})
		if err != nil {
			t.Fatal(err)
		}
		if p.n != 3 || p.authCalls != 3 {
			t.Errorf("captchas %d, authenticate calls %d; want 3, 3", p.n, p.authCalls)
		}
		if s.Username != "0100109106" || s.Expired(time.Hour) || !s.Expired(25*time.Hour) {
			t.Errorf("session %v: expiry not read from the token", s)
		}
		if _, err := p.client().ListPage(ctx, s, marchQuery(hoadon.FlowSoldEInvoice), ""); err != nil {
			t.Fatal(err)
		}
		if len(p.sawCookie) != 1 || !p.sawCookie[0] {
			t.Errorf("login cookie not sent on data call: %v", p.sawCookie)
		}
		if strings.Contains(s.String(), s.Token) || strings.Contains(fmt.Sprint(s), s.Token) {
			t.Errorf("Session.String shows the token")
		}
	})
	t.Run("three wrong captchas", func(t *testing.T) {
		p := newLoginPortal(t)
		_, err := p.client().Login(ctx, "0100109106", testPassword, &keySolver{p: p, wrong: 5})
		if hoadon.ErrorCode(err) != hoadon.CodeWrongCaptcha || p.authCalls != gdt.MaxCaptchaAttempts {
			t.Fatalf("err %v after %d attempts", err, p.authCalls)
		}
		if strings.Contains(err.Error(), "WRONG1") || strings.Contains(err.Error(), testPassword) {
			t.Errorf("error leaks the captcha answer or password: %v", err)
		}
	})
	t.Run("bad password is not retried", func(t *testing.T) {
		p := newLoginPortal(t)
		_, err := p.client().Login(ctx, "0100109106", "wrong-password", &keySolver{p: p})
		if hoadon.ErrorCode(err) != hoadon.CodeBadCredentials || p.authCalls != 1 {
			t.Fatalf("err %v after %d attempts", err, p.authCalls)
		}
		if strings.Contains(err.Error(), "wrong-password") {
			t.Errorf("error leaks the password: %v", err)
		}
		if hoadon.Retryable(err) {
			t.Errorf("bad credentials reported retryable")
		}
	})
	t.Run("locked is not retried", func(t *testing.T) {
		p := newLoginPortal(t)
		p.lockedUser = "0100109106"
		_, err := p.client().Login(ctx, "0100109106", testPassword, &keySolver{p: p})
		if hoadon.ErrorCode(err) != hoadon.CodeLocked || p.authCalls != 1 {
			t.Fatalf("err %v after %d attempts", err, p.authCalls)
		}
	})
	t.Run("solver failure uses a new captcha", func(t *testing.T) {
		p := newLoginPortal(t)
		_, err := p.client().Login(ctx, "0100109106", testPassword, failingSolver{})
		if hoadon.ErrorCode(err) != hoadon.CodeWrongCaptcha || p.n != 3 || p.authCalls != 0 {
			t.Fatalf("err %v, captchas %d, auth %d", err, p.n, p.authCalls)
		}
	})
}

type failingSolver struct{}

func (failingSolver) Solve(context.Context, []byte) (string, error) {
	return "", fmt.Errorf("unknown glyph")
}

// Ensure a stored token can be revived and its expiry is read without the
// portal's key.
func TestNewSession(t *testing.T) {
	tok := testToken(t, "0312345678", 30*time.Minute)
	s, err := gdt.NewSession("", "Bearer "+tok)
	if err != nil {
		t.Fatal(err)
	}
	if s.Username != "0312345678" || s.Token != tok {
		t.Errorf("session = %v", s)
	}
	if left := time.Until(s.ExpiresAt); left < 29*time.Minute || left > 31*time.Minute {
		t.Errorf("ExpiresAt %v from now", left)
	}
	if !s.Expired(time.Hour) || s.Expired(time.Minute) {
		t.Errorf("Expired margins wrong")
	}
	opaque, err := gdt.NewSession("u", "not-a-jwt")
	if err != nil || !opaque.ExpiresAt.IsZero() || opaque.Expired(time.Hour) {
		t.Errorf("opaque token: %v %v", opaque, err)
	}
	if _, err := gdt.NewSession("u", " "); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("empty token accepted")
	}
}
