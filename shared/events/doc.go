// Package events is hoadon's event catalogue and its CloudEvents encoding:
// what an import tells other systems (import started, discovery done, each
// invoice stored / failed / unavailable, import completed / failed /
// cancelled), built with the CloudEvents Go SDK, sent as binary-mode HTTP
// requests signed with RFC 9421 (package httpsig), and received with the
// signature, the body digest and the event checked before anything is
// decoded.
//
// Event ids are deterministic (a hash of import id, type and subject), so a
// retried delivery or a re-run of the same state change carries the same id
// and consumers de-duplicate with a [Deduper]. Event data carries ids,
// counts and object names only: never passwords, tokens, captcha answers or
// invoice XML.
package events
