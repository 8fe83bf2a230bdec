package captcha_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hoadon/hoadon/shared/captcha"
	"github.com/hoadon/hoadon/shared/hoadon"
)

const testdataDir = "../../testdata/captcha"

// labelled returns the labelled captchas: answer → SVG.
func labelled(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(testdataDir, "*.svg"))
	if err != nil || len(names) != 100 {
		t.Fatalf("want 100 labelled captchas in %s, got %d (%v)", testdataDir, len(names), err)
	}
	out := make(map[string][]byte, len(names))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(n), ".svg")] = b
	}
	return out
}

// Ensure the built-in table solves every labelled portal captcha.
func TestTableSolvesLabelledSet(t *testing.T) {
	tab := captcha.NewTable()
	for want, svg := range labelled(t) {
		t.Run(want, func(t *testing.T) {
			got, err := tab.Solve(context.Background(), svg)
			if err != nil {
				t.Fatalf("Solve: %v", err)
			}
			if got != want {
				t.Fatalf("Solve = %q, want %q", got, want)
			}
		})
	}
}

// unknownGlyphSVG replaces the glyph path at document index (among filled
// paths) with a synthetic outline whose signature no character has.
func unknownGlyphSVG(t testing.TB, svg []byte) []byte {
	t.Helper()
	s := string(svg)
	i := strings.Index(s, `<path fill="`)
	if i < 0 {
		t.Fatal("no glyph path")
	}
	j := strings.Index(s[i:], "/>")
	d := s[i : i+j+2]
	x := d[strings.Index(d, `d="M`)+4:]
	x = x[:strings.IndexAny(x, " ")]
	synthetic := `<path fill="#333" d="M` + x + ` 10L` + x + ` 30Q` + x + ` 35 ` + x + ` 38Z"/>`
	return []byte(strings.Replace(s, d, synthetic, 1))
}

// Ensure a glyph the table does not know is reported with its position and
// signature, classified, and that Learn then makes the captcha solvable.
func TestUnknownGlyphThenLearn(t *testing.T) {
	svg := unknownGlyphSVG(t, labelled(t)["2963C9"])
	tab := captcha.NewTable()
	_, err := tab.Solve(context.Background(), svg)
	var ue *captcha.UnknownGlyphError
	if !errors.As(err, &ue) || !errors.Is(err, captcha.ErrUnknownGlyph) {
		t.Fatalf("Solve err = %v, want *UnknownGlyphError", err)
	}
	if got := hoadon.ErrorCode(err); got != hoadon.CodeBadData {
		t.Fatalf("code = %q, want %q", got, hoadon.CodeBadData)
	}
	if len(ue.Glyphs) != 1 || ue.Glyphs[0].Signature != "MQZ" {
		t.Fatalf("unknown glyphs = %+v, want one with signature MQZ", ue.Glyphs)
	}
	pos := ue.Glyphs[0].Position
	if !strings.Contains(err.Error(), "position") || !strings.Contains(err.Error(), "MQZ") {
		t.Fatalf("message %q does not name position and signature", err)
	}
	answer := []byte("2963C9")
	answer[pos-1] = 'W' // the synthetic glyph "is" a W for this test
	if err := tab.Learn(svg, strings.ToLower(string(answer))); err != nil {
		t.Fatalf("Learn: %v", err)
	}
	got, err := tab.Solve(context.Background(), svg)
	if err != nil || got != string(answer) {
		t.Fatalf("after Learn: Solve = %q, %v; want %q", got, err, answer)
	}
	if tab.Learned() != 1 {
		t.Fatalf("Learned = %d, want 1", tab.Learned())
	}
}

