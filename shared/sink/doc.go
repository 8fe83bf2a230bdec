// Package sink is hoadon's own event consumer: the logic of the eventsink
// function, which end-to-end tests and operators use to see exactly which
// events an import delivered.
//
// A [Handler] accepts binary-mode CloudEvents POSTed by the deliver
// function. It verifies the RFC 9421 signature and the RFC 9530
// Content-Digest through events.Receive (401 on any failure, including a
// replayed nonce), checks that the request is one of hoadon's catalogue
// events (400 otherwise), and records it in Firestore as received/{eventId}.
// Event ids are deterministic, so the record document is also the
// de-duplication marker: it is created only if absent, in one atomic commit,
// and a re-delivery of an accepted event is acknowledged (200) without being
// recorded again. A crash before the commit loses nothing (the sender
// retries); a crash after it doubles nothing (the retry finds the marker).
//
// Replay protection must hold across instances, so nonces live in Firestore
// too ([FirestoreReplay], replay/{sha256(key)} with an expiry); [Store]
// answers the questions tests and the CLI ask (what did import X deliver, in
// which order, how many).
package sink
