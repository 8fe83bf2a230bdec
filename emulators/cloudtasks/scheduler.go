package cloudtasks

import (
	"container/heap"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// runQueue is the queue's scheduler: it dispatches whatever is due and allowed, then sleeps
// until the next due time or token, or until something wakes it (new task, completion,
// resume, rate change). It never polls.
func (s *Server) runQueue(q *queue) {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		s.mu.Lock()
		wait := s.dispatchReady(q, time.Now())
		s.mu.Unlock()
		if wait >= 0 {
			timer.Reset(wait)
		}
		select {
		case <-q.stop:
			return
		case <-q.kick:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// dispatchReady launches every task that is due and permitted by state, concurrency and the
// token bucket. It returns how long to sleep before something may become possible, or -1 to
// sleep until woken. Caller holds s.mu.
func (s *Server) dispatchReady(q *queue, now time.Time) time.Duration {
	for {
		if s.closed || q.deleted || !q.running() || len(q.pending) == 0 {
			return -1
		}
		next := q.pending[0]
		if next.due.After(now) {
			return next.due.Sub(now)
		}
		if q.inflight >= int(q.pb.GetRateLimits().GetMaxConcurrentDispatches()) {
			return -1 // a completion wakes us
		}
		if !q.bucket.take(now) {
			return q.bucket.wait()
		}
		heap.Pop(&q.pending)
		s.launch(q, next, now)
	}
}

// launch records a dispatch of t and starts the HTTP attempt. Caller holds s.mu.
func (s *Server) launch(q *queue, t *task, now time.Time) {
	spec := s.attemptSpec(q, t)
	t.running++
	q.inflight++
	t.pb.DispatchCount++
	t.enc = nil
	attempt := &cloudtaskspb.Attempt{
		ScheduleTime: timestamppb.New(t.due), DispatchTime: timestamppb.New(now),
	}
	if t.pb.FirstAttempt == nil {
		t.pb.FirstAttempt = &cloudtaskspb.Attempt{DispatchTime: attempt.DispatchTime}
	}
	t.pb.LastAttempt = attempt
	s.dirty = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		res := s.attempt(spec)
		s.mu.Lock()
		s.finish(q, t, res, time.Now())
		s.mu.Unlock()
		q.wake()
	}()
}

// finish applies an attempt's outcome: delete on 2xx, otherwise retry with backoff or give
// up when the retry limits are exhausted. Caller holds s.mu.
func (s *Server) finish(q *queue, t *task, res result, now time.Time) {
	q.inflight--
	t.running--
	if res.shutdown || q.deleted || q.tasks[t.pb.GetName()] != t {
		return // server closing, or the task was deleted/purged meanwhile
	}
	s.dirty = true
	t.enc = nil
	if last := t.pb.LastAttempt; last != nil {
		last.ResponseTime = timestamppb.New(now)
		last.ResponseStatus = &status.Status{Code: int32(res.code), Message: res.reason}
	}
	t.prevResponse, t.retryReason = int32(res.httpStatus), res.reason
	if res.httpStatus != 0 {
		t.pb.ResponseCount++
		if res.httpStatus < 500 {
			t.execCount++
		}
	}
	if res.code == code.Code_OK {
		q.remove(t, s.tombstoneTTL, now)
		return
	}
	if t.running > 0 {
		return // another attempt (RunTask) is in flight; its outcome decides
	}
	p := policyFor(q.pb.GetRetryConfig(), t.pb.GetRetryConfig())
	first := t.pb.GetFirstAttempt().GetDispatchTime().AsTime()
	if p.exhausted(t.pb.DispatchCount, first, t.pb.GetCreateTime().AsTime(), now) {
		q.remove(t, s.tombstoneTTL, now)
		return
	}
	t.due = now.Add(p.backoff(t.pb.DispatchCount))
	t.pb.ScheduleTime = timestamppb.New(t.due)
	q.push(t)
}
