package captcha_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/captcha"
)

// Ensure the table solves captchas it has never seen: 200 fresh ones from
// the GDT simulator (which draws the real glyph outlines with its own
// jitter, placement and shuffling), checked against the simulator's answers.
func TestSolvesSimulatorCaptchas(t *testing.T) {
	srv, err := gdtsim.Start(gdtsim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	tab := captcha.NewTable()
	ctx := context.Background()
	const n = 200
	for i := 0; i < n; i++ {
		key, svg := fetchCaptcha(t, srv.URL(), i)
		got, err := tab.Solve(ctx, svg)
		if err != nil {
			t.Fatalf("captcha %d: %v", i, err)
		}
		want, ok := srv.CaptchaAnswer(key)
		if !ok {
			t.Fatalf("captcha %d: simulator does not know key", i)
		}
		if got != want {
			t.Fatalf("captcha %d: solved %q, simulator says %q", i, got, want)
		}
	}
}

func fetchCaptcha(t *testing.T, base string, i int) (string, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/captcha", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("request-id", fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /captcha: %s", resp.Status)
	}
	var body struct{ Key, Content string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Key, []byte(body.Content)
}
