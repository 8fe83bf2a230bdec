package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hoadon/hoadon/shared/config"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAndDerivedURLs(t *testing.T) {
	c, err := config.Load(getenv(map[string]string{
		"HOADON_FUNCTIONS_URL":  "http://127.0.0.1:8080/",
		"HOADON_ENCRYPTION_KEY": strings.Repeat("ab", 32),
		"GOOGLE_CLOUD_PROJECT":  "p1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DownloadURL != "http://127.0.0.1:8080/download" || c.DeliverURL != "http://127.0.0.1:8080/deliver" {
		t.Errorf("urls = %s %s", c.DownloadURL, c.DeliverURL)
	}
	if c.Project != "p1" || c.Location != "asia-southeast1" || c.CompanyConcurrency != 4 || len(c.EncryptionKey) != 32 {
		t.Errorf("config = %+v", c)
	}
	if c.GDTBaseURL != "https://hoadondientu.gdt.gov.vn/api" {
		t.Errorf("GDTBaseURL = %s", c.GDTBaseURL)
	}
}

func TestSecretFromFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key")
	os.WriteFile(p, []byte(strings.Repeat("cd", 32)+"\n"), 0o600)
	c, err := config.Load(getenv(map[string]string{"HOADON_ENCRYPTION_KEY_FILE": p}))
	if err != nil || len(c.EncryptionKey) != 32 || c.EncryptionKey[0] != 0xcd {
		t.Fatalf("key from file: %v %v", c.EncryptionKey, err)
	}
}

func TestErrorsNameTheVariable(t *testing.T) {
	for name, m := range map[string]map[string]string{
		"HOADON_COMPANY_CONCURRENCY": {"HOADON_COMPANY_CONCURRENCY": "x"},
		"HOADON_ENCRYPTION_KEY":      {"HOADON_ENCRYPTION_KEY": "short"},
		"HOADON_WEBHOOK_URLS":        {"HOADON_WEBHOOK_URLS": "http://example.com/hook"},
		"HOADON_LOCAL":               {"HOADON_LOCAL": "maybe"},
		"HOADON_SIGNING_ALG":         {"HOADON_SIGNING_ALG": "rsa"},
		"HOADON_ENCRYPTION_KEY_FILE": {"HOADON_ENCRYPTION_KEY_FILE": "/nonexistent/key"},
	} {
		_, err := config.Load(getenv(m))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestAuthOffNeedsLocal(t *testing.T) {
	_, err := config.Load(getenv(map[string]string{"HOADON_AUTH": "off"}))
	if hoadon.ErrorCode(err) != hoadon.CodeInvalid || !strings.Contains(err.Error(), "HOADON_LOCAL=true") {
		t.Errorf("HOADON_AUTH=off without HOADON_LOCAL: err = %v", err)
	}
	c, err := config.Load(getenv(map[string]string{"HOADON_AUTH": "off", "HOADON_LOCAL": "true"}))
	if err != nil || !c.AuthOff {
		t.Errorf("HOADON_AUTH=off with HOADON_LOCAL=true: %+v, %v", c.AuthOff, err)
	}
}

func TestWebhookURLs(t *testing.T) {
	for _, tc := range []struct {
		url   string
		local bool
		ok    bool
	}{
		{"https://hooks.example.com/x", false, true},
		{"http://127.0.0.1:9000/sink", true, true},
		{"http://127.0.0.1:9000/sink", false, false},
		{"http://10.0.0.1/sink", true, false},
		{"http://[::1]:9000/sink", true, true},
		{"http://127.0.0.1.evil.example/sink", true, false},
		{"http://127.evil.example/sink", true, false},
		{"http://localhost:9000/sink", true, false},
		{"ftp://x/y", true, false},
		{"/relative", true, false},
	} {
		if err := config.CheckWebhookURL(tc.url, tc.local); (err == nil) != tc.ok {
			t.Errorf("CheckWebhookURL(%q, %v) = %v", tc.url, tc.local, err)
		}
	}
}

func TestEveryVarDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range config.Vars {
		if !strings.HasPrefix(v.Name, "HOADON_") || v.Help == "" || seen[v.Name] {
			t.Errorf("bad entry %+v", v)
		}
		seen[v.Name] = true
	}
}

// TestREADMEListsEveryVariable keeps the README's configuration table true.
func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Vars {
		if !strings.Contains(string(readme), "| `"+v.Name+"` |") {
			t.Errorf("README.md's configuration table lacks %s", v.Name)
		}
	}
}

// TestBurstURLIsAnAudience: burst download tasks carry the burst service's
// URL as audience, so it is accepted whatever HOADON_INTERNAL_AUDIENCES says.
func TestBurstURLIsAnAudience(t *testing.T) {
	for _, env := range []map[string]string{
		{"HOADON_FUNCTIONS_URL": "https://vm.example.com"},
		{"HOADON_FUNCTIONS_URL": "https://vm.example.com", "HOADON_INTERNAL_AUDIENCES": "https://vm.example.com"},
	} {
		env["HOADON_BURST_DOWNLOAD_URL"] = "https://hoadon-download-1.asia-southeast1.run.app"
		c, err := config.Load(getenv(env))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(c.InternalAudiences, env["HOADON_BURST_DOWNLOAD_URL"]) || !slices.Contains(c.InternalAudiences, "https://vm.example.com") {
			t.Errorf("%v: audiences %v", env, c.InternalAudiences)
		}
	}
}
