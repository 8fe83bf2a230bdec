package hoadon

import "time"

// MaxRetryAfter caps every wait a server advises (a portal's Retry-After):
// the value is untrusted, and one answer of "Retry-After: 999999999" must not
// park a company's imports for years.
const MaxRetryAfter = 10 * time.Minute

// CapRetryAfter bounds an advised wait to [0, MaxRetryAfter]. Every client
// that reads a Retry-After calls it (shared/gdt when parsing, ErrorRetryAfter
// for whoever reads an error's advice).
func CapRetryAfter(d time.Duration) time.Duration {
	return min(max(d, 0), MaxRetryAfter)
}
