// Package gcs runs fake-gcs-server (github.com/fsouza/fake-gcs-server) in process behind a real
// HTTP listener, so the official cloud.google.com/go/storage client, and any process given
// STORAGE_EMULATOR_HOST, talks to it over loopback exactly as it would talk to Cloud Storage.
//
// It imports nothing from the code it stands in for. fake-gcs-server honours the behaviours the
// project relies on: ifGenerationMatch=0 (write-if-absent → 412 on the second write), reads,
// prefix and delimiter listing, metadata, resumable uploads.
package gcs
