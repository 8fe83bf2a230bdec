package terraform_test

// The container image, checked by reading (no Docker engine here): the
// Dockerfile builds cmd/server statically into a non-root image on 8080, and
// .dockerignore keeps no file cmd/server needs out of the build context.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var fromLine = regexp.MustCompile(`(?m)^FROM `)

// checkDockerfile looks for the properties the deployment relies on.
func checkDockerfile(src string) []string {
	want := map[string]string{
		"CGO_ENABLED=0": "a static binary (CGO_ENABLED=0)",
		"./cmd/server":  "builds ./cmd/server",
		"EXPOSE 8080":   "EXPOSE 8080",
		"FROM --platform=linux/amd64 gcr.io/distroless/": "a distroless final stage for linux/amd64 (Cloud Run, the VM)",
		"GOOS=linux GOARCH=amd64":                        "a linux/amd64 binary",
		"USER nonroot":                                   "a non-root user",
	}
	var problems []string
	for _, k := range sortedKeys(want) {
		if !strings.Contains(src, k) {
			problems = append(problems, "Dockerfile lacks "+want[k])
		}
	}
	if len(fromLine.FindAllString(src, -1)) < 2 {
		problems = append(problems, "Dockerfile is not multi-stage")
	}
	return problems
}

// ignorePatterns reads .dockerignore (comments and blank lines skipped).
func ignorePatterns(src string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.TrimPrefix(l, "/"))
		}
	}
	return out
}

// ignored applies the .dockerignore patterns to a slash path relative to
// the context root: a pattern matches the path or one of its parent
// directories; a leading **/ matches at any depth.
func ignored(patterns []string, rel string) bool {
	parts := strings.Split(rel, "/")
	for _, p := range patterns {
		anyDepth := strings.HasPrefix(p, "**/")
		p = strings.TrimPrefix(p, "**/")
		for i := 1; i <= len(parts); i++ {
			for start := 0; start < i; start++ {
				if start > 0 && !anyDepth {
					break
				}
				if ok, _ := path.Match(p, strings.Join(parts[start:i], "/")); ok {
					return true
				}
			}
		}
	}
	return false
}

// buildFiles lists the source files (relative to the module root) that go
// build ./cmd/server compiles, plus go.mod and go.sum.
func buildFiles(root string) ([]string, error) {
	cmd := exec.Command("go", "list", "-e", "-deps", "-f", `{{if not .Standard}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{end}}`, "./cmd/server")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	abs, _ := filepath.Abs(root)
	files := []string{"go.mod", "go.sum"}
	for _, f := range strings.Fields(string(out)) {
		if rel, err := filepath.Rel(abs, f); err == nil && !strings.HasPrefix(rel, "..") {
			files = append(files, filepath.ToSlash(rel))
		}
	}
	return files, nil
}

func TestContainerImage(t *testing.T) {
	docker, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	expectNone(t, "Dockerfile", checkDockerfile(string(docker)))
	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	patterns := ignorePatterns(string(ignore))
	files, err := buildFiles("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("go list found only %d files of cmd/server", len(files))
	}
	for _, f := range files {
		if ignored(patterns, f) {
			t.Errorf(".dockerignore excludes %s, which go build ./cmd/server needs", f)
		}
	}

	t.Run("broken Dockerfile", func(t *testing.T) {
		p := checkDockerfile("FROM golang:1.26\nRUN go build -o /server ./cmd/server\nCMD [\"/server\"]\n")
		expectProblem(t, p, "CGO_ENABLED=0")
		expectProblem(t, p, "non-root")
		expectProblem(t, p, "multi-stage")
	})
	t.Run("ignore patterns", func(t *testing.T) {
		ps := ignorePatterns("# c\n/shared\n**/*_test.go\ndocs\n")
		for f, want := range map[string]bool{
			"shared/config/config.go":     true,
			"functions/api/api.go":        false,
			"functions/api/api_test.go":   true,
			"docs/x.md":                   true,
			"functions/docs/something.go": false,
			"cmd/server/main.go":          false,
		} {
			if got := ignored(ps, f); got != want {
				t.Errorf("ignored(%s) = %v, want %v", f, got, want)
			}
		}
	})
}
