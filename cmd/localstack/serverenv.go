package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"

	"github.com/hoadon/hoadon/emulators/localstack"
)

// tasksAccount is the service account whose OIDC tokens the local Cloud Tasks emulator puts
// on download and delivery tasks.
func tasksAccount(project string) string { return "tasks@" + project + ".iam.gserviceaccount.com" }

// serverEnv is what cmd/server needs beyond the stack's addresses to run against it: where it
// serves the functions (and, from a loopback URL, the port to listen on), a local encryption
// key (a file, never its value), and production authentication for the internal functions
// (the Workflows emulator's and the tasks' accounts). Empty without --functions-url.
func serverEnv(st *localstack.Stack, functionsURL, keyFile string) map[string]string {
	if functionsURL == "" {
		return nil
	}
	project := st.Env()[localstack.EnvProject]
	tasks := tasksAccount(project)
	env := map[string]string{
		"HOADON_FUNCTIONS_URL":         functionsURL,
		"HOADON_API_URL":               functionsURL,
		"HOADON_LOCAL":                 "true",
		"HOADON_ENCRYPTION_KEY_FILE":   keyFile,
		"HOADON_TASKS_SERVICE_ACCOUNT": tasks,
		"HOADON_INTERNAL_PRINCIPALS":   st.Workflows().ServiceAccountEmail() + "," + tasks,
	}
	if u, err := url.Parse(functionsURL); err == nil && u.Port() != "" {
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()) {
			env["PORT"], env["LOCAL_ONLY"] = u.Port(), "true"
		}
	}
	return env
}

// ensureKey creates path with a fresh random key unless it exists.
func ensureKey(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("key file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	if err := os.WriteFile(path, []byte(hex.EncodeToString(b)), 0o600); err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	return nil
}

// envLines are the stack's settings and the server's, sorted.
func envLines(st *localstack.Stack, server map[string]string) []string {
	lines := st.EnvLines()
	for k, v := range server {
		lines = append(lines, k+"="+v)
	}
	sort.Strings(lines)
	return lines
}

// keyPath is where the encryption key lives: --key-file, else DATA_DIR/key, else a file in a
// directory of its own that the caller removes on exit (temp is true).
func keyPath(o options) (path string, temp bool, err error) {
	switch {
	case o.keyFile != "":
		path = o.keyFile
	case o.cfg.DataDir != "":
		path = filepath.Join(o.cfg.DataDir, "key")
	default:
		dir, err := os.MkdirTemp("", "localstack-key-")
		if err != nil {
			return "", false, fmt.Errorf("key file: %w", err)
		}
		path, temp = filepath.Join(dir, "key"), true
	}
	if path, err = filepath.Abs(path); err != nil {
		return "", false, fmt.Errorf("key file: %w", err)
	}
	return path, temp, ensureKey(path)
}
