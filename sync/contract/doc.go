// Package contract holds the tests that meet the platform contract
// (sync/api/openapi.yaml) as a third party does: with tools that know
// nothing but the spec. A mock server that Stoplight Prism builds from the
// spec alone must be enough for the terminal's client to enroll, cache the
// rules and the product library and make every other call, so the spec's
// examples and formats are complete and right. Its tests need node and
// npx (see sync/api/apitest.NPX).
package contract
