package cloudtasks

import "time"

// backoff is the delay before retry number k (k = 1 after the first failed attempt), following
// the RetryConfig documentation: start at min_backoff, double max_doublings times, then grow
// linearly by 2^max_doublings * min_backoff per retry, never above max_backoff. With min 10s,
// max 300s and 3 doublings this gives 10, 20, 40, 80, 160, 240, 300, 300 … seconds.
func (p retryPolicy) backoff(k int32) time.Duration {
	if k < 1 {
		k = 1
	}
	step := k - 1
	var d time.Duration
	if step <= p.maxDoublings {
		d = scale(p.minBackoff, 1<<min(step, 62))
	} else {
		top := scale(p.minBackoff, 1<<min(p.maxDoublings, 62))
		d = scale(top, int64(step-p.maxDoublings)+1)
	}
	return min(max(d, p.minBackoff), p.maxBackoff)
}

// scale multiplies with saturation so huge doublings cannot overflow into negative delays.
func scale(d time.Duration, n int64) time.Duration {
	if d <= 0 || n <= 0 {
		return 0
	}
	if d > time.Duration(1<<62)/time.Duration(n) {
		return time.Duration(1 << 62)
	}
	return d * time.Duration(n)
}

// exhausted reports whether a task that has now failed `attempts` times, first dispatched at
// first, must be deleted instead of retried. Cloud Tasks stops only when both limits are
// satisfied; a limit that is switched off (max_attempts -1, max_retry_duration 0) never
// blocks the other, and with both off the task lives until the 31-day retention.
func (p retryPolicy) exhausted(attempts int32, first, created, now time.Time) bool {
	if now.Sub(created) >= taskRetention {
		return true
	}
	attemptsOn, durationOn := p.maxAttempts >= 0, p.maxRetryDur > 0
	attemptsDone := attemptsOn && attempts >= p.maxAttempts
	durationDone := durationOn && now.Sub(first) >= p.maxRetryDur
	switch {
	case attemptsOn && durationOn:
		return attemptsDone && durationDone
	case attemptsOn:
		return attemptsDone
	case durationOn:
		return durationDone
	}
	return false
}
