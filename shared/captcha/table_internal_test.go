package captcha

import (
	"context"
	"errors"
	"os"
	"testing"
)

// Ensure a real glyph whose signature is missing from the table is reported
// at the right position with its signature, never guessed, and that Learn
// restores it.
func TestRemovedSignatureIsUnknown(t *testing.T) {
	svg, err := os.ReadFile("../../testdata/captcha/2963C9.svg")
	if err != nil {
		t.Fatal(err)
	}
	const sigOf3 = "MQ32ZMQ45Z" // '3', the fourth character of 2963C9
	if builtinTable[sigOf3] != '3' {
		t.Fatalf("built-in table lacks %s → '3'", sigOf3)
	}
	reduced := make(map[string]byte, len(builtinTable))
	for s, c := range builtinTable {
		if s != sigOf3 {
			reduced[s] = c
		}
	}
	tab := newTable(reduced)
	_, err = tab.Solve(context.Background(), svg)
	var ue *UnknownGlyphError
	if !errors.As(err, &ue) {
		t.Fatalf("Solve err = %v, want *UnknownGlyphError", err)
	}
	if len(ue.Glyphs) != 1 || ue.Glyphs[0] != (GlyphSignature{Position: 4, Signature: sigOf3}) {
		t.Fatalf("unknown = %+v, want position 4 signature %s", ue.Glyphs, sigOf3)
	}
	if err := tab.Learn(svg, "2963C9"); err != nil {
		t.Fatalf("Learn: %v", err)
	}
	if got, err := tab.Solve(context.Background(), svg); err != nil || got != "2963C9" {
		t.Fatalf("after Learn: %q, %v", got, err)
	}
}
