package gemini

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Ensure the shape matcher generalises: learn from half of the labelled
// captchas and solve every captcha of the other half.
func TestMatcherHoldOut(t *testing.T) {
	names, err := filepath.Glob("../../testdata/captcha/*.svg")
	if err != nil || len(names) != 100 {
		t.Fatalf("labelled set: %d files, %v", len(names), err)
	}
	sort.Strings(names)
	train := t.TempDir()
	for _, n := range names[:50] {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(train, filepath.Base(n)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := loadMatcher(os.DirFS(train))
	if err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for _, n := range names[50:] {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(filepath.Base(n), ".svg")
		got, err := m.answer("captcha:\n"+string(b), nil)
		if err != nil || got != want {
			wrong++
			t.Errorf("%s: got %q, %v", want, got, err)
		}
	}
	t.Logf("hold-out: %d/50 wrong", wrong)
}
