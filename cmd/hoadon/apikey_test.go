package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/gcp"
)

// TestAPIKeyCommands: create a key, use it against the API, list it,
// revoke it; the API refuses requests without a valid key.
func TestAPIKeyCommands(t *testing.T) {
	h := system(t)
	// The apikey commands talk to Firestore, not to the API: no --api-url.
	admin := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), append([]string{"apikey"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errOut := admin("create", "--name", "cli test", "--json")
	if code != 0 {
		t.Fatalf("create = %d %s", code, errOut)
	}
	var created struct{ Key, ID, Name string }
	if err := json.Unmarshal([]byte(out), &created); err != nil || !strings.HasPrefix(created.Key, "hd_") {
		t.Fatalf("create output %q: %v", out, err)
	}
	// The new key works against the API.
	t.Setenv("HOADON_API_KEY", created.Key)
	if code, _, errOut := cli(t, "list", "--company", h.Stack.GDT().Companies()[0].MST); code != 0 {
		t.Fatalf("list with the new key = %d %s", code, errOut)
	}
	code, out, _ = admin("list")
	if code != 0 || !strings.Contains(out, created.ID) || !strings.Contains(out, "cli test") || strings.Contains(out, created.Key) {
		t.Fatalf("apikey list = %d %q (must name the key, never show it)", code, out)
	}
	if code, _, errOut := admin("revoke", created.ID); code != 0 {
		t.Fatalf("revoke = %d %s", code, errOut)
	}
	ctx := context.Background()
	fs, err := gcp.Firestore(ctx, os.Getenv("HOADON_PROJECT"))
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	if _, ok, _ := auth.NewKeys(fs).Lookup(ctx, created.Key); ok {
		t.Error("revoked key still valid")
	}
	// Without a key, or with an unknown one, the API refuses.
	for _, key := range []string{"", "hd_unknown"} {
		t.Setenv("HOADON_API_KEY", key)
		code, _, errOut := cli(t, "list", "--company", h.Stack.GDT().Companies()[0].MST)
		if code != 1 || !strings.Contains(errOut, "API key") {
			t.Errorf("key %q: exit %d, %q; want 1 and a message about the API key", key, code, errOut)
		}
	}
	if code, _, _ := admin("create"); code != 2 {
		t.Errorf("create without --name = %d, want 2", code)
	}
}
