// Package cloudtasks is a local Cloud Tasks (v2) emulator: a gRPC server implementing
// cloudtaskspb.CloudTasksServer that the official client cloud.google.com/go/cloudtasks/apiv2
// talks to, plus a real HTTP dispatcher that pushes HTTP-target tasks to their URLs.
//
// It exists because Google ships no Cloud Tasks emulator, and the import pipeline relies on
// Cloud Tasks semantics that a fake would hide: per-queue rate limits (token bucket) and
// concurrency caps, the documented retry/backoff schedule, dispatch deadlines, named-task
// de-duplication with tombstones, the X-CloudTasks-* request headers and OIDC ID tokens.
//
// Design: one scheduler goroutine per queue sleeps on a timer or a wake-up channel (never a
// busy loop); all state sits behind one mutex in Server; each attempt runs in its own
// goroutine bounded by the queue's max_concurrent_dispatches. The package imports nothing from
// the code it stands in for (see README.md for what is and is not supported).
package cloudtasks
