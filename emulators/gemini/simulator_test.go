package gemini_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"google.golang.org/genai"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/emulators/gemini"
)

// Ensure the default fake reads the GDT simulator's captchas correctly, as
// the local stack uses the two together.
func TestDefaultSolvesSimulatorCaptchas(t *testing.T) {
	sim, err := gdtsim.Start(gdtsim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	srv := start(t, gemini.DefaultOptions())
	c := client(t, srv)
	for i := 0; i < 30; i++ {
		req, _ := http.NewRequest(http.MethodGet, sim.URL()+"/captcha", nil)
		req.Header.Set("request-id", fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Key, Content string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.Models.GenerateContent(context.Background(), "gemini-2.5-flash", genai.Text("Read:\n"+body.Content), nil)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := sim.CaptchaAnswer(body.Key); out.Text() != want {
			t.Errorf("captcha %d: fake answered %q, simulator says %q", i, out.Text(), want)
		}
	}
}
