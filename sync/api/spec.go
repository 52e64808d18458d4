package api

import _ "embed"

// Spec is the OpenAPI 3.1 description of the contract (openapi.yaml):
// every endpoint, field, error code and signing header. `make test` lints
// it with Redocly's recommended-strict rules (redocly.yaml) and validates
// every simulator answer against its schemas (package apitest).
//
//go:embed openapi.yaml
var Spec []byte
