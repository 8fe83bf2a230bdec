package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestEmbeddedTableIsUpToDate regenerates the glyph table from the labelled
// captchas and compares it with the file the simulator embeds, so a changed
// fixture or generator cannot silently diverge from glyphs.json.
func TestEmbeddedTableIsUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "glyphs.json")
	if err := run("../../../../testdata/captcha", out); err != nil {
		t.Fatalf("run: %v", err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../glyphs.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("glyphs.json is stale: run `go generate ./emulators/gdt`")
	}
}

func TestNormaliseKeepsCommandLetters(t *testing.T) {
	g, err := normalise("M10.50 20.00L11.00 21.00Q12.00 22.00 13.00 23.00Z")
	if err != nil {
		t.Fatal(err)
	}
	if g.sig != "MLQZ" || g.x != 10.5 || g.d != "M0.00 20.00L0.50 21.00Q1.50 22.00 2.50 23.00Z" {
		t.Fatalf("got %+v", g)
	}
}
