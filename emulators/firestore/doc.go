// Package firestore launches the official Cloud Firestore emulator (the Java jar shipped with
// google-cloud-cli) as a child process, so tests and local runs talk to the real emulator
// instead of a hand-written fake.
//
// The jar is run with java directly, never through the cloud_firestore_emulator wrapper script
// or gcloud: the wrapper forks the JVM, so killing the wrapper would leave the JVM holding the
// port, and gcloud may try to reach the network. The JVM runs in its own process group and
// Close stops the whole group (SIGTERM, then SIGKILL after a grace period), so no process
// outlives the Emulator value.
//
// The package imports nothing from the code it stands in for; importers usually alias it
// (for example fsemu) because the client package is also called firestore.
package firestore
