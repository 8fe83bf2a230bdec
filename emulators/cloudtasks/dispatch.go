package cloudtasks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
)

// spec is everything one HTTP attempt needs, copied under the lock so the request is built
// without it.
type spec struct {
	url, method         string
	headers             map[string]string
	body                []byte
	oidcEmail, oidcAud  string
	deadline            time.Duration
	queueID, taskID     string
	retryCount, execCnt int32
	eta                 time.Time
	prevResponse        int32
	retryReason         string
}

// result is the outcome of one attempt.
type result struct {
	code       code.Code // OK for 2xx
	httpStatus int       // 0 when no response arrived
	reason     string    // retry reason sent on the next attempt
	shutdown   bool      // cancelled because the server is closing: not counted
}

// attemptSpec captures t's request. Caller holds s.mu.
func (s *Server) attemptSpec(q *queue, t *task) spec {
	hr := t.pb.GetHttpRequest()
	sp := spec{
		url: hr.GetUrl(), method: hr.GetHttpMethod().String(), headers: hr.GetHeaders(), body: hr.GetBody(),
		deadline: t.pb.GetDispatchDeadline().AsDuration(),
		queueID:  shortName(q.pb.GetName()), taskID: shortName(t.pb.GetName()),
		retryCount: t.pb.GetDispatchCount(), execCnt: t.execCount, eta: t.due,
		prevResponse: t.prevResponse, retryReason: t.retryReason,
	}
	if tok := hr.GetOidcToken(); tok != nil {
		sp.oidcEmail, sp.oidcAud = tok.GetServiceAccountEmail(), tok.GetAudience()
		if sp.oidcAud == "" {
			sp.oidcAud = hr.GetUrl() // documented default: the target URI
		}
	}
	return sp
}

// attempt performs the HTTP request with the dispatch deadline and classifies the outcome.
func (s *Server) attempt(sp spec) result {
	ctx, cancel := context.WithTimeout(s.ctx, sp.deadline)
	defer cancel()
	req, err := s.buildRequest(ctx, sp)
	if err != nil {
		s.log.Warn("cloudtasks: cannot build request", "queue", sp.queueID, "task", sp.taskID, "err", err)
		return result{code: code.Code_INTERNAL, reason: code.Code_INTERNAL.String()}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		switch {
		case s.ctx.Err() != nil:
			return result{shutdown: true}
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return result{code: code.Code_DEADLINE_EXCEEDED, reason: code.Code_DEADLINE_EXCEEDED.String()}
		}
		s.log.Debug("cloudtasks: dispatch failed", "queue", sp.queueID, "task", sp.taskID, "err", err)
		return result{code: code.Code_UNAVAILABLE, reason: code.Code_UNAVAILABLE.String()}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	c := codeForHTTP(resp.StatusCode)
	return result{code: c, httpStatus: resp.StatusCode, reason: c.String()}
}

// buildRequest assembles the request as Cloud Tasks sends it: the task's headers minus the
// ones Cloud Tasks computes or reserves, User-Agent Google-Cloud-Tasks, the X-CloudTasks-*
// headers and, for oidc_token tasks, a Bearer ID token from the local issuer.
func (s *Server) buildRequest(ctx context.Context, sp spec) (*http.Request, error) {
	var body io.Reader
	if len(sp.body) > 0 {
		body = bytes.NewReader(sp.body)
	}
	req, err := http.NewRequestWithContext(ctx, sp.method, sp.url, body)
	if err != nil {
		return nil, fmt.Errorf("cloudtasks.buildRequest: %w", err)
	}
	for k, v := range sp.headers {
		if !reservedHeader(k, sp.oidcEmail != "") {
			req.Header.Set(k, v)
		}
	}
	h := req.Header
	h.Set("User-Agent", "Google-Cloud-Tasks")
	h.Set("X-CloudTasks-QueueName", sp.queueID)
	h.Set("X-CloudTasks-TaskName", sp.taskID)
	h.Set("X-CloudTasks-TaskRetryCount", strconv.Itoa(int(sp.retryCount)))
	h.Set("X-CloudTasks-TaskExecutionCount", strconv.Itoa(int(sp.execCnt)))
	h.Set("X-CloudTasks-TaskETA", strconv.FormatFloat(float64(sp.eta.UnixMicro())/1e6, 'f', 6, 64))
	if sp.retryCount > 0 {
		if sp.prevResponse != 0 {
			h.Set("X-CloudTasks-TaskPreviousResponse", strconv.Itoa(int(sp.prevResponse)))
		}
		h.Set("X-CloudTasks-TaskRetryReason", sp.retryReason)
	}
	if sp.oidcEmail != "" {
		tok, err := s.tokens.get(sp.oidcAud, sp.oidcEmail)
		if err != nil {
			return nil, fmt.Errorf("cloudtasks.buildRequest: %w", err)
		}
		h.Set("Authorization", "Bearer "+tok)
	}
	return req, nil
}

// reservedHeader reports task headers Cloud Tasks ignores or replaces.
func reservedHeader(k string, oidc bool) bool {
	k = strings.ToLower(k)
	switch {
	case k == "host", k == "content-length", k == "user-agent":
		return true
	case strings.HasPrefix(k, "x-google-"), strings.HasPrefix(k, "x-appengine-"), strings.HasPrefix(k, "x-cloudtasks-"):
		return true
	case k == "authorization":
		return oidc
	}
	return false
}

// codeForHTTP maps an HTTP status to the google.rpc.Code recorded in Attempt.response_status.
func codeForHTTP(s int) code.Code {
	switch {
	case s >= 200 && s < 300:
		return code.Code_OK
	case s == 400:
		return code.Code_INVALID_ARGUMENT
	case s == 401:
		return code.Code_UNAUTHENTICATED
	case s == 403:
		return code.Code_PERMISSION_DENIED
	case s == 404:
		return code.Code_NOT_FOUND
	case s == 409:
		return code.Code_ABORTED
	case s == 429:
		return code.Code_RESOURCE_EXHAUSTED
	case s == 499:
		return code.Code_CANCELLED
	case s == 501:
		return code.Code_UNIMPLEMENTED
	case s == 503:
		return code.Code_UNAVAILABLE
	case s == 504:
		return code.Code_DEADLINE_EXCEEDED
	case s >= 500:
		return code.Code_INTERNAL
	}
	return code.Code_UNKNOWN // 1xx/3xx left unfollowed, other 4xx
}

// tokenCache reuses ID tokens per (audience, email) while they have > 10 min left, because
// RS256 signing on every dispatch would dominate CPU at hundreds of dispatches a second.
type tokenCache struct {
	mu     sync.Mutex
	sign   func(aud, email string, ttl time.Duration) (string, error)
	tokens map[[2]string]cachedToken
}

type cachedToken struct {
	tok string
	exp time.Time
}

func (c *tokenCache) get(aud, email string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key, now := [2]string{aud, email}, time.Now()
	if ct, ok := c.tokens[key]; ok && ct.exp.Sub(now) > 10*time.Minute {
		return ct.tok, nil
	}
	tok, err := c.sign(aud, email, time.Hour)
	if err != nil {
		return "", fmt.Errorf("oidc token: %w", err)
	}
	c.tokens[key] = cachedToken{tok: tok, exp: now.Add(time.Hour)}
	return tok, nil
}
