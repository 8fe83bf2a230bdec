package firestore

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Reset deletes every document of project's default database through the emulator's own
// REST endpoint (DELETE /emulator/v1/projects/P/databases/(default)/documents), so one
// emulator can serve many tests without restarting the JVM.
func (e *Emulator) Reset(ctx context.Context, project string) error {
	return Reset(ctx, e.host, project)
}

// Reset deletes every document of project's default database in the emulator at host
// (host:port). It is the package-level form for callers that know only the host.
func Reset(ctx context.Context, host, project string) error {
	if project == "" || strings.ContainsAny(project, "/?#") {
		return fmt.Errorf("firestore emulator: reset: bad project id %q", project)
	}
	u := "http://" + host + "/emulator/v1/projects/" + url.PathEscape(project) +
		"/databases/(default)/documents"
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
	if err != nil {
		return fmt.Errorf("firestore emulator: reset: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("firestore emulator: reset %s: %w", project, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("firestore emulator: reset %s: HTTP %d: %s", project, resp.StatusCode,
			strings.TrimSpace(string(body)))
	}
	return nil
}
