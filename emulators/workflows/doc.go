// Package workflows is a local Cloud Workflows emulator: it loads workflow YAML files from a
// directory, interprets them with the documented Workflows semantics (steps, expressions,
// standard library, parallel steps, retries, error maps, limits) and serves the Executions API
// over gRPC so the official cloud.google.com/go/workflows/executions client works against it.
//
// Anything the interpreter does not support is rejected when the workflow is loaded, with the
// file, line and a clear message, so a workflow never silently behaves differently here than on
// Google Cloud. It imports nothing from the code it stands in for.
package workflows
