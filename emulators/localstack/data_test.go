package localstack_test

import (
	"context"
	"io"
	"testing"
	"time"

	fsemu "github.com/hoadon/hoadon/emulators/firestore"
	"github.com/hoadon/hoadon/emulators/gcs"
	"github.com/hoadon/hoadon/emulators/localstack"
)

// TestDataDirSurvivesRestart: with a DataDir, what one stack stored in
// Firestore and GCS is there again in the next stack.
func TestDataDirSurvivesRestart(t *testing.T) {
	data := t.TempDir()
	start := func() *localstack.Stack {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s, err := localstack.Start(ctx, localstack.Config{WorkflowsDir: workflowsDir(t), DataDir: data})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ctx := context.Background()
	s := start()
	env := s.Env()
	fs, err := fsemu.NewClient(ctx, s.Firestore().Host(), env["HOADON_PROJECT"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Collection("registry").Doc("a").Set(ctx, map[string]any{"stored": true}); err != nil {
		t.Fatal(err)
	}
	fs.Close()
	st, _ := gcs.NewClient(ctx, s.GCS().Host())
	w := st.Bucket(env["HOADON_BUCKET"]).Object("invoices/x.xml").NewWriter(ctx)
	w.Write([]byte("<HDon/>"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = start()
	defer s.Close()
	env = s.Env()
	fs, err = fsemu.NewClient(ctx, s.Firestore().Host(), env["HOADON_PROJECT"])
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	if snap, err := fs.Collection("registry").Doc("a").Get(ctx); err != nil || snap.Data()["stored"] != true {
		t.Errorf("Firestore after restart: %v %v", snap, err)
	}
	st, _ = gcs.NewClient(ctx, s.GCS().Host())
	defer st.Close()
	r, err := st.Bucket(env["HOADON_BUCKET"]).Object("invoices/x.xml").NewReader(ctx)
	if err != nil {
		t.Fatalf("GCS after restart: %v", err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "<HDon/>" {
		t.Errorf("GCS object after restart = %q", b)
	}
}
