// Package gemini is a fake Vertex AI generateContent endpoint for tests and
// the local stack. It speaks the REST shape the official
// google.golang.org/genai client uses with the Vertex AI backend
// (POST /v1beta1/projects/P/locations/L/publishers/google/models/M:generateContent,
// gcp.md §8.4), so code under test runs the real client against it.
//
// By default it answers a captcha SVG found in the prompt with its own solver
// (a nearest-neighbour shape matcher over 14 embedded labelled captchas),
// which shares nothing with shared/captcha; it can instead reply with a fixed
// answer or a func, and fail on demand with 429/5xx. Like every emulator it
// imports nothing from shared/.
package gemini
