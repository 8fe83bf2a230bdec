// Package opcount counts the billable operations this process asks of Google Cloud: Firestore
// document reads, writes and deletes, Cloud Tasks API calls, Cloud Storage class A and B
// operations and bytes written, and the requests the process serves (Cloud Run requests,
// among them Cloud Tasks deliveries). The counts are what docs/cost.md prices; cmd/bench reads
// them over /debug/ops of a local server, and a test keeps them per stored invoice within a
// budget.
//
// Counting is a few atomic additions per call and always on. Firestore and Cloud Tasks are
// counted by gRPC interceptors the clients get in shared/gcp; Cloud Storage by shared/blob,
// the one owner of object access; served requests by Middleware.
package opcount

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
)

// Kind is one billable operation kind.
type Kind int

// The kinds, in the order they are reported.
const (
	FirestoreRead   Kind = iota // documents read (a query returning none bills one)
	FirestoreWrite              // documents written (set, update, create)
	FirestoreDelete             // documents deleted
	TasksCall                   // Cloud Tasks API calls (create, get, delete, ...)
	TasksDelivery               // Cloud Tasks push deliveries served by this process
	GCSClassA                   // object inserts and lists
	GCSClassB                   // object reads and metadata reads
	GCSBytesWritten             // bytes of the objects inserted
	RunRequest                  // HTTP requests served (Cloud Run bills each)
	numKinds
)

var names = [numKinds]string{
	"firestore_reads", "firestore_writes", "firestore_deletes", "tasks_calls", "tasks_deliveries",
	"gcs_class_a", "gcs_class_b", "gcs_bytes_written", "run_requests",
}

// String is the kind's name in reports and JSON.
func (k Kind) String() string {
	if k < 0 || k >= numKinds {
		return "unknown"
	}
	return names[k]
}

// Kinds lists every kind in report order.
func Kinds() []Kind {
	out := make([]Kind, numKinds)
	for i := range out {
		out[i] = Kind(i)
	}
	return out
}

var counts [numKinds]atomic.Int64

// Add counts n operations of kind k.
func Add(k Kind, n int64) {
	if k >= 0 && k < numKinds && n > 0 {
		counts[k].Add(n)
	}
}

// Snapshot is every count so far, by kind name.
type Snapshot map[string]int64

// Take returns the counts so far.
func Take() Snapshot {
	s := make(Snapshot, numKinds)
	for k := range numKinds {
		s[k.String()] = counts[k].Load()
	}
	return s
}

// Sub returns s minus before, kind by kind.
func (s Snapshot) Sub(before Snapshot) Snapshot {
	out := make(Snapshot, len(s))
	for k, v := range s {
		out[k] = v - before[k]
	}
	return out
}

// Handler serves Take as JSON (GET /debug/ops of a local server).
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(Take())
	})
}

// Middleware counts every request h serves, and those Cloud Tasks delivers (they carry
// X-CloudTasks-TaskName) once more as deliveries.
func Middleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Add(RunRequest, 1)
		if r.Header.Get("X-CloudTasks-TaskName") != "" {
			Add(TasksDelivery, 1)
		}
		h.ServeHTTP(w, r)
	})
}

// Wrap is h counted by Middleware; with expose, GET /debug/ops answers the counts (for a
// server bound to loopback: the bench reads them).
func Wrap(h http.Handler, expose bool) http.Handler {
	if expose {
		m := http.NewServeMux()
		m.Handle("GET /debug/ops", Handler())
		m.Handle("/", h)
		h = m
	}
	return Middleware(h)
}
