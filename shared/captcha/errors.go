package captcha

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Sentinel errors. The package's errors are *hoadon.Error values (context
// errors excepted); those about the captcha or an answer carry one of these
// as cause, so callers can read the hoadon Code and test the exact cause
// with errors.Is. Gemini transport errors carry the genai error instead.
var (
	// ErrUnknownGlyph: a glyph's signature is not in the table. This is the
	// only class a Chain falls back on; the error is an *UnknownGlyphError
	// (hoadon.CodeBadData).
	ErrUnknownGlyph = errors.New("unknown captcha glyph")
	// ErrMalformed: the SVG is not shaped like a portal captcha (not XML, no
	// <svg> root, wrong number of glyph paths, unreadable path data);
	// hoadon.CodeBadData.
	ErrMalformed = errors.New("malformed captcha svg")
	// ErrInvalidAnswer: an answer (from Gemini, Learn or a user) is not six
	// characters of the Alphabet; hoadon.CodeInvalid or CodeBadData.
	ErrInvalidAnswer = errors.New("invalid captcha answer")
	// ErrConflict: a learned or imported signature contradicts the table
	// (one signature, two characters); hoadon.CodeConflict.
	ErrConflict = errors.New("captcha signature conflict")
)

// GlyphSignature identifies one glyph that the table could not map.
type GlyphSignature struct {
	Position  int    // 1-based, left to right
	Signature string // run-length command signature, e.g. "MQ5ZMQ13Z"
}

// UnknownGlyphError says which glyphs of a captcha the table does not know,
// so an operator can label them (or Learn can add them after a login).
type UnknownGlyphError struct {
	Glyphs []GlyphSignature
}

// Error implements error. The text is for developers: it names the
// signatures to label (see README.md) and goes to logs only.
func (e *UnknownGlyphError) Error() string {
	parts := make([]string, len(e.Glyphs))
	for i, g := range e.Glyphs {
		parts[i] = fmt.Sprintf("position %d signature %s", g.Position, g.Signature)
	}
	return "captcha: unknown glyph at " + strings.Join(parts, ", ") +
		" (label the SVG with its answer and run `go generate ./shared/captcha`)"
}

// LogOnly keeps the developer hint out of hoadon.ErrorMessage.
func (e *UnknownGlyphError) LogOnly() {}

// unknownGlyphMessage is what a user reads (hoadon.ErrorMessage) when the
// table cannot read a captcha.
const unknownGlyphMessage = "the captcha has a character the offline solver does not know: " +
	"try again (the portal gives a new captcha each time), or enable the Gemini fallback " +
	"(HOADON_GEMINI_PROJECT for the service, --gemini-project for the CLI)"

// Is makes errors.Is(err, ErrUnknownGlyph) true.
func (e *UnknownGlyphError) Is(target error) bool { return target == ErrUnknownGlyph }

// malformed classifies a structural problem of the SVG found by the parser.
func malformed(err error) error {
	return classified(hoadon.CodeBadData, ErrMalformed, "captcha: %v", err)
}

// conflict reports a signature that would map to two characters.
func conflict(sig string, have, want byte) error {
	return classified(hoadon.CodeConflict, ErrConflict, "captcha: signature %s is %q in the table but the answer says %q", sig, have, want)
}

// classified builds a *hoadon.Error caused by sentinel. The message does not
// repeat the sentinel's text: hoadon.Error appends its cause itself.
func classified(code hoadon.Code, sentinel error, format string, args ...any) error {
	return &hoadon.Error{Code: code, Message: fmt.Sprintf(format, args...), Err: sentinel}
}
