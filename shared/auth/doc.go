// Package auth decides who may call what.
//
// The public task API takes an API key (X-API-Key; stored as a SHA-256 hash,
// created and revoked with `hoadon apikey`) or a Google ID token of a
// configured principal. Internal functions (the workflow's and the queues'
// targets) take only OIDC ID tokens signed by the configured issuer, for one
// of the configured service accounts, with an audience that is exactly the
// URL of the function called (a token for /login does not open /download). On Cloud Run, IAM checks internal tokens before a request arrives; on
// the hybrid VM and locally, nothing else does, so the server checks them
// itself, the same way everywhere.
package auth
