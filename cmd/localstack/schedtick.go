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
)

// schedTick plays Cloud Scheduler locally: every period it POSTs {} to the
// server's schedtick function (as the terraform job does every 5 minutes),
// so the schedules of shared/schedule run on a laptop too. Only this command
// knows about it: the emulators know nothing of the functions.
type schedTick struct {
	url    string // {functions-url}/schedtick
	every  time.Duration
	client *http.Client
	log    io.Writer
}

// newSchedTick returns the ticker, or nil when it is off (no functions URL,
// or a period of 0).
func newSchedTick(functionsURL string, every time.Duration, log io.Writer) *schedTick {
	if functionsURL == "" || every <= 0 {
		return nil
	}
	return &schedTick{url: strings.TrimSuffix(functionsURL, "/") + "/schedtick", every: every,
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
