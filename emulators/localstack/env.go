package localstack

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The environment variables the server and CLI read. The first two are Google's own emulator
// conventions (the official clients honour them); the rest share the HOADON_ prefix.
const (
	EnvFirestoreHost     = "FIRESTORE_EMULATOR_HOST"   // host:port, insecure gRPC
	EnvStorageHost       = "STORAGE_EMULATOR_HOST"     // host:port, plain HTTP
	EnvGDTBaseURL        = "HOADON_GDT_BASE_URL"       // portal base URL including /api
	EnvTasksEndpoint     = "HOADON_TASKS_ENDPOINT"     // host:port, insecure gRPC
	EnvWorkflowsEndpoint = "HOADON_WORKFLOWS_ENDPOINT" // host:port, insecure gRPC
	EnvOIDCIssuer        = "HOADON_OIDC_ISSUER"        // issuer URL of internal ID tokens
	EnvGeminiURL         = "HOADON_GEMINI_URL"         // base URL for genai HTTPOptions.BaseURL
	EnvProject           = "HOADON_PROJECT"
	EnvLocation          = "HOADON_LOCATION"
	EnvBucket            = "HOADON_BUCKET"
)

// Env returns the variables that point the server and CLI at this stack.
func (s *Stack) Env() map[string]string {
	gdtURL := s.cfg.GDTURL
	if s.gdt != nil {
		gdtURL = s.gdt.URL()
	}
	return map[string]string{
		EnvFirestoreHost:     s.firestore.Host(),
		EnvStorageHost:       s.gcs.Host(),
		EnvGDTBaseURL:        gdtURL,
		EnvTasksEndpoint:     s.tasks.Addr(),
		EnvWorkflowsEndpoint: s.workflows.Addr(),
		EnvOIDCIssuer:        s.workflows.OIDCIssuerURL(),
		EnvGeminiURL:         s.gemini.URL(),
		EnvProject:           s.cfg.Project,
		EnvLocation:          s.cfg.Location,
		EnvBucket:            s.cfg.Bucket,
	}
}

// EnvLines returns Env as sorted KEY=VALUE lines, the format of an env file and of what
// cmd/localstack prints. No value contains a secret.
func (s *Stack) EnvLines() []string {
	env := s.Env()
	lines := make([]string, 0, len(env))
	for k, v := range env {
		lines = append(lines, k+"="+v)
	}
	sort.Strings(lines)
	return lines
}

// WriteEnvFile writes EnvLines to path, replacing it atomically so a reader (make, a shell
// sourcing it) never sees half a file.
func (s *Stack) WriteEnvFile(path string) error { return WriteEnvLines(path, s.EnvLines()) }

// WriteEnvLines writes KEY=VALUE lines to path the same way, for callers that add their own
// settings to the stack's.
func WriteEnvLines(path string, lines []string) error {
	body := strings.Join(lines, "\n") + "\n"
	tmp, err := os.CreateTemp(filepath.Dir(path), ".localstack-env-*")
	if err != nil {
		return fmt.Errorf("localstack.WriteEnvFile: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.WriteString(body); err != nil {
		tmp.Close()
		return fmt.Errorf("localstack.WriteEnvFile: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("localstack.WriteEnvFile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("localstack.WriteEnvFile: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("localstack.WriteEnvFile: %w", err)
	}
	return nil
}
