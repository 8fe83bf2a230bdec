package captcha

import (
	"strings"

	"github.com/hoadon/hoadon/shared/captcha/internal/glyph"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// Length is the number of characters in every portal captcha.
const Length = glyph.Length

// Alphabet lists the characters the portal draws: digits 2-9 and the upper
// case letters without I, L, O and U (gdt-portal.md §2.2).
const Alphabet = glyph.Alphabet

// inAlphabet reports whether c is one of the Alphabet characters.
func inAlphabet(c byte) bool {
	return strings.IndexByte(Alphabet, c) >= 0
}

// NormalizeAnswer trims and upper-cases s and checks that it is Length
// characters of the Alphabet. Every answer (from Gemini, from a user, or
// given to Learn) goes through it. The error wraps ErrInvalidAnswer and is
// classified hoadon.CodeInvalid.
func NormalizeAnswer(s string) (string, error) {
	up := strings.ToUpper(strings.TrimSpace(s))
	if len(up) != Length {
		return "", classified(hoadon.CodeInvalid, ErrInvalidAnswer, "captcha: answer has %d characters, want %d", len(up), Length)
	}
	for i := 0; i < len(up); i++ {
		if !inAlphabet(up[i]) {
			return "", classified(hoadon.CodeInvalid, ErrInvalidAnswer, "captcha: answer character %d is not in the alphabet %s", i+1, Alphabet)
		}
	}
	return up, nil
}
