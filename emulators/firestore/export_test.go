package firestore_test

import (
	"context"
	"testing"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
)

func TestExportSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := fsemu.Start(ctx, fsemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := fsemu.NewClient(ctx, e.Host(), "p1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Collection("things").Doc("a").Set(ctx, map[string]any{"x": 1}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	path, err := e.Export(ctx, "p1", dir)
	e.Close()
	if err != nil {
		t.Fatal(err)
	}
	if latest, _ := fsemu.LatestExport(dir); latest != path {
		t.Errorf("LatestExport = %q, want %q", latest, path)
	}
	e, err = fsemu.Start(ctx, fsemu.Options{ImportData: path})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	c, err = fsemu.NewClient(ctx, e.Host(), "p1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	snap, err := c.Collection("things").Doc("a").Get(ctx)
	if err != nil || snap.Data()["x"] != int64(1) {
		t.Fatalf("after restart: %v %v", snap.Data(), err)
	}
	if _, err := e.Export(ctx, "p1", "relative/dir"); err == nil {
		t.Error("relative export dir accepted")
	}
}
