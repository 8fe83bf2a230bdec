package workflows

import (
	"log/slog"
)

// maxSleepSeconds is the documented maximum of sys.sleep (one year).
const maxSleepSeconds = 31536000

func init() {
	register(
		optional(fn("sys.get_env", []string{"name", "default"}, fnGetEnv), 1),
		blocking(fn("sys.sleep", []string{"seconds"}, fnSleep)),
		fn("sys.now", nil, func(c *callCtx, _ []any) (any, error) {
			return float64(c.ex.eng.clock.Now().UnixNano()) / 1e9, nil
		}),
		optional(fn("sys.log", []string{"data", "severity", "text", "json", "timeout"}, fnLog), 0),
		predicate("http.default_retry_predicate", defaultRetryPredicate),
		predicate("http.default_retry_predicate_non_idempotent", nonIdempotentPredicate),
		predicate("retry.always", func(any) bool { return true }),
		predicate("retry.never", func(any) bool { return false }),
	)
}

func predicate(name string, f func(e any) bool) *builtin {
	b := fn(name, []string{"exception"}, func(_ *callCtx, a []any) (any, error) { return f(a[0]), nil })
	b.predicate = true
	return b
}

func errCode(e any) int64 {
	m, _ := e.(map[string]any)
	c, _ := m["code"].(int64)
	return c
}

// defaultRetryPredicate retries 429, 502, 503, 504 and connection and timeout errors.
func defaultRetryPredicate(e any) bool {
	if hasTag(e, tagHTTP) {
		switch errCode(e) {
		case 429, 502, 503, 504:
			return true
		}
	}
	return hasTag(e, tagConnection) || hasTag(e, tagConnectionFailed) || hasTag(e, tagTimeout)
}

// nonIdempotentPredicate retries only 429, 503 and ConnectionFailedError (the request surely
// was not processed).
func nonIdempotentPredicate(e any) bool {
	if hasTag(e, tagHTTP) {
		switch errCode(e) {
		case 429, 503:
			return true
		}
	}
	return hasTag(e, tagConnectionFailed)
}

// builtinEnv are the documented built-in environment variables.
func (ex *execution) builtinEnv(name string) (string, bool) {
	switch name {
	case "GOOGLE_CLOUD_PROJECT_ID":
		return ex.eng.project, true
	case "GOOGLE_CLOUD_LOCATION":
		return ex.eng.location, true
	case "GOOGLE_CLOUD_WORKFLOW_ID":
		return ex.workflowID, true
	case "GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID":
		return ex.id, true
	case "GOOGLE_CLOUD_WORKFLOW_REVISION_ID":
		return ex.wf.Revision, true
	case "GOOGLE_CLOUD_SERVICE_ACCOUNT_NAME":
		return ex.eng.saEmail, true
	}
	v, ok := ex.eng.env[name]
	return v, ok
}

func fnGetEnv(c *callCtx, a []any) (any, error) {
	name, err := argString("sys.get_env", a, 0)
	if err != nil {
		return nil, err
	}
	if v, ok := c.ex.builtinEnv(name); ok {
		return v, nil
	}
	if given(a[1]) {
		return a[1], nil
	}
	return nil, nil
}

func fnSleep(c *callCtx, a []any) (any, error) {
	s, err := argNumber("sys.sleep", a, 0)
	if err != nil {
		return nil, err
	}
	if s < 0 || s > maxSleepSeconds {
		return nil, newErr(tagValue, "sys.sleep: seconds must be between 0 and %d, got %v", maxSleepSeconds, s)
	}
	return nil, c.ex.eng.clock.Sleep(c.ctx, s)
}

func fnLog(c *callCtx, a []any) (any, error) {
	sev := "DEFAULT"
	if s, ok := a[1].(string); ok {
		sev = s
	}
	var payload any
	for _, v := range []any{a[0], a[2], a[3]} {
		if given(v) {
			payload = v
		}
	}
	level := slog.LevelInfo
	switch sev {
	case "WARNING":
		level = slog.LevelWarn
	case "ERROR", "CRITICAL", "ALERT", "EMERGENCY":
		level = slog.LevelError
	case "DEBUG":
		level = slog.LevelDebug
	}
	c.ex.eng.logger.Log(c.ctx, level, "sys.log", "execution", c.ex.id, "workflow", c.ex.workflowID,
		"severity", sev, "data", valueString(payload))
	return nil, nil
}
