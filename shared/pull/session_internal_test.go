package pull

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hoadon/hoadon/shared/gdt"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func session(t *testing.T, issued time.Time, ttl time.Duration) *gdt.Session {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{
		"sub": "0100109106", "iat": issued.Unix(), "exp": issued.Add(ttl).Unix(),
	}).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := gdt.NewSession("0100109106", tok)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Ensure the keeper logs in again before the token's exp (proactively),
// once for many waiting workers (single-flight), and never retries a
// refused password.
func TestKeeper(t *testing.T) {
	var logins atomic.Int32
	next := []*gdt.Session{
		session(t, time.Now().Add(-time.Hour), time.Hour+time.Minute), // expires in 1 min: inside the 2 min margin
		session(t, time.Now(), 24*time.Hour),
	}
	k := &keeper{margin: 2 * time.Minute, login: func(context.Context) (*gdt.Session, error) {
		n := logins.Add(1)
		return next[min(int(n)-1, len(next)-1)], nil
	}}
	ctx := context.Background()
	first, _ := k.get(ctx)
	second, _ := k.get(ctx)
	if first != next[0] || second != next[1] || logins.Load() != 2 {
		t.Fatalf("proactive re-login: %d logins", logins.Load())
	}

	k.invalidate(second)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := k.get(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if logins.Load() != 3 {
		t.Fatalf("single-flight: %d logins, want 3", logins.Load())
	}
	k.invalidate(first) // stale: not the current session, ignored
	if s, _ := k.get(ctx); s != next[1] || logins.Load() != 3 {
		t.Fatalf("stale invalidate forced a login")
	}

	bad := &keeper{margin: time.Minute, login: func(context.Context) (*gdt.Session, error) {
		logins.Add(1)
		return nil, hoadon.Errorf(hoadon.CodeBadCredentials, "no")
	}}
	before := logins.Load()
	for range 3 {
		if _, err := bad.get(ctx); hoadon.ErrorCode(err) != hoadon.CodeBadCredentials {
			t.Fatalf("err = %v", err)
		}
	}
	if logins.Load()-before != 1 {
		t.Fatalf("refused password retried %d times", logins.Load()-before)
	}
}

// Ensure the short-TTL margin adapts: a 1 s token is not treated as
// already expired by a 2 min margin.
func TestKeeperMarginForShortTokens(t *testing.T) {
	k := &keeper{margin: 2 * time.Minute}
	s := session(t, time.Now(), 10*time.Second)
	if m := k.marginFor(s); m != 2*time.Second {
		t.Fatalf("margin = %v, want 2s", m)
	}
}
