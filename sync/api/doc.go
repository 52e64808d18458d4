// Package api is the wire format of the central platform contract v1
// (sync/api/openapi.yaml): request and response bodies, the JSON envelope, the error
// code ↔ HTTP status table, request signing, the paging rules of the
// product library (ProductPage.Check), and the mapping from the terminal's
// domain types to wire requests.
//
// Both sides use this package: cmd/platform-sim serves it and sync/client
// speaks it, so the two cannot drift apart. openapi.yaml (embedded as Spec)
// is the human-readable statement of the same contract; the contract tests
// validate every response body the simulator sends against it.
package api
