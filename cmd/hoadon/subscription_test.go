package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"

	"github.com/hoadon/hoadon/shared/events"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/sink"
)

// TestSubscriptionKey: `hoadon subscription key --url U` prints, from
// HOADON_SIGNING_KEY, the HOADON_SINK_* settings under which a sink at U
// verifies what the deliver path signs for U, and no other URL's
// deliveries.
func TestSubscriptionKey(t *testing.T) {
	secret := bytes.Repeat([]byte{5}, 32)
	t.Setenv("HOADON_SIGNING_ALG", "hmac-sha256")
	t.Setenv("HOADON_SIGNING_KEY", base64.StdEncoding.EncodeToString(secret))
	t.Setenv("HOADON_SIGNING_KEY_ID", "env-1")
	a, b := "https://a.example/hook", "https://b.example/hook"
	t.Setenv("HOADON_WEBHOOK_URLS", a+","+b)
	settings := map[string]string{}
	for _, u := range []string{a, b} {
		code, stdout, stderr := xmlRunMain(t, "subscription", "key", "--url", u)
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
			k, v, _ := strings.Cut(line, "=")
			settings[u+" "+k] = v
		}
	}
	if settings[a+" HOADON_SINK_URL"] != a || settings[a+" HOADON_SINK_KEYS"] == settings[b+" HOADON_SINK_KEYS"] {
		t.Fatalf("settings: %v; want each URL its own key", settings)
	}
	master, _ := httpsig.HMACKey(secret)
	e := cloudevents.New()
	e.SetID("e1")
	e.SetSource("hoadon/test")
	e.SetType("vn.hoadon.import.completed")
	if err := e.SetData("application/json", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	signer, err := events.SubscriberSigner(&httpsig.Signer{KeyID: "env-1", Key: master}, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{a, b} {
		cfg, err := sink.ConfigFromEnv(func(k string) string { return settings[u+" "+k] })
		if err != nil {
			t.Fatal(err)
		}
		req, err := events.SignedRequest(context.Background(), a, e, signer)
		if err != nil {
			t.Fatal(err)
		}
		_, err = events.Receive(req, &httpsig.Verifier{Keys: cfg.Keys, Tag: httpsig.DefaultTag, TargetURI: a})
		if u == a && err != nil {
			t.Errorf("A's sink refuses a delivery signed for A: %v", err)
		}
		if u == b && err == nil {
			t.Errorf("B's key verifies a delivery signed for A")
		}
	}
	if code, _, stderr := xmlRunMain(t, "subscription", "key"); code == 0 || !strings.Contains(stderr, "--url") {
		t.Errorf("without --url: exit %d, %q", code, stderr)
	}
}
