package config_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/config"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/queue"
	"github.com/hoadon/hoadon/shared/settings"
	"github.com/hoadon/hoadon/shared/throttle"
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
	if c.Project != "p1" || c.Location != "asia-southeast1" || c.Queue.Concurrency != 4 || len(c.EncryptionKey) != 32 {
		t.Errorf("config = %+v", c)
	}
	// The queue gets the deployment's place and the throttle's starting
	// rate; both keep the defaults their packages declare.
	if c.Queue.Project != "p1" || c.Queue.Location != "asia-southeast1" || c.Queue.InitialRate != 4 {
		t.Errorf("queue config = %+v", c.Queue)
	}
	if c.Queue != withPlace(queue.DefaultConfig(), c) || c.Throttle != throttle.DefaultConfig() {
		t.Errorf("components' defaults: queue %+v, throttle %+v", c.Queue, c.Throttle)
	}
	if c.GDTBaseURL != "https://hoadondientu.gdt.gov.vn/api" {
		t.Errorf("GDTBaseURL = %s", c.GDTBaseURL)
	}
}

func withPlace(q queue.Config, c config.Config) queue.Config {
	q.Project, q.Location, q.InitialRate = c.Project, c.Location, c.Throttle.InitialRate
	return q
}

// TestComponentSettingsAreRead: settings declared by shared/queue and
// shared/throttle are read (trimmed) into their configs.
func TestComponentSettingsAreRead(t *testing.T) {
	c, err := config.Load(getenv(map[string]string{
		"HOADON_COMPANY_CONCURRENCY": " 7 ", "HOADON_TASKS_MIN_BACKOFF": "3s", "HOADON_TASKS_SERVICE_ACCOUNT": "t@p",
		"HOADON_COMPANY_RATE": "2.5", "HOADON_COMPANY_MAX_RATE": "8", "HOADON_BREAKER_COOLDOWN": "90s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	q, th := c.Queue, c.Throttle
	if q.Concurrency != 7 || q.MinBackoff != 3*time.Second || q.ServiceAccount != "t@p" || q.InitialRate != 2.5 || q.DispatchDeadline != 2*time.Minute {
		t.Errorf("queue = %+v", q)
	}
	if th.InitialRate != 2.5 || th.MaxRate != 8 || th.Cooldown != 90*time.Second || th.RaiseEvery != 20 || th.MinRate != 0.1 {
		t.Errorf("throttle = %+v", th)
	}
}

func TestKeyIsNotPrinted(t *testing.T) {
	c, err := config.Load(getenv(map[string]string{"HOADON_ENCRYPTION_KEY": strings.Repeat("ab", 32)}))
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%v %+v", c.EncryptionKey, c); strings.Contains(s, "171") || !strings.Contains(s, "[32-byte key]") {
		t.Errorf("printed config shows the key: %s", s)
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
		"HOADON_COMPANY_RATE":        {"HOADON_COMPANY_RATE": "20"},
		"HOADON_TASKS_MIN_BACKOFF":   {"HOADON_TASKS_MIN_BACKOFF": "2"},
		"HOADON_BREAKER_COOLDOWN":    {"HOADON_BREAKER_COOLDOWN": "-1m"},
		"HOADON_AUTH":                {"HOADON_AUTH": "maybe"},
	} {
		_, err := config.Load(getenv(m))
		if err == nil || !strings.Contains(err.Error(), name) || hoadon.ErrorCode(err) != hoadon.CodeInvalid {
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

func TestEverySettingDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range config.Settings() {
		if !strings.HasPrefix(v.Name, "HOADON_") || v.Help == "" || v.Component == "" || seen[v.Name] {
			t.Errorf("bad entry %+v", v)
		}
		seen[v.Name] = true
	}
	if len(seen) < 40 {
		t.Errorf("only %d settings", len(seen))
	}
}

// TestREADMETableIsCurrent keeps the README's configuration table the one
// generated from the declared settings (go generate ./shared/config).
func TestREADMETableIsCurrent(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range tableProblems(readme) {
		t.Error(p)
	}
	t.Run("broken snippet", func(t *testing.T) {
		renamed := strings.Replace(string(readme), "| `HOADON_BUCKET` |", "| `HOADON_BUKET` |", 1)
		p := strings.Join(tableProblems([]byte(renamed)), "\n")
		if !strings.Contains(p, "lacks: | `HOADON_BUCKET`") || !strings.Contains(p, "has instead: | `HOADON_BUKET`") {
			t.Errorf("renamed row: problems %q", p)
		}
		stale := strings.Replace(string(readme), "| `4` | queue |", "| `5` | queue |", 1)
		if p := tableProblems([]byte(stale)); len(p) == 0 {
			t.Error("a changed default is not reported")
		}
		if p := tableProblems([]byte("# no table\n")); len(p) != 1 || !strings.Contains(p[0], "lacks the lines") {
			t.Errorf("no markers: %q", p)
		}
	})
}

// tableProblems compares the README's table with the generated one.
func tableProblems(readme []byte) []string {
	want, err := settings.Splice(readme, settings.Table(config.Settings()))
	if err != nil {
		return []string{err.Error()}
	}
	if bytes.Equal(want, readme) {
		return nil
	}
	got, exp := strings.Split(string(readme), "\n"), strings.Split(string(want), "\n")
	var problems []string
	for _, l := range exp {
		if !slices.Contains(got, l) {
			problems = append(problems, "README.md's configuration table lacks: "+l)
		}
	}
	for _, l := range got {
		if !slices.Contains(exp, l) {
			problems = append(problems, "README.md's configuration table has instead: "+l)
		}
	}
	return append(problems, "run go generate ./shared/config")
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
