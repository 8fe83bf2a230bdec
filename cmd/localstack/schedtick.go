package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hoadon/hoadon/emulators/localstack"
)

// schedTick plays Cloud Scheduler locally: every period it POSTs {} to the
// server's schedtick function (as the terraform job does every 5 minutes),
// with an OIDC ID token for the function's URL like the job's, so the
// schedules of shared/schedule run on a laptop too. Only this command knows
// about it: the emulators know nothing of the functions.
type schedTick struct {
	url    string // {functions-url}/schedtick
	every  time.Duration
	token  func(audience string) (string, error) // nil: no Authorization header
	client *http.Client
	log    io.Writer
}

// newSchedTick returns the ticker, or nil when it is off (no functions URL,
// or a period of 0). token mints the ID token of each call.
func newSchedTick(functionsURL string, every time.Duration, token func(string) (string, error), log io.Writer) *schedTick {
	if functionsURL == "" || every <= 0 {
		return nil
	}
	return &schedTick{url: strings.TrimSuffix(functionsURL, "/") + "/schedtick", every: every, token: token,
		client: &http.Client{Timeout: 5 * time.Minute}, log: log}
}

// run ticks until ctx ends. The first tick comes one period after the
// start (the server is usually started after the emulators); a failed tick
// is reported and the next one tried as usual, as Cloud Scheduler does.
func (s *schedTick) run(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			started, err := s.tick(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				fmt.Fprintf(s.log, "localstack: schedtick: %v\n", err)
			case started > 0:
				fmt.Fprintf(s.log, "localstack: schedtick started %d scheduled import(s)\n", started)
			}
		}
	}
}

// tick calls the function once and returns how many runs it started.
func (s *schedTick) tick(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader([]byte("{}")))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.token != nil {
		tok, err := s.token(s.url)
		if err != nil {
			return 0, fmt.Errorf("minting the ID token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("POST %s: %w", s.url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("POST %s: %s: %s", s.url, resp.Status, bytes.TrimSpace(body))
	}
	var rep struct {
		Started []json.RawMessage `json:"started"`
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		return 0, fmt.Errorf("POST %s: unreadable answer: %w", s.url, err)
	}
	return len(rep.Started), nil
}

// schedtickAccount is the account the ticker's tokens name.
func schedtickAccount(st *localstack.Stack, account string) string {
	if account != "" || st.Workflows() == nil {
		return account
	}
	return st.Workflows().ServiceAccountEmail()
}

// schedtickToken mints ID tokens with the emulators' OIDC issuer (the one
// the server verifies internal callers against), as Cloud Scheduler's
// oidc_token does with Google's.
func schedtickToken(st *localstack.Stack, account string) func(string) (string, error) {
	wf := st.Workflows()
	if wf == nil || wf.Issuer() == nil {
		return nil
	}
	email := schedtickAccount(st, account)
	return func(audience string) (string, error) { return wf.Issuer().Token(audience, email, 10*time.Minute) }
}