// Ensure Learn refuses an answer that contradicts known signatures and
// leaves the table unchanged.
func TestLearnConflict(t *testing.T) {
	set := labelled(t)
	tab := captcha.NewTable()
	svg := unknownGlyphSVG(t, set["2963C9"])
	err := tab.Learn(svg, "AAAAAA")
	if !errors.Is(err, captcha.ErrConflict) || hoadon.ErrorCode(err) != hoadon.CodeConflict {
		t.Fatalf("Learn err = %v, want ErrConflict", err)
	}
	if tab.Learned() != 0 {
		t.Fatalf("Learned = %d after a refused Learn", tab.Learned())
	}
	for _, bad := range []string{"", "ABC", "ABCDEFG", "2963CI", "29 3C9"} {
		if err := tab.Learn(svg, bad); !errors.Is(err, captcha.ErrInvalidAnswer) {
			t.Errorf("Learn(%q) err = %v, want ErrInvalidAnswer", bad, err)
		}
	}
}

// Ensure learned entries survive Export/Import and bad imports change nothing.
func TestExportImport(t *testing.T) {
	svg := unknownGlyphSVG(t, labelled(t)["2963C9"])
	a := captcha.NewTable()
	_, err := a.Solve(context.Background(), svg)
	var ue *captcha.UnknownGlyphError
	if !errors.As(err, &ue) {
		t.Fatalf("Solve err = %v", err)
	}
	want := []byte("2963C9")
	want[ue.Glyphs[0].Position-1] = 'X'
	if err := a.Learn(svg, string(want)); err != nil {
		t.Fatal(err)
	}
	data, err := a.Export()
	if err != nil {
		t.Fatal(err)
	}
	b := captcha.NewTable()
	if err := b.Import(data); err != nil {
		t.Fatalf("Import: %v", err)
	}
	if got, err := b.Solve(context.Background(), svg); err != nil || got != string(want) {
		t.Fatalf("imported table: Solve = %q, %v; want %q", got, err, want)
	}
	bad := map[string]string{
		"not json":       `{`,
		"version":        `{"version":2,"signatures":{}}`,
		"bad signature":  `{"version":1,"signatures":{"Q<>":"A"}}`,
		"bad char":       `{"version":1,"signatures":{"MQ3Z":"I"}}`,
		"two chars":      `{"version":1,"signatures":{"MQ3Z":"AB"}}`,
		"conflict":       `{"version":1,"signatures":{"MQ9ZMQ13Z":"A"}}`, // Y in the built-in table
		"conflict learn": `{"version":1,"signatures":{"MQZ":"A","MQ4Z":"B"}}`,
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			if err := b.Import([]byte(in)); err == nil {
				t.Fatalf("Import(%s) succeeded", in)
			}
			if b.Learned() != 1 {
				t.Fatalf("Learned = %d after a failed import, want 1", b.Learned())
			}
		})
	}
}

// Ensure concurrent Solve and Learn are safe (run with -race).
func TestConcurrentSolveLearn(t *testing.T) {
	set := labelled(t)
	tab := captcha.NewTable()
	svg := unknownGlyphSVG(t, set["2963C9"])
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for want, s := range set {
				if got, err := tab.Solve(context.Background(), s); err != nil || got != want {
					t.Errorf("Solve = %q, %v; want %q", got, err, want)
					return
				}
			}
		}()
	}
	answer := []byte("2963C9")
	_, err := tab.Solve(context.Background(), svg)
	var ue *captcha.UnknownGlyphError
	if errors.As(err, &ue) {
		answer[ue.Glyphs[0].Position-1] = 'V'
	}
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := tab.Learn(svg, string(answer)); err != nil {
				t.Errorf("Learn: %v", err)
			}
		}()
	}
	wg.Wait()
	if got, err := tab.Solve(context.Background(), svg); err != nil || got != string(answer) {
		t.Fatalf("Solve = %q, %v; want %q", got, err, answer)
	}
}

// BenchmarkSolve measures one solve of a real 13-15 KB captcha.
func BenchmarkSolve(b *testing.B) {
	svg := labelled(b)["2963C9"]
	tab := captcha.NewTable()
	ctx := context.Background()
	b.SetBytes(int64(len(svg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tab.Solve(ctx, svg); err != nil {
			b.Fatal(err)
		}
	}
}
