package e2e

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
)

// gate serves the webhook subscriber (the eventsink function, called in
// process so the signature's @target-uri is the gate's own URL) and can
// answer 503 instead, like a subscriber that is down.
type gate struct {
	url      string
	srv      *http.Server
	down     atomic.Bool
	rejected atomic.Int64
	accepted atomic.Int64

	mu   sync.Mutex
	byID map[string]int // accepted deliveries per CloudEvent id (ce-id)
}

func startGate(h http.Handler) (*gate, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &gate{url: "http://" + lis.Addr().String(), byID: map[string]int{}}
	g.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.down.Load() {
			g.rejected.Add(1)
			http.Error(w, "subscriber down", http.StatusServiceUnavailable)
			return
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		if rec.status >= 200 && rec.status < 300 {
			g.accepted.Add(1)
			g.mu.Lock()
			g.byID[r.Header.Get("Ce-Id")]++
			g.mu.Unlock()
		}
	})}
	go g.srv.Serve(lis)
	return g, nil
}

func (g *gate) close() error { return g.srv.Close() }

// SetSubscriberDown makes the webhook subscriber answer 503 to every
// delivery (true) or receive them again (false).
func (h *Harness) SetSubscriberDown(down bool) { h.sub.down.Store(down) }

// SubscriberRejected counts the deliveries the subscriber refused while down.
func (h *Harness) SubscriberRejected() int64 { return h.sub.rejected.Load() }

// SubscriberAccepted counts the deliveries the subscriber answered 2xx.
func (h *Harness) SubscriberAccepted() int64 { return h.sub.accepted.Load() }

// SubscriberAcceptedEvent counts the deliveries of one event (by its
// CloudEvent id) the subscriber answered 2xx: exactly-once delivery is 1.
func (h *Harness) SubscriberAcceptedEvent(id string) int {
	h.sub.mu.Lock()
	defer h.sub.mu.Unlock()
	return h.sub.byID[id]
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
