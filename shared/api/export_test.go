package api

// StartRequest exposes the start body's shape check to the external tests
// (the fuzz target).
var StartRequest = startRequest
