package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const labelledDir = "../../../../testdata/captcha"

// Ensure the committed table_gen.go is exactly what the generator produces
// from the committed samples (i.e. nobody forgot `go generate`).
func TestCommittedTableUpToDate(t *testing.T) {
	samples, err := readDir(labelledDir)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := build(samples)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab) != 30 {
		t.Errorf("table has %d signatures, want 30 (one per alphabet character)", len(tab))
	}
	if w := tab.warnings(); len(w) != 0 {
		t.Errorf("warnings: %v", w)
	}
	got, err := tab.source("captcha", "../../testdata/captcha")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../table_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("table_gen.go is stale: run `go generate ./shared/captcha`")
	}
}

// Ensure a signature labelled with two characters is refused with a message
// naming the signature, both characters and both files.
func TestInconsistentLabelsRefused(t *testing.T) {
	svg, err := os.ReadFile(filepath.Join(labelledDir, "2963C9.svg"))
	if err != nil {
		t.Fatal(err)
	}
	samples := []sample{
		{name: "2963C9.svg", answer: "2963C9", svg: svg},
		{name: "2963S9.svg", answer: "2963S9", svg: svg}, // C mislabelled as S
	}
	_, err = build(samples)
	if err == nil {
		t.Fatal("build accepted contradictory labels")
	}
	for _, want := range []string{"inconsistent labels", "'C'", "'S'", "2963C9.svg", "2963S9.svg", "position 5"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// Ensure bad labels and a missing directory are clear errors of run.
func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ABCDEI.svg"), []byte("<svg/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		"no dir flag": {},
		"empty dir":   {"-dir", t.TempDir()},
		"bad label":   {"-dir", dir, "-out", filepath.Join(dir, "x.go")},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			if err := run(args, io.Discard); err == nil {
				t.Fatal("run succeeded")
			}
		})
	}
}

// Ensure run writes a file identical to the committed one.
func TestRunWritesTable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "table_gen.go")
	if err := run([]string{"-dir", labelledDir, "-out", out}, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("var builtinTable = map[string]byte{")) {
		t.Fatalf("unexpected output:\n%s", b)
	}
}
