package sink_test

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/httpsig"
	"github.com/hoadon/hoadon/shared/sink"
)

// Ensure the documented env format parses, with defaults, PEM keys and
// private keys reduced to their public half.
func TestConfigFromEnv(t *testing.T) {
	der, err := x509.MarshalPKIXPublicKey(edPriv.Public())
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	env := map[string]string{
		sink.EnvKeys: " pem-key = ed25519:" + pemKey + ", raw-priv=ed25519:" +
			base64.RawURLEncoding.EncodeToString(edPriv) + ",mac=HMAC-SHA256:" + base64.StdEncoding.EncodeToString(macSecret),
		sink.EnvMaxAge:              "90s",
		sink.EnvTrustForwardedProto: "true",
		sink.EnvURL:                 "https://hooks.example.com/hoadon",
	}
	cfg, err := sink.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxAge != 90*time.Second || !cfg.TrustForwardedProto || len(cfg.Keys) != 3 || cfg.URL != "https://hooks.example.com/hoadon" {
		t.Fatalf("cfg = %+v", cfg)
	}
	want := map[string]httpsig.Algorithm{"pem-key": httpsig.Ed25519, "raw-priv": httpsig.Ed25519, "mac": httpsig.HMACSHA256}
	for id, alg := range want {
		k, ok := cfg.Keys[id]
		if !ok || k.Alg() != alg {
			t.Errorf("key %q: %v %v, want %s", id, ok, k.Alg(), alg)
		}
	}
	if cfg.Keys["raw-priv"].CanSign() {
		t.Error("a private key in the config was kept as a signing key; the sink needs only the public half")
	}

	defaults, err := sink.ConfigFromEnv(func(k string) string { return sinkEnv()[k] })
	if err != nil {
		t.Fatal(err)
	}
	if defaults.MaxAge != 5*time.Minute || defaults.TrustForwardedProto {
		t.Errorf("defaults: MaxAge %s, TrustForwardedProto %v; want 5m, false", defaults.MaxAge, defaults.TrustForwardedProto)
	}
}

// Ensure each malformed setting gets a clear CodeInvalid error naming the
// variable, and no error repeats key material.
func TestConfigErrors(t *testing.T) {
	secret := base64.StdEncoding.EncodeToString(macSecret)
	short := base64.StdEncoding.EncodeToString([]byte("too-short-secret"))
	good := "k=hmac-sha256:" + secret
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"keys missing", map[string]string{}, "HOADON_SINK_KEYS is empty"},
		{"no equals", map[string]string{sink.EnvKeys: "hmac-sha256:" + secret}, "entry 1: the key id"},
		{"empty key id", map[string]string{sink.EnvKeys: "=hmac-sha256:" + secret}, "want keyid=alg:material"},
		{"no alg", map[string]string{sink.EnvKeys: "k=" + secret}, `key id "k": want alg:material`},
		{"unknown alg", map[string]string{sink.EnvKeys: "k=rsa:" + secret}, `unsupported algorithm "rsa"`},
		{"short hmac", map[string]string{sink.EnvKeys: "k=hmac-sha256:" + short}, "at least 32"},
		{"bad base64", map[string]string{sink.EnvKeys: "k=hmac-sha256:%%%" + secret}, "not base64"},
		{"bad ed25519 size", map[string]string{sink.EnvKeys: "k=ed25519:" + secret[:20]}, "ed25519"},
		{"second entry bad", map[string]string{sink.EnvKeys: good + ",j=ed25519:"}, "entry 2"},
		{"duplicate id", map[string]string{sink.EnvKeys: good + "," + good}, `"k" appears twice`},
		{"space in id", map[string]string{sink.EnvKeys: "a b=hmac-sha256:" + secret}, "A-Z a-z 0-9"},
		{"trailing comma", map[string]string{sink.EnvKeys: good + ","}, "entry 2"},
		{"max age not a duration", map[string]string{sink.EnvKeys: good, sink.EnvMaxAge: "5"}, "HOADON_SINK_MAX_AGE"},
		{"max age zero", map[string]string{sink.EnvKeys: good, sink.EnvMaxAge: "0s"}, "above 0"},
		{"max age huge", map[string]string{sink.EnvKeys: good, sink.EnvMaxAge: "48h"}, "at most 24h"},
		{"bool", map[string]string{sink.EnvKeys: good, sink.EnvTrustForwardedProto: "yes"}, "HOADON_SINK_TRUST_FORWARDED_PROTO"},
		{"relative URL", map[string]string{sink.EnvKeys: good, sink.EnvURL: "/hook"}, "HOADON_SINK_URL"},
		{"URL scheme", map[string]string{sink.EnvKeys: good, sink.EnvURL: "ftp://x/hook"}, "HOADON_SINK_URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sink.ConfigFromEnv(func(k string) string { return tc.env[k] })
			if err == nil {
				t.Fatal("no error")
			}
			if hoadon.ErrorCode(err) != hoadon.CodeInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q (code %s), want invalid mentioning %q", err, hoadon.ErrorCode(err), tc.want)
			}
			if strings.Contains(err.Error(), secret[:16]) || strings.Contains(err.Error(), short[:12]) {
				t.Fatalf("error repeats key material: %v", err)
			}
		})
	}
}

// Ensure New refuses an unusable configuration instead of serving.
func TestNewRefusesBadConfig(t *testing.T) {
	if _, err := sink.New(t.Context(), nil, sink.Config{Keys: httpsig.StaticKeys{"k": mustEdPublic(t)}}); hoadon.ErrorCode(err) != hoadon.CodeInvalid {
		t.Errorf("nil client: %v", err)
	}
	fs := newFixture(t).fs
	if _, err := sink.New(t.Context(), fs, sink.Config{}); err == nil || !strings.Contains(err.Error(), sink.EnvKeys) {
		t.Errorf("no keys: %v, want an error naming %s", err, sink.EnvKeys)
	}
}

func mustEdPublic(t *testing.T) httpsig.Key {
	t.Helper()
	k, err := httpsig.Ed25519PublicKey(edPriv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
