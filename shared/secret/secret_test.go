package secret_test

import (
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/secret"
)

const hexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func box(t *testing.T, s string) *secret.Box {
	t.Helper()
	k, err := secret.ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := secret.NewBox(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := box(t, hexKey)
	sealed := b.Seal([]byte("mật khẩu"), "credentials/0100109106")
	if strings.Contains(sealed, "mật") {
		t.Fatal("plaintext visible in sealed value")
	}
	if sealed == b.Seal([]byte("mật khẩu"), "credentials/0100109106") {
		t.Error("two seals of one value are equal: nonce reused")
	}
	got, err := b.Open(sealed, "credentials/0100109106")
	if err != nil || string(got) != "mật khẩu" {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	b := box(t, hexKey)
	sealed := b.Seal([]byte("pw"), "credentials/A")
	other := box(t, strings.Repeat("ab", 32))
	tampered := sealed[:len(sealed)-2] + "AA"
	for name, tc := range map[string]struct {
		box    *secret.Box
		sealed string
		where  string
	}{
		"other place": {b, sealed, "credentials/B"},
		"wrong key":   {other, sealed, "credentials/A"},
		"tampered":    {b, tampered, "credentials/A"},
		"no prefix":   {b, strings.TrimPrefix(sealed, "v1:"), "credentials/A"},
		"short":       {b, "v1:AAAA", "credentials/A"},
	} {
		_, err := tc.box.Open(tc.sealed, tc.where)
		if hoadon.ErrorCode(err) != hoadon.CodeBadData {
			t.Errorf("%s: err = %v, want bad_data", name, err)
		}
		if err != nil && strings.Contains(err.Error(), tc.sealed) {
			t.Errorf("%s: error echoes the sealed value", name)
		}
	}
}

func TestParseKey(t *testing.T) {
	for _, s := range []string{hexKey, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", " AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n"} {
		if _, err := secret.ParseKey(s); err != nil {
			t.Errorf("ParseKey(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "abcd", strings.Repeat("zz", 32)} {
		if _, err := secret.ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
	if _, err := secret.NewBox(make([]byte, 16)); err == nil {
		t.Error("NewBox accepted a 16-byte key")
	}
}

func TestDigest(t *testing.T) {
	b := box(t, hexKey)
	d := b.Digest("logins/A", []byte("user"), []byte("pw"))
	if len(d) != 64 || strings.Contains(d, "pw") {
		t.Fatalf("digest %q", d)
	}
	if d != b.Digest("logins/A", []byte("user"), []byte("pw")) {
		t.Error("digest of equal inputs differs")
	}
	for name, other := range map[string]string{
		"other password":  b.Digest("logins/A", []byte("user"), []byte("pw2")),
		"other place":     b.Digest("logins/B", []byte("user"), []byte("pw")),
		"shifted parts":   b.Digest("logins/A", []byte("userp"), []byte("w")),
		"other key":       box(t, strings.Repeat("ab", 32)).Digest("logins/A", []byte("user"), []byte("pw")),
		"sealed not used": b.Digest("logins/A", []byte(b.Seal([]byte("pw"), "logins/A"))),
	} {
		if other == d {
			t.Errorf("%s: same digest", name)
		}
	}
}
