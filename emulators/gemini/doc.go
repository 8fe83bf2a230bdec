// Package gemini is a fake Vertex AI generateContent endpoint for tests and
// the local stack. It speaks the REST shape the official
// google.golang.org/genai client uses with the Vertex AI backend
// (POST /v1beta1/projects/P/locations/L/publishers/google/models/M:generateContent,
// gcp.md §8.4), so code under test runs the real client against it.
//
// It answers captcha prompts with its own solver (a nearest-neighbour shape
// matcher over labelled example SVGs), which shares nothing with
// shared/captcha, or with a fixed answer or a func; it can fail on demand
// with 429/5xx. Like every emulator it imports nothing from shared/.
package gemini
