// Package captcha solves the GDT portal's login captcha.
//
// The portal draws each of the six characters as one filled SVG <path> whose
// sequence of path commands is fixed per character (only the coordinates
// jitter), plus two stroked noise curves, in shuffled order. A Table maps
// each glyph's command signature to its character, so solving is a lookup
// that takes microseconds and never guesses: a signature the table does not
// know is reported as an *UnknownGlyphError naming its position.
//
// The built-in table (table_gen.go) is generated from the labelled captchas
// in testdata/captcha by internal/gentable; run `go generate ./shared/captcha`
// after adding samples. A deployment can grow its table at run time with
// Table.Learn once a login confirms an answer, and persist what it learned
// with Export/Import.
//
// For signatures nobody has seen yet, Gemini (google.golang.org/genai, Vertex
// AI backend) is the fallback: Chain{NewTable(), gemini} tries the table and
// asks Gemini only when the table reports an unknown glyph.
package captcha

//go:generate go run ./internal/gentable -dir ../../testdata/captcha -out table_gen.go
