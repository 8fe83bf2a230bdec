package localstack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
)

// dataDir returns DataDir/name (absolute, created), or "" without a DataDir.
func (s *Stack) dataDir(name string) string {
	if s.cfg.DataDir == "" {
		return ""
	}
	dir, err := filepath.Abs(filepath.Join(s.cfg.DataDir, name))
	if err != nil {
		return ""
	}
	os.MkdirAll(dir, 0o755)
	return dir
}

// lastExport is the Firestore export to load at start, if any.
func (s *Stack) lastExport() (string, error) {
	dir := s.dataDir("firestore")
	if dir == "" {
		return "", nil
	}
	return fsemu.LatestExport(dir)
}

// export saves the project's Firestore data for the next Start and removes
// the exports it replaces.
func (s *Stack) export() error {
	dir := s.dataDir("firestore")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	latest, err := s.firestore.Export(ctx, s.cfg.Project, dir)
	if err != nil {
		return err
	}
	keep := filepath.Dir(latest)
	old, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, o := range old {
		if o != keep {
			if err := os.RemoveAll(o); err != nil {
				return fmt.Errorf("removing an old export: %w", err)
			}
		}
	}
	return nil
}
