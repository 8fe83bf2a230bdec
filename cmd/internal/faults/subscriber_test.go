package faults_test

import (
	"testing"
	"time"
)

// TestSubscriberDown: the webhook subscriber answers 503 to everything
// while a whole import runs. The import is not held up; its events wait in
// the outbox and the webhooks queue, and once the subscriber is back each
// arrives exactly once.
func TestSubscriberDown(t *testing.T) {
	rejected0 := h.SubscriberRejected()
	h.SetSubscriberDown(true)
	t.Cleanup(func() { h.SetSubscriberDown(false) })
	t0 := time.Now()
	id := start(t, coSubscriber)
	st := finish(t, id)
	// Every event of the import has been refused at least once.
	events := 3 + done(st)
	poll(t, 30*time.Second, "every event refused once", func() bool {
		return h.SubscriberRejected()-rejected0 >= int64(events)
	})
	if n := len(received(t, id)); n != 0 {
		t.Fatalf("%d events recorded while the subscriber was down", n)
	}
	h.SetSubscriberDown(false)
	downFor, up := time.Since(t0), time.Now()
	o := checkTruth(t, coSubscriber, id, st, nil)
	caught := time.Since(up)
	for _, r := range received(t, id) {
		if n := h.SubscriberAcceptedEvent(r.ID); n != 1 {
			t.Errorf("event %s (%s) accepted %d times; want exactly once", r.ID, r.Type, n)
		}
	}
	t.Logf("subscriber down %.1fs: %d deliveries refused; all %d events accepted once within %.1fs of its return (%d stored, %d unavailable)",
		downFor.Seconds(), h.SubscriberRejected()-rejected0, events, caught.Seconds(), o.stored, o.unavailable)
}
