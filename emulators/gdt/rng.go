package gdt

import (
	"encoding/hex"
	"math/rand/v2"
)

// mix is SplitMix64's finaliser: it turns structured inputs (seed, company,
// month…) into well-spread 64-bit values so every company-month gets an
// independent, reproducible random stream.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// derive hashes a seed and a path of integers into one value.
func derive(seed int64, parts ...uint64) uint64 {
	h := mix(uint64(seed))
	for _, p := range parts {
		h = mix(h ^ p)
	}
	return h
}

// newRand returns a deterministic generator for the given path.
func newRand(seed int64, parts ...uint64) *rand.Rand {
	h := derive(seed, parts...)
	return rand.New(rand.NewPCG(h, mix(h)))
}

// uuidFrom formats 16 random bytes of r as a version-4 UUID string.
func uuidFrom(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// hexFrom returns n random lowercase or uppercase hex digits.
func hexFrom(r *rand.Rand, n int, upper bool) string {
	const lo, up = "0123456789abcdef", "0123456789ABCDEF"
	digits := lo
	if upper {
		digits = up
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
