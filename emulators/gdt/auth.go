package gdt

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// account is the mutable per-account state: login failures and the
// limiter. Each has its own lock, so accounts never contend.
type account struct {
	idx int

	mu       sync.Mutex
	failures int
	locked   bool
	logins   Logins
	inflight int
	tokens   float64
	refilled time.Time
	blocked  time.Time // end of an injected 429 episode
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	CValue   string `json:"cvalue"`
	CKey     string `json:"ckey"`
}

// handleAuthenticate serves POST /security-taxpayer/authenticate: captcha
// first (a wrong captcha touches no account), then credentials with
// lock-out, then a fresh HS512 token.
func (s *Simulator) handleAuthenticate(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.springFail(w, r, http.StatusMethodNotAllowed, "/authenticate", "Request method '"+r.Method+"' not supported")
		return
	}
	var req loginRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		s.springFail(w, r, http.StatusBadRequest, "/authenticate", "Required request body is missing or malformed")
		return
	}
	now := s.opts.Now()
	if !s.captchas.take(req.CKey, req.CValue, now) {
		authFail(w, msgCaptcha)
		return
	}
	acc := s.accounts[req.Username]
	if acc == nil {
		authFail(w, msgCredentials)
		return
	}
	c := s.companies[acc.idx]
	acc.mu.Lock()
	switch {
	case acc.locked:
		acc.logins.Refused++
		acc.mu.Unlock()
		authFail(w, msgLocked)
		return
	case req.Password != c.Password:
		acc.logins.Refused++
		acc.failures++
		if s.opts.LockoutThreshold > 0 && acc.failures >= s.opts.LockoutThreshold {
			acc.locked = true
		}
		acc.mu.Unlock()
		authFail(w, msgCredentials)
		return
	}
	acc.failures = 0
	acc.logins.Accepted++
	acc.mu.Unlock()
	tok := signToken(s.jwtKey, claims{Sub: c.MST, Type: 2, Iat: now.Unix(), Exp: now.Add(s.opts.TokenTTL).Unix()})
	writeJSON(w, http.StatusOK, map[string]string{"token": tok})
}

// Logins counts the authenticate calls that reached an account (the
// captcha was right), by outcome.
type Logins struct {
	Accepted int `json:"accepted"`
	Refused  int `json:"refused"` // wrong password or locked account
}

// Logins returns an account's login counts so far (zero for an unknown MST).
func (s *Simulator) Logins(mst string) Logins {
	acc := s.accounts[mst]
	if acc == nil {
		return Logins{}
	}
	acc.mu.Lock()
	defer acc.mu.Unlock()
	return acc.logins
}

// authorise returns the account of the request's bearer token, or nil.
func (s *Simulator) authorise(r *http.Request) *account {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return nil
	}
	c, err := verifyToken(s.jwtKey, strings.TrimSpace(h[7:]), s.opts.Now())
	if err != nil {
		return nil
	}
	return s.accounts[c.Sub]
}

// handleProfile serves GET /security-taxpayer/profile.
func (s *Simulator) handleProfile(w http.ResponseWriter, r *http.Request, acc *account) {
	c := s.companies[acc.idx]
	writeJSON(w, http.StatusOK, map[string]any{"username": c.MST, "name": c.Name, "mst": c.MST, "status": 1})
}

// Unlock clears a lock-out, like a tax office resetting the account.
func (s *Simulator) Unlock(mst string) {
	if acc := s.accounts[mst]; acc != nil {
		acc.mu.Lock()
		acc.locked, acc.failures = false, 0
		acc.mu.Unlock()
	}
}
