package firestore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Export writes every document of project's default database to a new
// export under dir (the emulator's own export endpoint), and returns the
// path of its .overall_export_metadata file, the value for
// Options.ImportData. dir must be absolute: the JVM writes it.
func (e *Emulator) Export(ctx context.Context, project, dir string) (string, error) {
	if !filepath.IsAbs(dir) {
		return "", fmt.Errorf("firestore emulator: export: %q is not an absolute path", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("firestore emulator: export: %w", err)
	}
	body, _ := json.Marshal(map[string]string{
		"database": "projects/" + project + "/databases/(default)", "export_directory": dir,
	})
	u := "http://" + e.host + "/emulator/v1/projects/" + url.PathEscape(project) + ":export"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(string(body)))
	if err != nil {
		return "", fmt.Errorf("firestore emulator: export: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("firestore emulator: export %s: %w", project, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("firestore emulator: export %s: HTTP %d: %s", project, resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	latest, err := LatestExport(dir)
	if err != nil || latest == "" {
		return "", fmt.Errorf("firestore emulator: export %s: no export written under %s (%v)", project, dir, err)
	}
	return latest, nil
}

// LatestExport returns the newest .overall_export_metadata file under dir,
// or "" when there is none.
func LatestExport(dir string) (string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*", "*.overall_export_metadata"))
	if err != nil || len(matches) == 0 {
		return "", err
	}
	sort.Slice(matches, func(i, j int) bool {
		a, _ := os.Stat(matches[i])
		b, _ := os.Stat(matches[j])
		return a.ModTime().Before(b.ModTime())
	})
	return matches[len(matches)-1], nil
}
