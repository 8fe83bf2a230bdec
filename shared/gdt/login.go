package gdt

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/metrics"
)

// MaxCaptchaAttempts is how many captchas Login tries before giving up; every
// careful client stops at three (gdt-portal.md §3.3).
const MaxCaptchaAttempts = 3

// CaptchaSolver reads the portal's captcha SVG. shared/captcha's table
// solver satisfies it; so does a human prompt or a test hook.
type CaptchaSolver interface {
	Solve(ctx context.Context, svg []byte) (string, error)
}

// Captcha is one challenge from GET /captcha. It carries the cookie jar of
// the login it starts, so the cookies set with it reach authenticate.
type Captcha struct {
	Key string // send back as ckey
	SVG []byte // the image (6 glyph paths + 2 noise lines)
	jar http.CookieJar
}

// Session is a logged-in portal session: the bearer token and the cookie
// jar of that login. It is a value to pass to data calls; many goroutines
// may share one.
type Session struct {
	Token     string
	Username  string
	IssuedAt  time.Time // from the token's iat; zero if absent
	ExpiresAt time.Time // from the token's exp; zero if absent (then only a 401 ends it)
	jar       http.CookieJar
}

// NewSession wraps a token obtained earlier (e.g. stored encrypted between
// cloud function calls). The JWT payload is decoded without verification —
// the portal's key is secret — only to learn when the token expires.
func NewSession(username, token string) (*Session, error) {
	token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(token), "Bearer "))
	if token == "" {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "gdt.NewSession: empty token")
	}
	s := &Session{Token: token, Username: username, jar: newJar()}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err == nil {
		if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
			s.ExpiresAt = exp.Time
		}
		if iat, err := claims.GetIssuedAt(); err == nil && iat != nil {
			s.IssuedAt = iat.Time
		}
		if sub, err := claims.GetSubject(); err == nil && sub != "" && s.Username == "" {
			s.Username = sub
		}
	}
	return s, nil
}

// Expired reports whether the token expires within margin from now, so a
// caller can log in again before the portal starts answering 401. A token
// without exp never expires by this test.
func (s *Session) Expired(margin time.Duration) bool {
	if s == nil || s.Token == "" {
		return true
	}
	return !s.ExpiresAt.IsZero() && time.Now().Add(margin).After(s.ExpiresAt)
}

// String never shows the token, so a session printed by mistake leaks
// nothing.
func (s *Session) String() string {
	if s == nil {
		return "gdt.Session(nil)"
	}
	return fmt.Sprintf("gdt.Session{user=%s expires=%s}", s.Username, s.ExpiresAt.Format(time.RFC3339))
}

// LogValue keeps the token out of slog output.
func (s *Session) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("nil")
	}
	return slog.GroupValue(slog.String("user", s.Username), slog.Time("expires", s.ExpiresAt))
}

func (s *Session) cookieJar() http.CookieJar {
	if s.jar == nil {
		s.jar = newJar()
	}
	return s.jar
}

// Captcha fetches a new challenge, starting a fresh cookie jar.
func (c *Client) Captcha(ctx context.Context) (Captcha, error) {
	jar := newJar()
	r, err := c.send(ctx, jar, "", call{kind: opCaptcha, method: http.MethodGet, path: "/captcha",
		endPoint: defaultEndPointHeader, accept: defaultAcceptJSON, limit: 1 << 20, timeout: c.cfg.Timeout})
	if err == nil {
		err = c.classify(opCaptcha, r)
	}
	if err != nil {
		return Captcha{}, fmt.Errorf("gdt.Captcha: %w", err)
	}
	var body struct {
		Key     string `json:"key"`
		Content string `json:"content"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil || body.Key == "" || !strings.Contains(body.Content, "<svg") {
		return Captcha{}, hoadon.Errorf(hoadon.CodeBadData, "gdt.Captcha: unexpected captcha response")
	}
	return Captcha{Key: body.Key, SVG: []byte(body.Content), jar: jar}, nil
}

// Authenticate logs in with a captcha answer. It returns CodeWrongCaptcha,
// CodeBadCredentials or CodeLocked when the portal says no; neither the
// password nor the answer ever appears in an error.
func (c *Client) Authenticate(ctx context.Context, username, password string, cp Captcha, answer string) (*Session, error) {
	if username == "" || password == "" {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "gdt.Authenticate: username and password are required")
	}
	body, _ := json.Marshal(map[string]string{"username": username, "password": password, "cvalue": answer, "ckey": cp.Key})
	jar := cp.jar
	if jar == nil {
		jar = newJar()
	}
	r, err := c.send(ctx, jar, "", call{kind: opAuth, method: http.MethodPost, path: "/security-taxpayer/authenticate",
		body: body, endPoint: defaultEndPointHeader, accept: defaultAcceptJSON, limit: 1 << 20, timeout: c.cfg.Timeout})
	if err == nil {
		err = c.classify(opAuth, r)
	}
	if err != nil {
		return nil, fmt.Errorf("gdt.Authenticate: %w", err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(r.body, &tok); err != nil || tok.Token == "" {
		return nil, hoadon.Errorf(hoadon.CodeBadData, "gdt.Authenticate: login answer carries no token")
	}
	s, err := NewSession(username, tok.Token)
	if err != nil {
		return nil, fmt.Errorf("gdt.Authenticate: %w", err)
	}
	s.jar = jar
	return s, nil
}

// Login runs captcha → solve → authenticate, with a fresh captcha for each of
// up to MaxCaptchaAttempts tries. Credential and lock-out errors return at
// once (retrying would lock the account); firewall, rate-limit and outage
// errors also return at once for the caller's backoff.
//
// Its end is counted per user name (the company's MST) and result (shared/metrics).
func (c *Client) Login(ctx context.Context, username, password string, solver CaptchaSolver) (*Session, error) {
	s, err := c.login(ctx, username, password, solver)
	metrics.Login(ctx, username, err)
	return s, err
}

func (c *Client) login(ctx context.Context, username, password string, solver CaptchaSolver) (*Session, error) {
	if solver == nil {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "gdt.Login: no captcha solver")
	}
	var last error
	for attempt := 1; attempt <= MaxCaptchaAttempts; attempt++ {
		cp, err := c.Captcha(ctx)
		if err != nil {
			return nil, fmt.Errorf("gdt.Login: %w", err)
		}
		answer, err := solver.Solve(ctx, cp.SVG)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("gdt.Login: %w", ctx.Err())
			}
			last = hoadon.Wrap(hoadon.CodeWrongCaptcha, err, "captcha solver failed")
			continue
		}
		s, err := c.Authenticate(ctx, username, password, cp, answer)
		if err == nil {
			return s, nil
		}
		if hoadon.ErrorCode(err) != hoadon.CodeWrongCaptcha {
			return nil, fmt.Errorf("gdt.Login: %w", err)
		}
		last = err
	}
	return nil, fmt.Errorf("gdt.Login: %d captcha attempts failed: %w", MaxCaptchaAttempts, last)
}
