package main

import (
	"context"
	"testing"
	"time"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// TestRevokedKeyStopsWithin5s: a key the running server has just accepted
// (and cached) is refused within 5 s of its revocation, as
// hoadon apikey revoke does it from another process.
func TestRevokedKeyStopsWithin5s(t *testing.T) {
	ctx := context.Background()
	fs, err := fsemu.NewClient(ctx, h.Stack.Firestore().Host(), h.Env["HOADON_PROJECT"])
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	keys := auth.NewKeys(fs)
	key, rec, err := keys.Create(ctx, "soon revoked", hoadon.Access{Tenant: hoadon.DefaultTenant, Role: hoadon.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, raw := h.Call(t, "GET", "/api/tasks", nil, "X-API-Key", key); code != 200 {
		t.Fatalf("fresh key = %d %.200s", code, raw)
	}
	if err := keys.Revoke(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	revoked := time.Now()
	for {
		code, _, _ := h.Call(t, "GET", "/api/tasks", nil, "X-API-Key", key)
		if code == 401 {
			t.Logf("revoked key refused after %s", time.Since(revoked).Round(time.Millisecond))
			return
		}
		if code != 200 {
			t.Fatalf("revoked key = %d, want 200 (cached) or 401", code)
		}
		if time.Since(revoked) > 5*time.Second {
			t.Fatalf("revoked key still accepted %s after revocation", time.Since(revoked).Round(time.Millisecond))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
