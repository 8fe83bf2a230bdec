// Package localstack starts every local stand-in hoadon needs, wired together, in one call:
// the GDT portal simulator (or an external portal URL), the official Firestore emulator,
// fake GCS, the Cloud Tasks and Cloud Workflows emulators sharing one OIDC issuer, and the
// fake Gemini endpoint. Env reports the environment the server and CLI read to find them.
//
// cmd/localstack is a thin command around it; end-to-end tests call Start directly so the
// whole stack runs in the test process (only the Firestore JVM is a child process, stopped by
// Close).
package localstack
